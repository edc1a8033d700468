/**
 * The price table of the cost model: on-demand list prices in USD for the regions the default app
 * documents (eu-west-1) plus us-east-1 and eu-central-1. Pure data: no CDK imports.
 *
 * Every price names the AWS pricing page that publishes it (`page`), where the figure itself was read
 * (`source`) and when (`read`). AWS renders most regional figures of its pricing pages in the browser,
 * so the stored copies of those pages this project can search hold the billing rules but not the
 * numbers; where that is so, `source` says it and names the page the figure came from instead. Figures
 * that no stored page confirmed say so too: treat them as approximate and check them on the AWS page
 * (or the AWS Pricing Calculator) before relying on them. Free tiers are ignored throughout.
 */

/** One price. */
export interface Price {
  /** US dollars per `unit`. */
  readonly usd: number;
  /** What one unit is, e.g. `vCPU-hour`. */
  readonly unit: string;
  /** The AWS pricing page that publishes the price. */
  readonly page: string;
  /** Where the figure was read: the stored AWS page, or why not and where instead. */
  readonly source: string;
  /** The date it was read (YYYY-MM-DD). */
  readonly read: string;
}

/** Fargate prices of one architecture. */
export interface FargatePrices {
  /** Per vCPU-hour. */
  readonly vcpuHour: Price;
  /** Per GB-hour of memory. */
  readonly gbHour: Price;
}

/** Every price of one region. */
export interface RegionPrices {
  /** Region code, e.g. `eu-west-1`. */
  readonly region: string;
  /** Fargate Linux on Graviton (ARM64). */
  readonly fargateArm64: FargatePrices;
  /** Fargate Linux on x86-64. */
  readonly fargateX8664: FargatePrices;
  /** Application Load Balancer, per hour. */
  readonly albHour: Price;
  /** Application Load Balancer, per LCU-hour. */
  readonly albLcuHour: Price;
  /** NAT gateway, per hour. */
  readonly natHour: Price;
  /** NAT gateway, per GB processed. */
  readonly natGb: Price;
  /** Public IPv4 address (in use or idle), per hour. */
  readonly publicIpv4Hour: Price;
  /** RDS for PostgreSQL Single-AZ instance-hour by class (Multi-AZ bills the standby too: × rdsMultiAzFactor). */
  readonly rdsPostgres: { readonly [instanceClass: string]: Price };
  /** RDS gp3 storage, Single-AZ, per GB-month (Multi-AZ: × rdsMultiAzFactor). */
  readonly rdsGp3GbMonth: Price;
  /** ElastiCache for Valkey node-hour by node type. */
  readonly elastiCacheValkey: { readonly [nodeType: string]: Price };
  /** CloudWatch standard-resolution alarm, per alarm metric per month. */
  readonly alarmStandard: Price;
  /** CloudWatch high-resolution alarm, per alarm metric per month. */
  readonly alarmHighResolution: Price;
  /** CloudWatch composite alarm, per alarm per month. */
  readonly alarmComposite: Price;
  /** CloudWatch anomaly-detection alarm (three standard alarm metrics), per alarm per month. */
  readonly alarmAnomalyDetection: Price;
  /** CloudWatch custom metric, per metric-month (first 10,000 metrics). */
  readonly customMetric: Price;
  /** CloudWatch dashboard, per dashboard-month. */
  readonly dashboard: Price;
  /** CloudWatch Logs ingestion (standard class), per GB. */
  readonly logsIngestGb: Price;
  /** CloudWatch Logs storage (archive), per GB-month, compressed. */
  readonly logsStoreGbMonth: Price;
  /** KMS customer-managed key, per key-month. */
  readonly kmsKeyMonth: Price;
  /** KMS requests, per 10,000. */
  readonly kmsRequests10k: Price;
  /** Data Firehose ingestion (first 500 TB/month), per GB. */
  readonly firehoseGb: Price;
  /** Interface VPC endpoint, per endpoint per AZ per hour. */
  readonly interfaceEndpointHour: Price;
  /** Interface VPC endpoint data processed (first PB/month), per GB. */
  readonly interfaceEndpointGb: Price;
  /** S3 gateway VPC endpoint, per hour (free). */
  readonly gatewayEndpointHour: Price;
  /** Secrets Manager secret, per secret-month. */
  readonly secretMonth: Price;
  /** Secrets Manager API calls, per 10,000. */
  readonly secretsApi10k: Price;
}

