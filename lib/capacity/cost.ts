/**
 * The cost model: what a capacity plan and the stack around it cost per month, from the price table
 * (lib/capacity/prices.ts). Pure: no CDK imports. Documented in docs/capacity.md ("Cost").
 *
 * A month is 730 hours (8760 / 12). Two bounds are priced:
 * - idle: the minimum task count all month and no traffic (what the stack costs when nobody calls it);
 * - peak: the maximum task count all month and peak traffic all month (the most a month can cost
 *   while load stays within plan).
 * Fargate bills per second for the task's configured vCPU and memory (GB = MiB / 1024).
 */
import { instanceClassMemoryGiB } from './connections';
import { formatNumber } from './model';
import { Price, RDS_MULTI_AZ_FACTOR, RegionPrices, pricesFor } from './prices';
import { CapacityPlan } from './types';

/** Hours in the month the cost model prices (8760 / 12). */
export const HOURS_PER_MONTH = 730;

/** CPU architecture of the tasks. */
export enum FargateArchitecture {
  /** Graviton (ARM64). */
  ARM64 = 'ARM64',
  /** x86-64. */
  X86_64 = 'X86_64',
}

/** The database of a stack, for pricing. */
export interface DatabaseInventory {
  /** RDS instance class, e.g. `db.m7g.large`. */
  readonly instanceClass: string;
  /** A standby in a second AZ (billed like the primary). */
  readonly multiAz: boolean;
  /** Allocated gp3 storage, GB. */
  readonly storageGb: number;
}

/** The cache of a stack, for pricing. */
export interface CacheInventory {
  /** ElastiCache node type, e.g. `cache.m7g.large`. */
  readonly nodeType: string;
  /** Nodes: the primary plus replicas. */
  readonly nodes: number;
}

/** What a stack deploys around the service's tasks, counted for pricing. */
export interface StackInventory {
  /** Availability zones (NAT gateways and interface endpoints are per zone). */
  readonly availabilityZones: number;
  /** Application Load Balancers. */
  readonly loadBalancers: number;
  /** NAT gateways. */
  readonly natGateways: number;
  /** Public IPv4 addresses: the NAT gateways' Elastic IPs and one per AZ node of an internet-facing load balancer. */
  readonly publicIpv4Addresses: number;
  /** The database, if any. */
  readonly database?: DatabaseInventory;
  /** The cache, if any. */
  readonly cache?: CacheInventory;
  /** Standard-resolution alarm metrics (a metric-math alarm counts each metric it reads). */
  readonly standardAlarmMetrics: number;
  /** High-resolution (period under 60 s) alarm metrics. */
  readonly highResolutionAlarmMetrics: number;
  /** Anomaly-detection alarms. */
  readonly anomalyDetectionAlarms: number;
  /** Composite alarms. */
  readonly compositeAlarms: number;
  /** CloudWatch dashboards. */
  readonly dashboards: number;
  /** Custom metrics (each name and dimension combination). */
  readonly customMetrics: number;
  /** Customer-managed KMS keys. */
  readonly kmsKeys: number;
  /** Secrets Manager secrets. */
  readonly secrets: number;
  /** Data Firehose delivery streams the logs go through. */
  readonly firehoseStreams: number;
  /** Interface VPC endpoints (each is billed once per AZ). */
  readonly interfaceEndpoints: number;
  /** Gateway VPC endpoints (S3; free). */
  readonly gatewayEndpoints: number;
}

