/**
 * The pre-built bundles the package ships (scripts/bundle.ts): size, gzipped size (about what Lambda's code zip
 * holds) and cold import time (a fresh `node` process requiring the file, median of 7) of each Lambda bundle, and
 * the CLI's size. Goals (issue 16): at most 300 KB and 100 ms per Lambda bundle.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { CLI_BUNDLE } from '../lib/internal/paths';
import { buildBundles, bundleSpecs } from '../scripts/bundle';
import { bundleFigures, printTable } from './util';

export const title = 'Pre-built bundles: size, gzipped size, cold import (goal: <= 300 KB, <= 100 ms per Lambda)';

export async function run(): Promise<void> {
  await buildBundles({ ifStale: true });
  const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;
  const rows: Array<[string, string]> = [];
  for (const spec of bundleSpecs().filter((s) => s.id.startsWith('lambda/'))) {
    const f = await bundleFigures(spec.id.slice('lambda/'.length), 7);
    rows.push([spec.id, `${kb(f.bytes)} (${kb(f.gzippedBytes)} gzipped), cold import ${f.coldImportMs.toFixed(0)} ms`]);
  }
  const cli = fs.readFileSync(path.join(__dirname, '..', CLI_BUNDLE));
  rows.push(['cli (dist/cli/mcp-ops.js)', `${kb(cli.length)} (${kb(zlib.gzipSync(cli).length)} gzipped)`]);
  printTable(rows);
}
