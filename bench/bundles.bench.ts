/**
 * The pre-built bundles the package ships (scripts/bundle.ts): size, gzipped size (about what Lambda's code zip
 * holds) and cold import time (fresh `node` processes requiring the file: median wall and CPU time of 7) of each
 * Lambda bundle, and
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
import { buildBundles, bundleSpecs } from '../scripts/bundle';
import { CLI_BUNDLE, LAMBDA_BUNDLE_FILE, lambdaBundleDir } from '../lib/internal/paths';
import { spawnSync } from 'child_process';
import { median, printTable } from './util';

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

/**
 * Cold import of `file` in fresh node processes: median wall time and median CPU time (user + system) of the
 * `require`. The CPU time is the steadier figure on a shared machine.
 */
function coldImport(file: string, runs = 7): { wallMs: number; cpuMs: number } {
  const script = `const c=process.cpuUsage(),s=process.hrtime.bigint();require(${JSON.stringify(file)});const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([Number(process.hrtime.bigint()-s)/1e6,(u.user+u.system)/1e3]))`;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { ...process.env, AWS_REGION: 'eu-west-1' },
    });
    if (r.status !== 0) throw new Error(`cold import of ${file} failed: ${r.stderr}`);
    const [w, c] = JSON.parse(r.stdout) as [number, number];
    wall.push(w);
    cpu.push(c);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

function figures(file: string): string {
  const code = fs.readFileSync(file);
  const t = coldImport(file);
  return `${kb(code.length)} (${kb(zlib.gzipSync(code).length)} gz), cold ${t.wallMs.toFixed(0)} ms (${t.cpuMs.toFixed(0)} ms CPU)`;
}

export async function run(): Promise<void> {
  await buildBundles({ ifStale: true });
  const rows: Array<[string, string]> = [];
  for (const spec of bundleSpecs().filter((s) => s.id.startsWith('lambda/'))) {
    const shipped = path.join(lambdaBundleDir(spec.id.slice('lambda/'.length)), LAMBDA_BUNDLE_FILE);
    const variant = await runtimeSdkVariant(spec);
    rows.push([spec.id, `shipped (SDK bundled) ${figures(shipped)} | SDK from the runtime ${figures(variant)}`]);
  }
  fs.rmSync(path.join(root, '.bench-tmp', 'runtime-sdk'), { recursive: true, force: true });
  const cli = fs.readFileSync(path.join(root, CLI_BUNDLE));
  rows.push(['cli (dist/cli/mcp-ops.js)', `${kb(cli.length)} (${kb(zlib.gzipSync(cli).length)} gz)`]);
  printTable(rows);
}
