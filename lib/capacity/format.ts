/**
 * Text rendering of a {@link CapacityPlan} as readable tables (used by the `npm run capacity` CLI).
 * Pure: no CDK imports, no I/O.
 */
import { ConnectionBudget } from './connections';
import { CostGroup, PlanCost } from './cost';
import { formatNumber } from './model';
import { pricesFor, priceRows } from './prices';
import { CapacityReport } from './report';
import { CapacityInput, CapacityPlan } from './types';

type Row = readonly [label: string, value: string, note?: string];

/** Renders titled sections of [label, value, note] rows with aligned columns. */
function sections(parts: ReadonlyArray<readonly [title: string, rows: readonly Row[]]>): string {
  const all = parts.flatMap(([, rows]) => rows);
  const w1 = Math.max(...all.map((r) => r[0].length));
  const w2 = Math.max(...all.map((r) => r[1].length));
  const out: string[] = [];
  for (const [title, rows] of parts) {
    out.push(title);
    for (const [label, value, note] of rows) {
      out.push(`  ${label.padEnd(w1)}  ${value.padStart(w2)}${note ? `  ${note}` : ''}`.trimEnd());
    }
    out.push('');
  }
  return out.join('\n');
}

/**
 * The plan as text tables: inputs (defaults marked when `given` — the caller's original input — is
 * passed), task size, task counts, scaling targets, derived figures and the explanation.
 */
