/**
 * Capacity model: how long one plan takes (the construct calls it at synth time, the CLI once),
 * and the CLI's cold start through tsx. Figures are printed, never asserted.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { CapacityInput, planCapacity } from '../lib/capacity';
import { median, printTable, timeMs } from './util';

export const title = 'Capacity model: planCapacity and the capacity CLI';

/** Deterministic pseudo-random inputs (LCG), half with a chosen task size. */
function inputs(n: number): CapacityInput[] {
  let seed = 20261125;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, k) => ({
    peakRps: 1 + next() * 3000,
    meanLatencyMs: 5 + next() * 2000,
    cpuSecondsPerRequest: 0.0001 + next() * 0.05,
    memoryPerConnectionMiB: 0.1 + next() * 50,
    streamOpensPerSecond: next() * 20,
    availabilityZones: 2 + (k % 3),
    ...(k % 2 === 0 ? { taskCpu: 2048, taskMemoryMiB: 8192 } : {}),
  }));
}

export async function run(): Promise<void> {
  const batch = inputs(10000);
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) rounds.push(await timeMs(() => batch.forEach((i) => planCapacity(i))));
  const perPlanUs = (median(rounds) * 1000) / batch.length;

  const root = path.join(__dirname, '..');
  const cli = path.join(root, 'lib', 'capacity', 'cli.ts');
  const args = [
    '--import',
    'tsx',
    cli,
    '--peak-rps',
    '1000',
    '--mean-latency-ms',
    '100',
    '--cpu-seconds-per-request',
    '0.01',
    '--memory-per-connection-mib',
    '10',
  ];
  const cliTimes: number[] = [];
  for (let r = 0; r < 3; r++) {
    cliTimes.push(
      await timeMs(() => {
        const p = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
        if (p.status !== 0) throw new Error(`capacity CLI failed: ${p.stderr}`);
      }),
    );
  }
  printTable([
    ['planCapacity, median µs per plan (10000 inputs × 5 rounds)', perPlanUs.toFixed(2)],
    ['planCapacity, plans per second', Math.round(1e6 / perPlanUs)],
    ['capacity CLI (node --import tsx), median ms per run of 3', median(cliTimes).toFixed(0)],
  ]);
}