/** Per-request figures behind the traffic-driven costs. Each has a documented default. */
export interface TrafficAssumptions {
  /**
   * Bytes the load balancer processes per request, request plus response (ALB LCUs: 1 GB per hour per LCU).
   * @default 8192
   */
  readonly bytesPerRequest?: number;
  /**
   * New TCP connections per request (clients reuse connections; ALB LCUs: 25 new connections per second per LCU).
   * @default 0.1
   */
  readonly newConnectionsPerRequest?: number;
  /**
   * Log bytes written per request (the request line plus audit entries): CloudWatch Logs ingestion, then
   * Firehose, and through the NAT gateways (or the Logs endpoint) on the way.
   * @default 512
   */
  readonly logBytesPerRequest?: number;
  /**
   * Other AWS API traffic of the tasks through the NAT gateways per month, GB: image pulls from ECR, secrets,
   * the ECS agent.
   * @default 20
   */
  readonly otherAwsApiGbPerMonth?: number;
  /**
   * KMS requests per month (log groups, secrets, backups).
   * @default 0 (not estimated)
   */
  readonly kmsRequestsPerMonth?: number;
}

/** {@link TrafficAssumptions} with every default filled in. */
export interface ResolvedTrafficAssumptions {
  /** ALB bytes per request. */
  readonly bytesPerRequest: number;
  /** New connections per request. */
  readonly newConnectionsPerRequest: number;
  /** Log bytes per request. */
  readonly logBytesPerRequest: number;
  /** Other AWS API GB per month. */
  readonly otherAwsApiGbPerMonth: number;
  /** KMS requests per month. */
  readonly kmsRequestsPerMonth: number;
}

/** Where a cost line belongs. */
export enum CostGroup {
  /** The service's Fargate tasks. */
  FLEET = 'fleet',
  /** Billed by the hour or month whatever the traffic. */
  FIXED = 'fixed',
  /** Billed by the traffic. */
  TRAFFIC = 'traffic',
}

/** One line of the monthly bill. */
export interface CostLine {
  /** What is billed. */
  readonly item: string;
  /** Its group. */
  readonly group: CostGroup;
  /** Quantity and unit price at idle, in words. */
  readonly idleQuantity: string;
  /** Quantity and unit price at peak, in words. */
  readonly peakQuantity: string;
  /** USD per month at idle. */
  readonly idleUsd: number;
  /** USD per month at peak. */
  readonly peakUsd: number;
}

/** Replacing NAT traffic to AWS APIs with VPC endpoints: cost and break-even. */
export interface VpcEndpointComparison {
  /** The interface endpoints priced (one per AZ each). */
  readonly interfaceEndpoints: string[];
  /** Monthly cost of the interface endpoints' hours in every AZ (the S3 gateway endpoint is free). */
  readonly endpointHoursUsd: number;
  /** NAT price per GB processed. */
  readonly natPerGbUsd: number;
  /** Interface endpoint price per GB processed. */
  readonly endpointPerGbUsd: number;
  /** AWS API traffic through NAT per month at which the endpoints pay for themselves: hours / (NAT − endpoint per GB). */
  readonly breakEvenGbPerMonth: number;
  /** AWS API traffic per month at peak under the traffic assumptions (logs plus other API traffic). */
  readonly awsApiGbPerMonthAtPeak: number;
  /** Net monthly saving at peak with the endpoints (negative: they cost more than they save). */
  readonly peakSavingUsd: number;
  /** Net monthly saving at idle (other API traffic only). */
  readonly idleSavingUsd: number;
}

/** What a plan and its stack cost per month. */
export interface PlanCost {
  /** Region priced. */
  readonly region: string;
  /** Architecture priced. */
  readonly architecture: FargateArchitecture;
  /** Hours in the month (730). */
  readonly hoursPerMonth: number;
  /** One task per hour: vCPU × vCPU-hour + GB × GB-hour. */
  readonly taskHourUsd: number;
  /** The minimum fleet per month. */
  readonly fleetAtMinimumUsd: number;
  /** The maximum fleet per month. */
  readonly fleetAtMaximumUsd: number;
  /** Every line, fleet first, then fixed, then traffic. */
  readonly lines: CostLine[];
  /** Sum of the fixed lines (the same at idle and at peak). */
  readonly fixedUsd: number;
  /** The whole stack per month at idle. */
  readonly idleTotalUsd: number;
  /** The whole stack per month at peak. */
  readonly peakTotalUsd: number;
  /** The VPC-endpoint option, priced. */
  readonly vpcEndpoints: VpcEndpointComparison;
  /** The traffic assumptions used, defaults filled in. */
  readonly traffic: ResolvedTrafficAssumptions;
  /** What the estimate leaves out. */
  readonly excluded: string[];
}

