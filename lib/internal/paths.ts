import * as fs from 'fs';
import * as path from 'path';

/** Where `npm run bundle` (scripts/bundle.ts) writes the Lambda bundles, relative to the package root. */
export const LAMBDA_BUNDLES_DIR = 'dist/lambda';
/** The one file of each Lambda bundle; its `handler` export is the function's handler (`index.handler`). */
export const LAMBDA_BUNDLE_FILE = 'index.js';
/** The bundled `mcp-ops` CLI, package.json's `bin`, relative to the package root. */
export const CLI_BUNDLE = 'dist/cli/mcp-ops.js';

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

/**
 * The asset directory of a pre-built Lambda bundle, `dist/lambda/<name>/` (holding only `index.js`). The package
 * ships these; in a checkout of this repository `npm ci` builds them (the `prepare` script) and `npm run bundle`
 * rebuilds them.
 */
export function lambdaBundleDir(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new Error(`mcp-ops-cdk: Lambda handler name must be lower-case letters, digits and hyphens, got "${name}"`);
  }
  const dir = path.join(packageRoot(), LAMBDA_BUNDLES_DIR, name);
  const file = path.join(dir, LAMBDA_BUNDLE_FILE);
  if (!fs.existsSync(file)) {
    const source = path.join(packageRoot(), 'lambda', name, 'index.ts');
    throw new Error(
      fs.existsSync(source)
        ? `mcp-ops-cdk: the ${name} Lambda bundle ${file} has not been built; run \`npm run bundle\` (\`npm ci\` runs it as the prepare script unless scripts are ignored)`
        : `mcp-ops-cdk: no Lambda bundle named ${name} (${file} does not exist)`,
    );
  }
  return dir;
}