export function formatPlanTable(plan: CapacityPlan, given?: CapacityInput): string {
  const f = formatNumber;
  const i = plan.input;
  const d = plan.derived;
  const mark = (field: keyof CapacityInput, unit: string): string => {
    const isDefault = given !== undefined && given[field] === undefined;
    return [unit, isDefault ? '(default)' : ''].filter(Boolean).join(' ');
  };
  const inputs: Row[] = [
    ['peakRps', f(i.peakRps), mark('peakRps', 'req/s')],
    ['meanLatencyMs', f(i.meanLatencyMs), mark('meanLatencyMs', 'ms')],
    ['p99LatencyMs', f(i.p99LatencyMs), mark('p99LatencyMs', 'ms')],
    ['cpuSecondsPerRequest', f(i.cpuSecondsPerRequest), mark('cpuSecondsPerRequest', 'vCPU-s')],
    ['memoryPerConnectionMiB', f(i.memoryPerConnectionMiB), mark('memoryPerConnectionMiB', 'MiB')],
    ['streamOpensPerSecond', f(i.streamOpensPerSecond), mark('streamOpensPerSecond', 'streams/s')],
    ['meanStreamDurationSeconds', f(i.meanStreamDurationSeconds), mark('meanStreamDurationSeconds', 's')],
    ['baseMemoryPerTaskMiB', f(i.baseMemoryPerTaskMiB), mark('baseMemoryPerTaskMiB', 'MiB')],
    ['headroom', f(i.headroom), mark('headroom', `(${f(i.headroom * 100)} %)`)],
    ['availabilityZones', f(i.availabilityZones), mark('availabilityZones', '')],
    ['survivesAzLoss', String(i.survivesAzLoss), mark('survivesAzLoss', '')],
    [
      'taskCpu',
      i.taskCpu === undefined ? '-' : f(i.taskCpu),
      i.taskCpu === undefined ? 'chosen by the model' : 'CPU units',
    ],
    [
      'taskMemoryMiB',
      i.taskMemoryMiB === undefined ? '-' : f(i.taskMemoryMiB),
      i.taskMemoryMiB === undefined ? 'chosen by the model' : 'MiB',
    ],
    ['targetCpuUtilizationPercent', f(i.targetCpuUtilizationPercent), mark('targetCpuUtilizationPercent', '%')],
    ['maxTasksFactor', f(i.maxTasksFactor), mark('maxTasksFactor', '')],
    ['baselineRps', f(i.baselineRps), mark('baselineRps', 'req/s off-peak')],
    [
      'baselineStreamOpensPerSecond',
      f(i.baselineStreamOpensPerSecond),
      mark('baselineStreamOpensPerSecond', 'streams/s off-peak'),
    ],
  ];
  const task: Row[] = [
    ['taskCpu', String(plan.taskCpu), `CPU units (${f(d.taskVcpu)} vCPU), ${d.taskSizeChosen ? 'chosen' : 'given'}`],
    ['taskMemoryMiB', String(plan.taskMemoryMiB), `MiB (${f(d.connectionMemoryPerTaskMiB)} MiB for connections)`],
    ['maxConnectionsPerTask', String(d.maxConnectionsPerTask), `connections of ${f(i.memoryPerConnectionMiB)} MiB`],
  ];
  const tasks: Row[] = [
    [
      'minTasks',
      String(plan.minTasks),
      `carry the baseline (${d.baselineLimitedBy} decides, ${d.tasksForBaseline} needed)`,
    ],
    [
      'peakTasks',
      String(plan.peakTasks),
      `carry peak at full CPU, up to ${d.tasksPerAz} per AZ × ${i.availabilityZones} AZ${i.availabilityZones > 1 ? 's' : ''}`,
    ],
    [
      'maxTasks',
      String(plan.maxTasks),
      `target tracking at peak with headroom (${d.trackingTasksForPeakWithHeadroom})`,
    ],
    ...plan.scheduledMinimums.map((m): Row => [
      `schedule ${m.window.name}`,
      String(m.minTasks),
      `minimum from "${m.window.startCron}" to "${m.window.endCron}" ${m.window.timeZone}`,
    ]),
    [
      'tasksForPeak',
      String(d.tasksForPeak),
      `${d.peakLimitedBy} decides (CPU ${d.tasksForCpu}, memory ${d.tasksForMemory})`,
    ],
    [
      'tasksAfterAzLoss',
      String(d.tasksAfterAzLoss),
      i.availabilityZones > 1 ? 'tasks left after losing the AZ with the most' : 'one AZ',
    ],
  ];
  const scaling: Row[] = [
    ['targetCpuUtilizationPercent', f(plan.targetCpuUtilizationPercent), '%'],
    ['requestsPerTaskPerSecond', f(plan.requestsPerTaskPerSecond), `req/s per task (limited by ${d.scalingLimitedBy})`],
    ['requestsPerTaskPerMinute', String(plan.requestsPerTaskPerMinute), 'ALB RequestCountPerTarget target'],
  ];
  const derived: Row[] = [
    ['peakCores', f(d.peakCores), 'cores'],
    ['requiredCores', f(d.requiredCores), 'cores with headroom'],
    ['requestConcurrency', f(d.requestConcurrency), "requests in flight (Little's law)"],
    ['requestConcurrencyP99', f(d.requestConcurrencyP99), 'p99 burst bound'],
    ['streamConcurrency', f(d.streamConcurrency), "open streams (Little's law)"],
    ['totalConcurrency', f(d.totalConcurrency), 'connections'],
    ['requiredConnections', f(d.requiredConnections), 'connections with headroom'],
    ['requiredMemoryMiB', f(d.requiredMemoryMiB), 'MiB for connections with headroom'],
    ['concurrencyPerTask', f(d.concurrencyPerTask), 'connections per task at peak on peakTasks'],
    ['peakCpuUtilizationPercent', f(d.peakCpuUtilizationPercent), '% at peak on peakTasks'],
    ['fleetConnections', String(d.fleetConnections), 'connections on peakTasks'],
    ['fleetConnectionMemoryMiB', f(d.fleetConnectionMemoryMiB), 'MiB on peakTasks'],
    ['burstMemoryMiB', f(d.burstMemoryMiB), d.burstFits ? 'MiB, fits' : 'MiB, DOES NOT FIT'],
    ['baselineRequiredCores', f(d.baselineRequiredCores), 'cores off-peak with headroom'],
    ['baselineRequiredConnections', f(d.baselineRequiredConnections), 'connections off-peak with headroom'],
    ['trackingTasksAtBaseline', String(d.trackingTasksAtBaseline), 'tasks target tracking runs off-peak'],
    ['trackingTasksAtPeak', String(d.trackingTasksAtPeak), 'tasks target tracking runs at peak'],
  ];
  return [
    'MCP service capacity plan',
    '',
    sections([
      ['Inputs', inputs],
      ['Task size', task],
      ['Tasks', tasks],
      ['Scaling targets', scaling],
      ['Derived', derived],
    ]),
    'Explanation',
    ...plan.explanation.map((e) => `  - ${e}`),
    '',
  ].join('\n');
}