/** Options of {@link costPlan}. */
export interface CostOptions {
  /** Region to price: one of the price table's. */
  readonly region: string;
  /**
   * Task architecture.
   * @default FargateArchitecture.ARM64 (McpService's default)
   */
  readonly architecture?: FargateArchitecture;
  /**
   * What the stack deploys around the tasks.
   * @default the default app's inventory for the plan's availability zones (see defaultAppInventory)
   */
  readonly inventory?: StackInventory;
  /**
   * Per-request figures behind the traffic-driven costs.
   * @default the TrafficAssumptions defaults
   */
  readonly traffic?: TrafficAssumptions;
}

/** The interface endpoints that replace the tasks' AWS API traffic through NAT. */
export const VPC_ENDPOINT_SERVICES: readonly string[] = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm'];

/** Options of {@link defaultAppInventory}. */
export interface DefaultAppInventoryOptions {
  /**
   * Availability zones.
   * @default 2
   */
  readonly availabilityZones?: number;
  /**
   * The RDS + ElastiCache data tier (context key `dataTier`).
   * @default true
   */
  readonly dataTier?: boolean;
  /**
   * Interface endpoints for ECR, CloudWatch Logs, Secrets Manager and SSM plus the S3 gateway endpoint
   * (McpService's `vpcEndpoints`, context key `vpcEndpoints`).
   * @default false
   */
  readonly vpcEndpoints?: boolean;
  /**
   * RDS instance class of the database (context key `databaseInstanceClass`).
   * @default 'db.m7g.large'
   */
  readonly databaseInstanceClass?: string;
  /**
   * ElastiCache node type of the cache (context key `cacheNodeType`).
   * @default 'cache.m7g.large'
   */
  readonly cacheNodeType?: string;
}

/**
 * Alarm metrics of the default app without its data tier (counted from the synthesized template): the service's
 * 33, plus 6 of the edge (web ACL blocked-request spike and rate-limit activations, and the auth-failure spike of
 * the load balancer's and the server's 401/403s, each a math expression over two metrics).
 */
const SERVICE_ALARM_METRICS = 33 + 6;

/**
 * Alarm metrics of McpDataTier's saturation alarms (lib/data/data-tier-alarms.ts): on the database, CPU, free
 * storage, read and write latency, and (when the class's memory is known, so max_connections is) connections,
 * connections near the limit and freeable memory, one metric each; on the cache, engine CPU, memory, evictions,
 * connections and (with replicas) replication lag, each reading every member cluster.
 */
function dataTierAlarmMetrics(databaseInstanceClass: string, cacheNodes: number): number {
  const database = 4 + (instanceClassMemoryGiB(databaseInstanceClass) !== undefined ? 3 : 0);
  const cache = (4 + (cacheNodes > 1 ? 1 : 0)) * cacheNodes;
  return database + cache;
}

/**
 * What the default app (bin/mcp-ops.ts) deploys around the tasks. test/capacity/inventory.test.ts
 * counts the same figures in the synthesized default app, so a construct that adds an alarm, a key or a
 * secret fails that test until this inventory follows.
 *
 * Custom metrics: the service's EMF metrics (3 plus `mcp_errors_total` and `tools_executed_total` per error
 * type and tool), the four log metric filters (three of them per tool or error type) and our Lambdas' metrics
 * (probe 2, backup 6, recovery 2), counted for 5 tools and 5 error types: 13 + 16 + 10 = 39.
 */