const READ = '2026-12-01';

const PAGES = {
  fargate: 'https://aws.amazon.com/fargate/pricing/',
  elb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  rds: 'https://aws.amazon.com/rds/postgresql/pricing/',
  elastiCache: 'https://aws.amazon.com/elasticache/pricing/',
  cloudWatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  firehose: 'https://aws.amazon.com/firehose/pricing/',
  privateLink: 'https://aws.amazon.com/privatelink/pricing/',
  secrets: 'https://aws.amazon.com/secrets-manager/pricing/',
} as const;

/** The stored copies of the AWS pages do not carry the regional figure; it came from `where`. */
const from = (where: string): string => `not in the stored AWS pages; value from ${where}`;
/** No stored page (AWS or other) carried the figure. */
const UNVERIFIED =
  'not in the stored AWS pages nor in the other stored pages searched; value from the AWS page as read by the author before, unverified here: check it before relying on it';

const FGCALC = from(
  'https://github.com/theuves/fgcalc/blob/master/src/utils/data.js (regional Fargate Linux/x86 rates transcribed from the AWS page)',
);
const VANTAGE = from('https://www.vantage.sh/blog/fargate-pricing (us-east-1 Linux/x86 and Linux/ARM table)');
const CAL53 = from('https://cal53.calculator.city/?p=125685 (ALB hourly rate by region)');
const NAT_US = from(
  'https://cloudsoft.io/blog/spotlight-aws-nat-gateway and https://basavytix.com/blog/aws-nat-gateway-pricing (us-east-1: $0.045/hour, $0.045/GB)',
);
const NAT_EU = from(
  'https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026/ (Europe: $0.048–$0.052 per hour and per GB; the exact figure for this region is the author’s earlier reading of the AWS page, unverified)',
);
const IPV4 = from(
  'https://cloudburn.io/blog/aws-nat-gateway-pricing ("Public IPv4 address costs ($0.005/hour per IP)")',
);
const GP3_US = from(
  'https://www.usage.ai/blogs/aws/reserved-instances/rds/pricing-calculator/ (gp3 $0.115/GB-month, us-east-1)',
);
const T4G_US = from(
  'https://infratally.com/articles/aws-rds-pricing-explained-2026.html (db.t4g.medium $0.065/hour, us-east-1)',
);
const CW_JP = from(
  'https://github.com/nishinoshake/aws-rough/issues/37 (a transcription of the AWS CloudWatch pricing page: custom metrics $0.30 for the first 10,000, dashboards $3)',
);
const ENDPOINT_US = from(
  'https://oneuptime.com/blog/post/2026-02-12-optimize-data-transfer-costs-with-vpc-endpoints/view ($0.01 per AZ-hour, $0.01/GB)',
);
const ENDPOINT_GB = from(
  'https://968880.n0h2l.group/privatelink/pricing (a copy of the AWS PrivateLink page with its figures: first 1 PB $0.01/GB); the stored aws.amazon.com copy has the billing rules (per endpoint per AZ-hour, per GB processed) without the figures',
);
const GATEWAY_FREE = from(
  'https://awsready.net/learn/vpc-endpoints-gateway-interface and https://oneuptime.com/blog/post/2026-02-12-optimize-data-transfer-costs-with-vpc-endpoints/view (S3 and DynamoDB gateway endpoints: no hourly or data-processing charge)',
);

const price = (usd: number, unit: string, page: string, source: string): Price => ({
  usd,
  unit,
  page,
  source,
  read: READ,
});

