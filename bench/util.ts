import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { LAMBDA_BUNDLE_FILE, lambdaBundleDir } from '../lib/internal/paths';
import { buildBundles } from '../scripts/bundle';

/** Median of a non-empty list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Wall time in milliseconds of `fn`, measured with the high-resolution clock. */
export async function timeMs(fn: () => unknown | Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Time in ms for a fresh `node` process to `require` a file (cold import), median of `runs`. */
export function coldImportMs(file: string, runs = 5): number {
  const script = `const s=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-s)/1e6))`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { ...process.env, AWS_REGION: 'eu-west-1' },
    });
    if (r.status !== 0) throw new Error(`cold import of ${file} failed: ${r.stderr}`);
    times.push(Number(r.stdout));
  }
  return median(times);
}

/** Prints rows of [label, value] as an aligned two-column table. */
export function printTable(rows: Array<[string, string | number]>): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

/** Size and cold import time of one Lambda handler's bundle. */
export interface BundleFigures {
  readonly bytes: number;
  readonly gzippedBytes: number;
  /** Median time for a fresh node process to require the bundle. */
  readonly coldImportMs: number;
  readonly coldImportRuns: number;
}

/**
 * Size and cold import time of a Lambda handler's pre-built bundle, `dist/lambda/<handler>/index.js`: the file
 * McpOpsFunction deploys (scripts/bundle.ts builds it; rebuilt here first when stale).
 */
export async function bundleFigures(handler: string, coldImportRuns = 7): Promise<BundleFigures> {
  await buildBundles({ ifStale: true });
  const file = path.join(lambdaBundleDir(handler), LAMBDA_BUNDLE_FILE);
  const code = fs.readFileSync(file);
  return {
    bytes: code.length,
    gzippedBytes: zlib.gzipSync(code).length,
    coldImportMs: coldImportMs(file, coldImportRuns),
    coldImportRuns,
  };
}