export function defaultAppInventory(options: DefaultAppInventoryOptions = {}): StackInventory {
  const azs = options.availabilityZones ?? 2;
  const dataTier = options.dataTier ?? true;
  const endpoints = options.vpcEndpoints ?? false;
  const instanceClass = options.databaseInstanceClass ?? 'db.m7g.large';
  const cacheNodes = 2;
  return {
    availabilityZones: azs,
    loadBalancers: 1,
    natGateways: azs,
    // The NAT gateways' addresses: without a certificate the default app's load balancer is internal (no public IPs).
    publicIpv4Addresses: azs,
    ...(dataTier
      ? {
          database: { instanceClass, multiAz: true, storageGb: 50 },
          cache: { nodeType: options.cacheNodeType ?? 'cache.m7g.large', nodes: cacheNodes },
        }
      : {}),
    // Counted from the synthesized default app (see test/capacity/inventory.test.ts).
    standardAlarmMetrics: SERVICE_ALARM_METRICS + (dataTier ? dataTierAlarmMetrics(instanceClass, cacheNodes) : 0),
    highResolutionAlarmMetrics: 0,
    anomalyDetectionAlarms: 1,
    compositeAlarms: 1,
    dashboards: 1,
    customMetrics: 39,
    // Alarm topic, log pipeline, the stack's log-group key, backups, the probe client's secret (+ the data tier's).
    kmsKeys: dataTier ? 6 : 5,
    // The Cognito machine client's secret for the probe (+ the database credentials and the cache AUTH token).
    secrets: dataTier ? 3 : 1,
    firehoseStreams: 2,
    interfaceEndpoints: endpoints ? VPC_ENDPOINT_SERVICES.length : 0,
    gatewayEndpoints: endpoints ? 1 : 0,
  };
}

/** The TrafficAssumptions defaults. */
export const TRAFFIC_DEFAULTS: ResolvedTrafficAssumptions = {
  bytesPerRequest: 8192,
  newConnectionsPerRequest: 0.1,
  logBytesPerRequest: 512,
  otherAwsApiGbPerMonth: 20,
  kmsRequestsPerMonth: 0,
};

const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const GB = 1e9;

function checkTraffic(traffic: TrafficAssumptions | undefined): ResolvedTrafficAssumptions {
  const t: ResolvedTrafficAssumptions = { ...TRAFFIC_DEFAULTS, ...stripUndefined(traffic ?? {}) };
  for (const [key, value] of Object.entries(t)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`capacity: traffic.${key} must be a finite number ≥ 0, got ${JSON.stringify(value)}`);
    }
  }
  return t;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkInventory(inv: StackInventory): void {
  const counts: Array<keyof StackInventory> = [
    'availabilityZones',
    'loadBalancers',
    'natGateways',
    'publicIpv4Addresses',
    'standardAlarmMetrics',
    'highResolutionAlarmMetrics',
    'anomalyDetectionAlarms',
    'compositeAlarms',
    'dashboards',
    'customMetrics',
    'kmsKeys',
    'secrets',
    'firehoseStreams',
    'interfaceEndpoints',
    'gatewayEndpoints',
  ];
  for (const key of counts) {
    const v = inv[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new Error(`capacity: inventory.${key} must be a whole number ≥ 0, got ${JSON.stringify(v)}`);
    }
  }
  if (inv.database && !(Number.isFinite(inv.database.storageGb) && inv.database.storageGb >= 0)) {
    throw new Error(`capacity: inventory.database.storageGb must be a number ≥ 0, got ${inv.database.storageGb}`);
  }
  if (inv.cache && !(Number.isInteger(inv.cache.nodes) && inv.cache.nodes >= 1)) {
    throw new Error(`capacity: inventory.cache.nodes must be a whole number ≥ 1, got ${inv.cache.nodes}`);
  }
}

/** Monthly USD of `quantity` units at `price` per unit, with the quantity in words. */
function usd(quantity: number, p: Price, unitLabel?: string): { usd: number; text: string } {
  return { usd: quantity * p.usd, text: `${formatNumber(quantity)} ${unitLabel ?? p.unit} × $${p.usd}` };
}

