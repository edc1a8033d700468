/**
 * The pre-built bundles the package ships (scripts/bundle.ts): size, gzipped size (about what Lambda's code zip
 * holds) and cold import time (a fresh `node` process requiring the file, median of 7) of each Lambda bundle, and
 * the CLI's size. Goals (issue 16): at most 300 KB and 100 ms per Lambda bundle.
 *
 * Beside each, the alternative docs/packaging.md weighs: the same bundle with the AWS SDK left to the Lambda
 * runtime's copy (`@aws-sdk/*` and `@smithy/*` external). Its cold import loads the SDK from node_modules, as the
 * runtime would load its own from /var/runtime/node_modules, so the two times compare like with like.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { build } from 'esbuild';
import { CLI_BUNDLE } from '../lib/internal/paths';
import { buildBundles, bundleSpecs } from '../scripts/bundle';
import { bundleFigures, coldImportMs, printTable } from './util';

export const title = 'Pre-built bundles: size, gzipped size, cold import (goal: <= 300 KB, <= 100 ms per Lambda)';

const root = path.join(__dirname, '..');
const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;

/** Builds `spec` with the AWS SDK external into .bench-tmp/ (inside the repository, so node_modules resolves). */
async function runtimeSdkVariant(spec: ReturnType<typeof bundleSpecs>[number]): Promise<string> {
  const outfile = path.join(root, '.bench-tmp', 'runtime-sdk', spec.id, 'index.js');
  await build({
    ...spec.options,
    absWorkingDir: root,
    entryPoints: [spec.entry],
    outfile,
    external: [...(spec.options.external ?? []), '@aws-sdk/*', '@smithy/*'],
    write: true,
    metafile: false,
    logLevel: 'error',
  });
  return outfile;
}

export async function run(): Promise<void> {
  await buildBundles({ ifStale: true });
  const rows: Array<[string, string]> = [];
  for (const spec of bundleSpecs().filter((s) => s.id.startsWith('lambda/'))) {
    const f = await bundleFigures(spec.id.slice('lambda/'.length), 7);
    const variant = await runtimeSdkVariant(spec);
    const v = fs.readFileSync(variant);
    rows.push([
      spec.id,
      `shipped (SDK bundled) ${kb(f.bytes)} (${kb(f.gzippedBytes)} gz), cold ${f.coldImportMs.toFixed(0)} ms` +
        ` | runtime SDK: ${kb(v.length)} (${kb(zlib.gzipSync(v).length)} gz), cold ${coldImportMs(variant, 7).toFixed(0)} ms`,
    ]);
  }
  fs.rmSync(path.join(root, '.bench-tmp', 'runtime-sdk'), { recursive: true, force: true });
  const cli = fs.readFileSync(path.join(root, CLI_BUNDLE));
  rows.push(['cli (dist/cli/mcp-ops.js)', `${kb(cli.length)} (${kb(zlib.gzipSync(cli).length)} gz)`]);
  printTable(rows);
}
