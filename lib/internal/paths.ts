import * as fs from 'fs';
import * as path from 'path';

/**
 * The root of the mcp-ops-cdk package, found by walking up from this file to the
 * nearest package.json named `mcp-ops-cdk`. Works both from the TypeScript sources
 * (`lib/internal`) and from the compiled package (`dist/lib/internal`), and when the
 * package is installed in another project's node_modules.
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const name = JSON.parse(fs.readFileSync(manifest, 'utf8')).name;
      if (name === 'mcp-ops-cdk') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`mcp-ops-cdk: cannot find the package root above ${__dirname}`);
    dir = parent;
  }
}

/** Absolute path of a Lambda handler's entry file, `lambda/<name>/index.ts`. */
export function lambdaEntry(name: string): string {
  const entry = path.join(packageRoot(), 'lambda', name, 'index.ts');
  if (!fs.existsSync(entry)) throw new Error(`mcp-ops-cdk: Lambda entry ${entry} does not exist`);
  return entry;
}

const LOCK_FILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'];

/**
 * The project root and dependency lock file that Lambda bundling runs from: this package's own when
 * it is checked out, else (installed in another project's node_modules, where npm ships no lock file)
 * the nearest project above it that has one.
 */
export function bundlingRoot(): { projectRoot: string; depsLockFilePath: string } {
  let dir = packageRoot();
  for (;;) {
    for (const name of LOCK_FILES) {
      const file = path.join(dir, name);
      if (fs.existsSync(file)) return { projectRoot: dir, depsLockFilePath: file };
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(
        `mcp-ops-cdk: no dependency lock file (${LOCK_FILES.join(', ')}) in ${packageRoot()} or any folder above it; Lambda bundling needs one`,
      );
    }
    dir = parent;
  }
}