/** US dollars with cents and thousands separators: `$1,234.56`. */
export function formatUsd(x: number): string {
  return `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Aligned text columns; the first column left-aligned, the others right-aligned. */
function columns(rows: string[][], indent = '  '): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) =>
    (indent + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).trimEnd(),
  );
}

function costRows(cost: PlanCost): string[][] {
  const rows: string[][] = [['item', 'idle', 'peak']];
  for (const group of [CostGroup.FLEET, CostGroup.FIXED, CostGroup.TRAFFIC]) {
    for (const l of cost.lines.filter((x) => x.group === group)) {
      rows.push([
        `${group === CostGroup.FLEET ? '' : `${group}: `}${l.item}`,
        formatUsd(l.idleUsd),
        formatUsd(l.peakUsd),
      ]);
    }
  }
  rows.push(['total per month', formatUsd(cost.idleTotalUsd), formatUsd(cost.peakTotalUsd)]);
  return rows;
}

/** A net saving in words: "saves $x" or "costs $x more". */
function saving(usd: number): string {
  return usd >= 0 ? `endpoints save ${formatUsd(usd)}` : `endpoints cost ${formatUsd(-usd)} more`;
}

/** The connection budget in lines. */
export function formatConnectionBudget(b: ConnectionBudget): string[] {
  return [
    `Database connection budget (${b.instanceClass}): ${b.fits ? 'fits' : 'DOES NOT FIT'}`,
    ...b.explanation.map((e) => `  - ${e}`),
    ...b.fixes.map((x) => `  - fix: ${x}`),
  ];
}

/** The cost sections of the report: bill, quantities, alternatives, VPC endpoints, connection budget. */
export function formatCostReport(report: CapacityReport): string {
  const { plan, cost, otherArchitecture: other } = report;
  const t = cost.traffic;
  const e = cost.vpcEndpoints;
  const out: string[] = [
    `Monthly cost, ${cost.region}, ${cost.architecture}, ${cost.hoursPerMonth} h (idle: ${plan.minTasks} tasks, no traffic; peak: ${plan.maxTasks} tasks, ${formatNumber(plan.input.peakRps)} req/s all month)`,
    ...columns(costRows(cost)),
    `  fleet alone: ${formatUsd(cost.fleetAtMinimumUsd)} at minimum, ${formatUsd(cost.fleetAtMaximumUsd)} at maximum; ${other.architecture}: ${formatUsd(other.fleetAtMinimumUsd)} and ${formatUsd(other.fleetAtMaximumUsd)} (totals ${formatUsd(other.idleTotalUsd)} idle, ${formatUsd(other.peakTotalUsd)} peak)`,
    '',
    'Quantities',
    ...cost.lines.map((l) => `  ${l.item}: idle ${l.idleQuantity}; peak ${l.peakQuantity}`),
    '',
    'Task sizes side by side (Fargate only, per month)',
    ...columns([
      ['task size', 'min', 'max', 'ARM64 min', 'ARM64 max', 'X86_64 min', 'X86_64 max'],
      ...report.alternatives.map((a) => [
        `${formatNumber(a.taskCpu / 1024)} vCPU / ${a.taskMemoryMiB} MiB${a.planned ? ' (plan)' : ''}`,
        String(a.minTasks),
        String(a.maxTasks),
        formatUsd(a.arm64AtMinimumUsd),
        formatUsd(a.arm64AtMaximumUsd),
        formatUsd(a.x8664AtMinimumUsd),
        formatUsd(a.x8664AtMaximumUsd),
      ]),
    ]),
    '',
    `VPC endpoints instead of NAT for AWS APIs (interface: ${e.interfaceEndpoints.join(', ')} in each AZ; S3 gateway, free)`,
    `  endpoint hours ${formatUsd(e.endpointHoursUsd)}/month; NAT $${e.natPerGbUsd}/GB vs endpoint $${e.endpointPerGbUsd}/GB`,
    `  break-even: ${formatNumber(e.breakEvenGbPerMonth)} GB/month of AWS API traffic through NAT`,
    `  this plan: ${formatNumber(e.awsApiGbPerMonthAtPeak)} GB/month at peak (${saving(e.peakSavingUsd)}), ${formatNumber(t.otherAwsApiGbPerMonth)} GB idle (${saving(e.idleSavingUsd)})`,
    '',
    ...(report.connectionBudget ? [...formatConnectionBudget(report.connectionBudget), ''] : []),
    `Traffic assumptions: ${t.bytesPerRequest} bytes per request through the ALB, ${t.newConnectionsPerRequest} new connections per request, ${t.logBytesPerRequest} log bytes per request, ${t.otherAwsApiGbPerMonth} GB/month of other AWS API traffic, ${t.kmsRequestsPerMonth} KMS requests/month`,
    `Not included: ${cost.excluded.join('; ')}.`,
    'Prices: lib/capacity/prices.ts, each with its source and date (npm run capacity -- --prices); many are not confirmed by a stored AWS page.',
    '',
  ];
  return out.join('\n');
}

/** The report as the README's Markdown block: the bill at idle and at peak, and the connection budget. */
export function formatCostMarkdown(report: CapacityReport, command: string): string {
  const { plan, cost, otherArchitecture: other } = report;
  const rows = costRows(cost);
  const lines = [
    `Computed by \`${command}\` (prices from lib/capacity/prices.ts; ${cost.region}, ${cost.architecture}, ${cost.hoursPerMonth} h a month).`,
    `Idle: the minimum of ${plan.minTasks} tasks of ${formatNumber(plan.taskCpu / 1024)} vCPU / ${plan.taskMemoryMiB} MiB and no traffic; peak: the maximum of ${plan.maxTasks} tasks and ${formatNumber(plan.input.peakRps)} req/s all month.`,
    '',
    '| item | idle | peak |',
    '|---|---:|---:|',
    ...rows.slice(1, -1).map(([item, idle, peak]) => `| ${item} | ${idle} | ${peak} |`),
    `| **${rows[rows.length - 1][0]}** | **${rows[rows.length - 1][1]}** | **${rows[rows.length - 1][2]}** |`,
    '',
    `With ${other.architecture} tasks: ${formatUsd(other.idleTotalUsd)} idle, ${formatUsd(other.peakTotalUsd)} peak. VPC endpoints for the AWS APIs break even at ${formatNumber(cost.vpcEndpoints.breakEvenGbPerMonth)} GB/month through NAT (this plan: ${formatNumber(cost.vpcEndpoints.awsApiGbPerMonthAtPeak)} GB at peak).` +
      (report.connectionBudget
        ? ` Database connections at the maximum: ${report.connectionBudget.demand} of a budget of ${report.connectionBudget.budget} on ${report.connectionBudget.instanceClass} (max_connections ${report.connectionBudget.maxConnections}).`
        : ''),
  ];
  return `${lines.join('\n')}\n`;
}

/** The price table of one region with every source and date. */
export function formatPrices(region: string): string {
  const rows = priceRows(pricesFor(region));
  const out = [`Prices, ${region} (USD, on demand; lib/capacity/prices.ts)`, ''];
  for (const [name, p] of rows) {
    out.push(
      `  ${name}: $${p.usd} per ${p.unit}`,
      `    page: ${p.page}`,
      `    source: ${p.source}`,
      `    read: ${p.read}`,
    );
  }
  out.push('');
  return out.join('\n');
}
