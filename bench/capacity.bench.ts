/**
 * Capacity model: how long one plan, one cost estimate and one connection budget take (the construct plans
 * at synth time, the CLI once), the CLI's cold start through tsx, and the default app's monthly cost table.
 * Figures are printed, never asserted.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAppConfig } from '../lib/app/config';
import { connectionBudget } from '../lib/capacity/connections';
import { costPlan } from '../lib/capacity/cost';
import { formatCostMarkdown, formatUsd } from '../lib/capacity/format';
import { planCapacity } from '../lib/capacity/model';
import { capacityReport } from '../lib/capacity/report';
import { CapacityInput } from '../lib/capacity/types';
import { median, printTable, timeMs } from './util';

export const title = 'Capacity model: planning, cost and connection budget speed; the default app’s monthly cost';

/** Deterministic pseudo-random inputs (LCG), half with a given task size, a third with a schedule. */
function inputs(n: number): CapacityInput[] {
  let seed = 20261125;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, k) => {
    const peakRps = 1 + next() * 3000;
    return {
      peakRps,
      meanLatencyMs: 5 + next() * 2000,
      cpuSecondsPerRequest: 0.0001 + next() * 0.05,
      memoryPerConnectionMiB: 0.1 + next() * 50,
      streamOpensPerSecond: next() * 20,
      availabilityZones: 2 + (k % 3),
      ...(k % 2 === 0 ? { taskCpu: 2048, taskMemoryMiB: 8192 } : {}),
      ...(k % 3 === 0
        ? {
            schedule: [
              {
                name: 'Weekdays',
                startCron: '45 7 ? * MON-FRI *',
                endCron: '0 18 ? * MON-FRI *',
                expectedRps: peakRps * 0.8,
              },
            ],
          }
        : {}),
    };
  });
}

/** Median µs per item of `fn` over `items`, 5 rounds. */
async function perItemUs<T>(items: T[], fn: (item: T) => unknown): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) rounds.push(await timeMs(() => items.forEach((i) => fn(i))));
  return (median(rounds) * 1000) / items.length;
}

export async function run(): Promise<void> {
  const batch = inputs(10000);
  const planUs = await perItemUs(batch, (i) => planCapacity(i));
  const plans = batch.map((i) => planCapacity(i));
  const costUs = await perItemUs(plans, (p) => costPlan(p, { region: 'eu-west-1' }));
  const budgetUs = await perItemUs(plans, (p) =>
    connectionBudget({ instanceClass: 'db.m7g.large', maxTasks: p.maxTasks }),
  );

  const root = path.join(__dirname, '..');
  const cli = path.join(root, 'lib', 'capacity', 'cli.ts');
  const cliTimes: number[] = [];
  for (let r = 0; r < 3; r++) {
    cliTimes.push(
      await timeMs(() => {
        const p = spawnSync(process.execPath, ['--import', 'tsx', cli, '--default-app', '--json'], {
          cwd: root,
          encoding: 'utf8',
        });
        if (p.status !== 0) throw new Error(`capacity CLI failed: ${p.stderr}`);
      }),
    );
  }
  printTable([
    ['planCapacity, median µs per plan (10000 inputs × 5 rounds)', planUs.toFixed(2)],
    ['planCapacity, plans per second', Math.round(1e6 / planUs)],
    ['costPlan, median µs per estimate (eu-west-1, default inventory)', costUs.toFixed(2)],
    ['connectionBudget, median µs per budget', budgetUs.toFixed(2)],
    ['capacity CLI --default-app --json (node --import tsx), median ms per run of 3', median(cliTimes).toFixed(0)],
  ]);

  // The default app, as cdk.json configures it.
  const cdkJson = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8'));
  const config = parseAppConfig(cdkJson.context);
  const report = capacityReport({ input: config.capacity, region: config.region });
  // Before the baseline existed: minimum = the peak fleet, maximum = 2 × the minimum (the old maxTasksFactor).
  const before = { ...report.plan, minTasks: report.plan.peakTasks, maxTasks: Math.ceil(report.plan.peakTasks * 2) };
  const beforeCost = costPlan(before, { region: config.region });
  console.log('');
  console.log(formatCostMarkdown(report, 'npm run capacity -- --default-app --markdown'));
  printTable([
    [
      'minimum sized for peak (before the baseline): min/max tasks, idle total',
      `${before.minTasks}/${before.maxTasks}, ${formatUsd(beforeCost.idleTotalUsd)}`,
    ],
    [
      'minimum for the baseline (now): min/max tasks, idle total',
      `${report.plan.minTasks}/${report.plan.maxTasks}, ${formatUsd(report.cost.idleTotalUsd)}`,
    ],
  ]);
}
