/**
 * The review report's cost model: what a template deploys, priced with the capacity model's price table
 * (lib/capacity/prices.ts) the way `npm run capacity` prices the default app: Fargate tasks at the autoscaling
 * minimum and maximum, and the fixed lines of `fixedCostLines` (load balancers, NAT gateways, public IPv4, RDS
 * PostgreSQL and its gp3 storage, ElastiCache Valkey, CloudWatch alarms and dashboards, KMS keys, secrets,
 * interface endpoints). Traffic-driven lines (LCUs, log ingestion, NAT data) depend on load a template does not
 * state, and custom metrics on what the code publishes: they are left out, and the notes say so. Pure: no CDK.
 */
import {
  FargateArchitecture,
  HOURS_PER_MONTH,
  StackInventory,
  fixedCostLines,
  taskHourUsd,
} from '../../lib/capacity/cost';
import { PRICED_REGIONS, pricesFor } from '../../lib/capacity/prices';
import { CapacityFacts, CostLine, CostModel, DataCapacity, MonthlyCost, ServiceCapacity } from './cost';

/** One service's tasks per month at its minimum and maximum, or why they are not priced. */
interface FleetCost {
  readonly item: string;
  readonly atMinimumUsd: number;
  readonly atMaximumUsd: number;
}

function fleetCost(s: ServiceCapacity, region: string): FleetCost | string {
  if (s.launchType !== 'FARGATE') return `${s.name}: ${s.launchType} tasks are not priced (Fargate only)`;
  if (s.taskCpu === undefined || s.taskMemoryMiB === undefined || !(s.taskCpu > 0 && s.taskMemoryMiB > 0))
    return `${s.name}: task size not in the template, not priced`;
  const minimum = s.minTasks ?? s.desiredCount;
  if (minimum === undefined || !Number.isFinite(minimum))
    return `${s.name}: no task count in the template (no autoscaling, no desired count), not priced`;
  const maximum = s.maxTasks ?? minimum;
  const architecture = s.architecture === 'ARM64' ? FargateArchitecture.ARM64 : FargateArchitecture.X86_64;
  const month = taskHourUsd(region, architecture, s.taskCpu, s.taskMemoryMiB) * HOURS_PER_MONTH;
  return {
    item: `Fargate \`${s.name}\` (${s.taskCpu / 1024} vCPU / ${s.taskMemoryMiB} MiB, ${architecture}), ${minimum}${maximum !== minimum ? `–${maximum}` : ''} tasks`,
    atMinimumUsd: minimum * month,
    atMaximumUsd: maximum * month,
  };
}

/** The database and cache the price table prices (one of each, as McpDataTier makes), and notes for the rest. */
function dataInventory(
  data: readonly DataCapacity[],
  region: string,
): Pick<StackInventory, 'database' | 'cache'> & { notes: string[] } {
  const prices = pricesFor(region);
  const notes: string[] = [];
  let database: StackInventory['database'];
  let cache: StackInventory['cache'];
  for (const d of data) {
    const cls = d.instanceClass ?? '';
    if (d.kind === 'database') {
      if (!/postgres/i.test(d.engine ?? '')) notes.push(`${d.name}: engine ${d.engine || 'unknown'} is not priced`);
      else if (!prices.rdsPostgres[cls])
        notes.push(`${d.name}: RDS class ${cls || 'unknown'} is not in the price table`);
      else if (database) notes.push(`${d.name}: a second database is not priced`);
      else database = { instanceClass: cls, multiAz: d.multiAz, storageGb: d.storageGiB ?? 0 };
    } else {
      if (!/valkey/i.test(d.engine ?? ''))
        notes.push(`${d.name}: ElastiCache ${d.engine || 'unknown'} is not priced (the table holds Valkey prices)`);
      else if (!prices.elastiCacheValkey[cls])
        notes.push(`${d.name}: node type ${cls || 'unknown'} is not in the price table`);
      else if (cache) notes.push(`${d.name}: a second cache is not priced`);
      else cache = { nodeType: cls, nodes: d.nodes };
    }
  }
  return { ...(database ? { database } : {}), ...(cache ? { cache } : {}), notes };
}

/** Prices a template's capacity; undefined for a region the price table does not cover (or none). */
export function priceTemplateCapacity(facts: CapacityFacts): MonthlyCost | undefined {
  const region = facts.region;
  if (!region || !PRICED_REGIONS.includes(region)) return undefined;
  const notes: string[] = [];
  const fleets: FleetCost[] = [];
  for (const s of facts.services) {
    const f = fleetCost(s, region);
    if (typeof f === 'string') notes.push(f);
    else fleets.push(f);
  }
  const data = dataInventory(facts.data, region);
  notes.push(...data.notes);
  const inventory: StackInventory = {
    ...facts.billable,
    loadBalancers: facts.loadBalancers,
    natGateways: facts.natGateways,
    ...(data.database ? { database: data.database } : {}),
    ...(data.cache ? { cache: data.cache } : {}),
    // A template does not say which metrics the code publishes.
    customMetrics: 0,
  };
  const fixed = fixedCostLines(inventory, region).filter((l) => l.idleUsd > 0);
  const lines: CostLine[] = [
    ...fleets.map((f) => ({ item: f.item, monthlyUsd: f.atMinimumUsd })),
    ...fixed.map((l) => ({ item: l.item, monthlyUsd: l.idleUsd })),
  ];
  const fixedUsd = fixed.reduce((n, l) => n + l.idleUsd, 0);
  const totalUsd = fixedUsd + fleets.reduce((n, f) => n + f.atMinimumUsd, 0);
  const atMaximumUsd = fixedUsd + fleets.reduce((n, f) => n + f.atMaximumUsd, 0);
  notes.push(
    `On-demand prices of ${region} from lib/capacity/prices.ts (${HOURS_PER_MONTH} h a month; \`npm run capacity -- --prices\` lists each with its source and date). Not included: traffic (load-balancer capacity units, log ingestion, NAT data), custom metrics, data transfer, storage of logs and backups, Lambda and Step Functions usage; \`npm run capacity\` estimates them from a load.`,
  );
  return { totalUsd, ...(atMaximumUsd !== totalUsd ? { atMaximumUsd } : {}), lines, notes };
}

/** The cost model `mcp-ops review` prices with. */
export const PRICE_TABLE_COST_MODEL: CostModel = { monthlyCost: priceTemplateCapacity };
