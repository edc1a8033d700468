/**
 * Text rendering of a {@link CapacityPlan} as readable tables (used by the `npm run capacity` CLI).
 * Pure: no CDK imports, no I/O.
 */
import { formatNumber } from './model';
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
      `up to ${d.tasksPerAz} per AZ × ${i.availabilityZones} AZ${i.availabilityZones > 1 ? 's' : ''}`,
    ],
    ['maxTasks', String(plan.maxTasks)],
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
    ['concurrencyPerTask', f(d.concurrencyPerTask), 'connections per task at peak on minTasks'],
    ['peakCpuUtilizationPercent', f(d.peakCpuUtilizationPercent), '% at peak on minTasks'],
    ['fleetConnections', String(d.fleetConnections), 'connections on minTasks'],
    ['fleetConnectionMemoryMiB', f(d.fleetConnectionMemoryMiB), 'MiB on minTasks'],
    ['burstMemoryMiB', f(d.burstMemoryMiB), d.burstFits ? 'MiB, fits' : 'MiB, DOES NOT FIT'],
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