/** The Fargate prices of an architecture. */
function fargatePrices(prices: RegionPrices, architecture: FargateArchitecture) {
  return architecture === FargateArchitecture.X86_64 ? prices.fargateX8664 : prices.fargateArm64;
}

/** USD per hour of one task of `cpu` units and `memoryMiB`. */
export function taskHourUsd(region: string, architecture: FargateArchitecture, cpu: number, memoryMiB: number): number {
  const f = fargatePrices(pricesFor(region), architecture);
  return (cpu / 1024) * f.vcpuHour.usd + (memoryMiB / 1024) * f.gbHour.usd;
}

/**
 * The fixed lines of a stack's monthly bill (the same at idle and at peak): load balancers, NAT gateways, public
 * IPv4 addresses, the database and its storage, the cache, CloudWatch alarms, custom metrics and dashboards, KMS
 * keys, secrets and interface endpoints. Throws for a region without prices, or an instance class or node type the
 * table does not price. `costPlan` and the review report (cli/review) both price a stack with it.
 */
export function fixedCostLines(inv: StackInventory, region: string): CostLine[] {
  const prices = pricesFor(region);
  checkInventory(inv);
  const h = HOURS_PER_MONTH;
  const lines: CostLine[] = [];
  const add = (item: string, group: CostGroup, cost: { usd: number; text: string }): void => {
    lines.push({ item, group, idleQuantity: cost.text, peakQuantity: cost.text, idleUsd: cost.usd, peakUsd: cost.usd });
  };
  const hours = (n: number, p: Price, label: string) => usd(n * h, p, `${label}-hours`);
  add('Application Load Balancer', CostGroup.FIXED, hours(inv.loadBalancers, prices.albHour, 'ALB'));
  add('NAT gateways', CostGroup.FIXED, hours(inv.natGateways, prices.natHour, 'NAT'));
  add('Public IPv4 addresses', CostGroup.FIXED, hours(inv.publicIpv4Addresses, prices.publicIpv4Hour, 'address'));
  if (inv.database) {
    const db = inv.database;
    const p = prices.rdsPostgres[db.instanceClass];
    if (!p) {
      throw new Error(
        `capacity: no price for RDS instance class ${JSON.stringify(db.instanceClass)} in ${region}; priced: ${Object.keys(prices.rdsPostgres).join(', ')}`,
      );
    }
    const copies = db.multiAz ? RDS_MULTI_AZ_FACTOR : 1;
    add(
      `RDS PostgreSQL ${db.instanceClass}${db.multiAz ? ' Multi-AZ' : ''}`,
      CostGroup.FIXED,
      hours(copies, p, 'instance'),
    );
    add(
      `RDS gp3 storage ${db.storageGb} GB`,
      CostGroup.FIXED,
      usd(db.storageGb * copies, prices.rdsGp3GbMonth, 'GB-months'),
    );
  }
  if (inv.cache) {
    const p = prices.elastiCacheValkey[inv.cache.nodeType];
    if (!p) {
      throw new Error(
        `capacity: no price for ElastiCache node type ${JSON.stringify(inv.cache.nodeType)} in ${region}; priced: ${Object.keys(prices.elastiCacheValkey).join(', ')}`,
      );
    }
    add(`ElastiCache Valkey ${inv.cache.nodeType}`, CostGroup.FIXED, hours(inv.cache.nodes, p, 'node'));
  }
  const alarms =
    inv.standardAlarmMetrics * prices.alarmStandard.usd +
    inv.highResolutionAlarmMetrics * prices.alarmHighResolution.usd +
    inv.anomalyDetectionAlarms * prices.alarmAnomalyDetection.usd +
    inv.compositeAlarms * prices.alarmComposite.usd;
  add('CloudWatch alarms', CostGroup.FIXED, {
    usd: alarms,
    text: `${inv.standardAlarmMetrics} standard × $${prices.alarmStandard.usd}, ${inv.highResolutionAlarmMetrics} high-resolution × $${prices.alarmHighResolution.usd}, ${inv.anomalyDetectionAlarms} anomaly × $${prices.alarmAnomalyDetection.usd}, ${inv.compositeAlarms} composite × $${prices.alarmComposite.usd}`,
  });
  add('CloudWatch custom metrics', CostGroup.FIXED, usd(inv.customMetrics, prices.customMetric, 'metrics'));
  add('CloudWatch dashboards', CostGroup.FIXED, usd(inv.dashboards, prices.dashboard, 'dashboards'));
  add('KMS keys', CostGroup.FIXED, usd(inv.kmsKeys, prices.kmsKeyMonth, 'keys'));
  if (inv.secrets > 0) add('Secrets Manager secrets', CostGroup.FIXED, usd(inv.secrets, prices.secretMonth, 'secrets'));
  if (inv.interfaceEndpoints > 0) {
    add(
      'VPC interface endpoints',
      CostGroup.FIXED,
      hours(inv.interfaceEndpoints * inv.availabilityZones, prices.interfaceEndpointHour, 'endpoint AZ'),
    );
  }

  return lines;
}

