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