/** Prices that are the same in the three regions. */
function common(region: string) {
  const alarm = (usd: number, unit: string) => price(usd, unit, PAGES.cloudWatch, UNVERIFIED);
  return {
    region,
    publicIpv4Hour: price(0.005, 'address-hour', PAGES.vpc, IPV4),
    albLcuHour: price(0.008, 'LCU-hour', PAGES.elb, UNVERIFIED),
    alarmStandard: alarm(0.1, 'alarm metric-month'),
    alarmHighResolution: alarm(0.3, 'alarm metric-month'),
    alarmComposite: alarm(0.5, 'alarm-month'),
    alarmAnomalyDetection: alarm(0.3, 'alarm-month'),
    customMetric: price(0.3, 'metric-month', PAGES.cloudWatch, CW_JP),
    dashboard: price(3, 'dashboard-month', PAGES.cloudWatch, CW_JP),
    kmsKeyMonth: price(1, 'key-month', PAGES.kms, UNVERIFIED),
    kmsRequests10k: price(0.03, '10,000 requests', PAGES.kms, UNVERIFIED),
    interfaceEndpointGb: price(0.01, 'GB', PAGES.privateLink, ENDPOINT_GB),
    gatewayEndpointHour: price(0, 'hour', PAGES.vpc, GATEWAY_FREE),
    secretMonth: price(0.4, 'secret-month', PAGES.secrets, UNVERIFIED),
    secretsApi10k: price(0.05, '10,000 API calls', PAGES.secrets, UNVERIFIED),
  };
}

const fargate = (vcpu: number, gb: number, source: string): FargatePrices => ({
  vcpuHour: price(vcpu, 'vCPU-hour', PAGES.fargate, source),
  gbHour: price(gb, 'GB-hour', PAGES.fargate, source),
});

const rds = (classes: Record<string, number>, source: (cls: string) => string): { [cls: string]: Price } =>
  Object.fromEntries(
    Object.entries(classes).map(([cls, usd]) => [cls, price(usd, 'instance-hour (Single-AZ)', PAGES.rds, source(cls))]),
  );

const valkey = (nodes: Record<string, number>): { [node: string]: Price } =>
  Object.fromEntries(
    Object.entries(nodes).map(([node, usd]) => [node, price(usd, 'node-hour', PAGES.elastiCache, UNVERIFIED)]),
  );

/**
 * RDS bills a Multi-AZ (one standby) instance's compute and storage for both the primary and the standby:
 * "Compute costs: Billed per DB instance-hour for both the primary and standby instances. Storage costs:
 * Charged per GB-month for the storage provisioned for both" (stored AWS page,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html, read 2026-12-01).
 */
export const RDS_MULTI_AZ_FACTOR = 2;