/**
 * Prices a plan and the stack around it per month at idle and at peak (see the module comment), with
 * the VPC-endpoint option's break-even. Throws for a region without prices, an instance class or node
 * type the table does not price, or bad inventory/traffic figures.
 */
export function costPlan(plan: CapacityPlan, options: CostOptions): PlanCost {
  const prices = pricesFor(options.region);
  const architecture = options.architecture ?? FargateArchitecture.ARM64;
  if (!Object.values(FargateArchitecture).includes(architecture)) {
    throw new Error(`capacity: architecture must be ARM64 or X86_64, got ${JSON.stringify(architecture)}`);
  }
  const inv = options.inventory ?? defaultAppInventory({ availabilityZones: plan.input.availabilityZones });
  checkInventory(inv);
  const traffic = checkTraffic(options.traffic);
  const h = HOURS_PER_MONTH;
  const lines: CostLine[] = [];
  const add = (item: string, group: CostGroup, idle: { usd: number; text: string }, peak = idle): void => {
    lines.push({ item, group, idleQuantity: idle.text, peakQuantity: peak.text, idleUsd: idle.usd, peakUsd: peak.usd });
  };

  // Fleet.
  const f = fargatePrices(prices, architecture);
  const taskHour = taskHourUsd(options.region, architecture, plan.taskCpu, plan.taskMemoryMiB);
  const vcpu = plan.taskCpu / 1024;
  const gb = plan.taskMemoryMiB / 1024;
  const fleet = (tasks: number) => ({
    usd: tasks * taskHour * h,
    text: `${tasks} tasks × ${formatNumber(vcpu)} vCPU × $${f.vcpuHour.usd} + ${formatNumber(gb)} GB × $${f.gbHour.usd}, ${h} h`,
  });
  add(
    `Fargate tasks (${architecture}, ${formatNumber(vcpu)} vCPU / ${plan.taskMemoryMiB} MiB)`,
    CostGroup.FLEET,
    fleet(plan.minTasks),
    fleet(plan.maxTasks),
  );

  // Fixed.
  lines.push(...fixedCostLines(inv, options.region));

  // Traffic. An LCU is the largest of: 1 GB processed per hour, 25 new connections per second, 3000 active
  // connections, 1000 rule evaluations per second (the listener has only its default action, and the first
  // 10 rules are free, so no rule evaluations are billed).
  const peakRps = plan.input.peakRps;
  const lcuPerHourAtPeak = Math.max(
    (peakRps * traffic.bytesPerRequest * 3600) / GB,
    (peakRps * traffic.newConnectionsPerRequest) / 25,
    plan.derived.totalConcurrency / 3000,
  );
  const none = (unit: string) => ({ usd: 0, text: `0 ${unit}` });
  add('ALB capacity units', CostGroup.TRAFFIC, none('LCU'), usd(lcuPerHourAtPeak * h, prices.albLcuHour, 'LCU-hours'));
  const logGbAtPeak = (peakRps * traffic.logBytesPerRequest * SECONDS_PER_MONTH) / GB;
  add('CloudWatch Logs ingestion', CostGroup.TRAFFIC, none('GB'), usd(logGbAtPeak, prices.logsIngestGb, 'GB'));
  add(
    'Firehose ingestion',
    CostGroup.TRAFFIC,
    none('GB'),
    usd(inv.firehoseStreams > 0 ? logGbAtPeak : 0, prices.firehoseGb, 'GB'),
  );
  const apiGb = (logGb: number) => logGb + traffic.otherAwsApiGbPerMonth;
  const viaEndpoints = inv.interfaceEndpoints > 0;
  const apiPrice = viaEndpoints ? prices.interfaceEndpointGb : prices.natGb;
  const apiItem = viaEndpoints ? 'VPC endpoint data (AWS APIs)' : 'NAT data processed (AWS APIs)';
  add(apiItem, CostGroup.TRAFFIC, usd(apiGb(0), apiPrice, 'GB'), usd(apiGb(logGbAtPeak), apiPrice, 'GB'));
  if (traffic.kmsRequestsPerMonth > 0) {
    add(
      'KMS requests',
      CostGroup.TRAFFIC,
      usd(traffic.kmsRequestsPerMonth / 10000, prices.kmsRequests10k, '× 10,000 requests'),
    );
  }

  const sum = (pick: (l: CostLine) => number, group?: CostGroup) =>
    lines.filter((l) => group === undefined || l.group === group).reduce((a, l) => a + pick(l), 0);

  // VPC endpoints: what they would cost and save here.
  const endpointHoursUsd = VPC_ENDPOINT_SERVICES.length * inv.availabilityZones * prices.interfaceEndpointHour.usd * h;
  const perGbSaving = prices.natGb.usd - prices.interfaceEndpointGb.usd;
  const awsApiGbPerMonthAtPeak = apiGb(logGbAtPeak);
  const vpcEndpoints: VpcEndpointComparison = {
    interfaceEndpoints: [...VPC_ENDPOINT_SERVICES],
    endpointHoursUsd,
    natPerGbUsd: prices.natGb.usd,
    endpointPerGbUsd: prices.interfaceEndpointGb.usd,
    breakEvenGbPerMonth: perGbSaving > 0 ? endpointHoursUsd / perGbSaving : Infinity,
    awsApiGbPerMonthAtPeak,
    peakSavingUsd: awsApiGbPerMonthAtPeak * perGbSaving - endpointHoursUsd,
    idleSavingUsd: apiGb(0) * perGbSaving - endpointHoursUsd,
  };

  return {
    region: options.region,
    architecture,
    hoursPerMonth: h,
    taskHourUsd: taskHour,
    fleetAtMinimumUsd: fleet(plan.minTasks).usd,
    fleetAtMaximumUsd: fleet(plan.maxTasks).usd,
    lines,
    fixedUsd: sum((l) => l.idleUsd, CostGroup.FIXED),
    idleTotalUsd: sum((l) => l.idleUsd),
    peakTotalUsd: sum((l) => l.peakUsd),
    vpcEndpoints,
    traffic,
    excluded: [
      'data transfer out to the internet and between AZs',
      'CloudWatch Logs storage (archived, compressed, at the logsStoreGbMonth price) and vended VPC flow logs',
      'Container Insights (enhanced observability) observations',
      'S3 storage and requests of access logs, log archives and backups; RDS backup storage beyond the database size; ElastiCache backups',
      'Lambda, Step Functions, SNS, EventBridge and CloudTrail usage',
      'free tiers, Savings Plans and reserved instances',
    ],
  };
}