/** The price table, by region code. */
export const PRICES: { readonly [region: string]: RegionPrices } = {
  'us-east-1': {
    ...common('us-east-1'),
    fargateArm64: fargate(0.03238, 0.00356, VANTAGE),
    fargateX8664: fargate(0.04048, 0.004445, FGCALC),
    albHour: price(0.0225, 'hour', PAGES.elb, CAL53),
    natHour: price(0.045, 'hour', PAGES.vpc, NAT_US),
    natGb: price(0.045, 'GB', PAGES.vpc, NAT_US),
    rdsPostgres: rds(
      {
        'db.t4g.medium': 0.065,
        'db.m7g.large': 0.168,
        'db.m7g.xlarge': 0.336,
        'db.m7g.2xlarge': 0.672,
        'db.r7g.large': 0.239,
      },
      (cls) => (cls === 'db.t4g.medium' ? T4G_US : UNVERIFIED),
    ),
    rdsGp3GbMonth: price(0.115, 'GB-month (Single-AZ)', PAGES.rds, GP3_US),
    elastiCacheValkey: valkey({ 'cache.t4g.medium': 0.052, 'cache.m7g.large': 0.1264, 'cache.r7g.large': 0.1752 }),
    logsIngestGb: price(0.5, 'GB', PAGES.cloudWatch, UNVERIFIED),
    logsStoreGbMonth: price(0.03, 'GB-month', PAGES.cloudWatch, UNVERIFIED),
    firehoseGb: price(0.029, 'GB', PAGES.firehose, UNVERIFIED),
    interfaceEndpointHour: price(0.01, 'endpoint AZ-hour', PAGES.privateLink, ENDPOINT_US),
  },
  'eu-west-1': {
    ...common('eu-west-1'),
    fargateArm64: fargate(0.03238, 0.00356, UNVERIFIED + ' (the same as us-east-1, as the x86 rates are)'),
    fargateX8664: fargate(0.04048, 0.004445, FGCALC),
    albHour: price(0.0252, 'hour', PAGES.elb, CAL53),
    natHour: price(0.048, 'hour', PAGES.vpc, NAT_EU),
    natGb: price(0.048, 'GB', PAGES.vpc, NAT_EU),
    rdsPostgres: rds(
      {
        'db.t4g.medium': 0.072,
        'db.m7g.large': 0.187,
        'db.m7g.xlarge': 0.374,
        'db.m7g.2xlarge': 0.748,
        'db.r7g.large': 0.265,
      },
      () => UNVERIFIED,
    ),
    rdsGp3GbMonth: price(0.127, 'GB-month (Single-AZ)', PAGES.rds, UNVERIFIED),
    elastiCacheValkey: valkey({ 'cache.t4g.medium': 0.0576, 'cache.m7g.large': 0.1408, 'cache.r7g.large': 0.1944 }),
    logsIngestGb: price(0.57, 'GB', PAGES.cloudWatch, UNVERIFIED),
    logsStoreGbMonth: price(0.03, 'GB-month', PAGES.cloudWatch, UNVERIFIED),
    firehoseGb: price(0.031, 'GB', PAGES.firehose, UNVERIFIED),
    interfaceEndpointHour: price(0.011, 'endpoint AZ-hour', PAGES.privateLink, UNVERIFIED),
  },
  'eu-central-1': {
    ...common('eu-central-1'),
    fargateArm64: fargate(0.03725, 0.00409, UNVERIFIED),
    fargateX8664: fargate(0.04656, 0.00511, FGCALC),
    albHour: price(0.027, 'hour', PAGES.elb, UNVERIFIED),
    natHour: price(0.052, 'hour', PAGES.vpc, NAT_EU),
    natGb: price(0.052, 'GB', PAGES.vpc, NAT_EU),
    rdsPostgres: rds(
      {
        'db.t4g.medium': 0.076,
        'db.m7g.large': 0.198,
        'db.m7g.xlarge': 0.396,
        'db.m7g.2xlarge': 0.792,
        'db.r7g.large': 0.282,
      },
      () => UNVERIFIED,
    ),
    rdsGp3GbMonth: price(0.137, 'GB-month (Single-AZ)', PAGES.rds, UNVERIFIED),
    elastiCacheValkey: valkey({ 'cache.t4g.medium': 0.0608, 'cache.m7g.large': 0.1448, 'cache.r7g.large': 0.2 }),
    logsIngestGb: price(0.63, 'GB', PAGES.cloudWatch, UNVERIFIED),
    logsStoreGbMonth: price(0.0324, 'GB-month', PAGES.cloudWatch, UNVERIFIED),
    firehoseGb: price(0.035, 'GB', PAGES.firehose, UNVERIFIED),
    interfaceEndpointHour: price(0.012, 'endpoint AZ-hour', PAGES.privateLink, UNVERIFIED),
  },
};

/** The regions the table prices, sorted. */
export const PRICED_REGIONS: readonly string[] = Object.keys(PRICES).sort();

/** The prices of `region`; throws naming the priced regions for any other. */
export function pricesFor(region: string): RegionPrices {
  const prices = PRICES[region];
  if (!prices) {
    throw new Error(
      `capacity: no prices for region ${JSON.stringify(region)}; priced regions: ${PRICED_REGIONS.join(', ')} (add the region to lib/capacity/prices.ts with sources)`,
    );
  }
  return prices;
}

/** Every price of a region as [name, price] rows, in a stable order (for the CLI's `--prices` and the docs). */
export function priceRows(prices: RegionPrices): Array<[string, Price]> {
  const rows: Array<[string, Price]> = [];
  for (const [key, value] of Object.entries(prices)) {
    if (key === 'region') continue;
    if ('usd' in (value as Price)) rows.push([key, value as Price]);
    else for (const [sub, p] of Object.entries(value as Record<string, Price>)) rows.push([`${key}.${sub}`, p]);
  }
  return rows;
}
