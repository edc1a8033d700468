import { CostGroup, FargateArchitecture, costPlan, defaultAppInventory, taskHourUsd } from '../../lib/capacity/cost';
import { planCapacity } from '../../lib/capacity/model';
import { PRICED_REGIONS, PRICES, RDS_MULTI_AZ_FACTOR, priceRows, pricesFor } from '../../lib/capacity/prices';
import { capacityReport } from '../../lib/capacity/report';
import { CapacityInput } from '../../lib/capacity/types';

const LOAD: CapacityInput = {
  peakRps: 1000,
  meanLatencyMs: 100,
  p99LatencyMs: 1000,
  cpuSecondsPerRequest: 0.01,
  memoryPerConnectionMiB: 10,
};
const plan = planCapacity(LOAD);
const line = (cost: ReturnType<typeof costPlan>, prefix: string) => {
  const l = cost.lines.find((x) => x.item.startsWith(prefix));
  if (!l) throw new Error(`no line ${prefix}`);
  return l;
};

describe('price table', () => {
  test('the documented regions, each with every price, each price with a page, a source and a date', () => {
    expect(PRICED_REGIONS).toEqual(['eu-central-1', 'eu-west-1', 'us-east-1']);
    const names = priceRows(PRICES['eu-west-1']).map(([n]) => n);
    for (const region of PRICED_REGIONS) {
      const rows = priceRows(pricesFor(region));
      expect(rows.map(([n]) => n)).toEqual(names);
      expect(pricesFor(region).region).toBe(region);
      for (const [name, p] of rows) {
        expect([name, p.usd >= 0 && Number.isFinite(p.usd)]).toEqual([name, true]);
        expect(p.page).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z-]+\/(?:[a-z-]+\/)?pricing\/$/);
        expect(p.source).toMatch(/^not in the stored AWS pages/);
        expect(p.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(p.unit.length).toBeGreaterThan(0);
      }
    }
  });

  test('the classes McpDataTier defaults to are priced; ARM is cheaper than x86; S3 gateway endpoints are free', () => {
    for (const region of PRICED_REGIONS) {
      const p = pricesFor(region);
      expect(p.rdsPostgres['db.m7g.large']).toBeDefined();
      expect(p.elastiCacheValkey['cache.m7g.large']).toBeDefined();
      expect(p.fargateArm64.vcpuHour.usd).toBeLessThan(p.fargateX8664.vcpuHour.usd);
      expect(p.fargateArm64.gbHour.usd).toBeLessThan(p.fargateX8664.gbHour.usd);
      expect(p.gatewayEndpointHour.usd).toBe(0);
      expect(p.interfaceEndpointGb.usd).toBeLessThan(p.natGb.usd);
    }
    expect(RDS_MULTI_AZ_FACTOR).toBe(2);
  });

  test('an unpriced region is an error naming the priced ones', () => {
    expect(() => pricesFor('ap-south-2')).toThrow(
      'capacity: no prices for region "ap-south-2"; priced regions: eu-central-1, eu-west-1, us-east-1',
    );
  });
});

describe('costPlan', () => {
  const cost = costPlan(plan, { region: 'eu-west-1' });

  test('Fargate: tasks × (vCPU × vCPU-hour + GB × GB-hour) × 730 h, at minimum and at maximum', () => {
    const p = pricesFor('eu-west-1').fargateArm64;
    const hour = 2 * p.vcpuHour.usd + 4 * p.gbHour.usd;
    expect(cost.taskHourUsd).toBeCloseTo(hour, 12);
    expect(taskHourUsd('eu-west-1', FargateArchitecture.ARM64, 2048, 4096)).toBeCloseTo(hour, 12);
    expect(cost.fleetAtMinimumUsd).toBeCloseTo(2 * hour * 730, 9);
    expect(cost.fleetAtMaximumUsd).toBeCloseTo(13 * hour * 730, 9);
    expect(line(cost, 'Fargate').idleUsd).toBe(cost.fleetAtMinimumUsd);
    expect(line(cost, 'Fargate').peakUsd).toBe(cost.fleetAtMaximumUsd);
    const x86 = costPlan(plan, { region: 'eu-west-1', architecture: FargateArchitecture.X86_64 });
    expect(x86.fleetAtMaximumUsd).toBeGreaterThan(cost.fleetAtMaximumUsd);
  });

  test('fixed costs: ALB, NAT and IPv4 per zone, RDS Multi-AZ twice, cache nodes, alarms, metrics, keys, secrets', () => {
    const p = pricesFor('eu-west-1');
    expect(line(cost, 'Application Load Balancer').idleUsd).toBeCloseTo(730 * p.albHour.usd, 9);
    expect(line(cost, 'NAT gateways').idleUsd).toBeCloseTo(2 * 730 * p.natHour.usd, 9);
    // The NAT gateways' two addresses: the default app's load balancer is internal without a certificate.
    expect(line(cost, 'Public IPv4').idleUsd).toBeCloseTo(2 * 730 * p.publicIpv4Hour.usd, 9);
    expect(line(cost, 'RDS PostgreSQL db.m7g.large Multi-AZ').idleUsd).toBeCloseTo(
      2 * 730 * p.rdsPostgres['db.m7g.large'].usd,
      9,
    );
    expect(line(cost, 'RDS gp3 storage 50 GB').idleUsd).toBeCloseTo(100 * p.rdsGp3GbMonth.usd, 9);
    expect(line(cost, 'ElastiCache').idleUsd).toBeCloseTo(2 * 730 * p.elastiCacheValkey['cache.m7g.large'].usd, 9);
    // 33 alarm metrics of the service, 6 of the edge (web ACL and auth failures), 17 of the data tier (7 database,
    // 5 cache alarms × 2 members); anomaly; composite.
    expect(line(cost, 'CloudWatch alarms').idleUsd).toBeCloseTo(56 * 0.1 + 0.3 + 0.5, 9);
    expect(line(cost, 'KMS keys').idleUsd).toBe(6);
    for (const l of cost.lines.filter((x) => x.group === CostGroup.FIXED)) expect(l.peakUsd).toBe(l.idleUsd);
    expect(cost.fixedUsd).toBeCloseTo(
      cost.lines.filter((l) => l.group === CostGroup.FIXED).reduce((a, l) => a + l.idleUsd, 0),
      9,
    );
  });

  test('traffic at peak: LCUs from bytes, logs and Firehose from log bytes, NAT from AWS API traffic; none at idle', () => {
    const p = pricesFor('eu-west-1');
    const logGb = (1000 * 512 * 730 * 3600) / 1e9;
    expect(line(cost, 'CloudWatch Logs ingestion').peakUsd).toBeCloseTo(logGb * p.logsIngestGb.usd, 9);
    expect(line(cost, 'Firehose ingestion').peakUsd).toBeCloseTo(logGb * p.firehoseGb.usd, 9);
    expect(line(cost, 'NAT data processed').peakUsd).toBeCloseTo((logGb + 20) * p.natGb.usd, 9);
    expect(line(cost, 'NAT data processed').idleUsd).toBeCloseTo(20 * p.natGb.usd, 9);
    // 1000 req/s × 8192 bytes = 29.5 GB per hour: 29.5 LCUs.
    expect(line(cost, 'ALB capacity units').peakUsd).toBeCloseTo(
      ((1000 * 8192 * 3600) / 1e9) * 730 * p.albLcuHour.usd,
      9,
    );
    for (const item of ['ALB capacity units', 'CloudWatch Logs ingestion', 'Firehose ingestion'])
      expect(line(cost, item).idleUsd).toBe(0);
    expect(cost.idleTotalUsd).toBeCloseTo(
      cost.lines.reduce((a, l) => a + l.idleUsd, 0),
      9,
    );
    expect(cost.peakTotalUsd).toBeCloseTo(
      cost.lines.reduce((a, l) => a + l.peakUsd, 0),
      9,
    );
  });

  test('the baseline minimum halves the idle bill against a minimum sized for peak (the issue’s estimate)', () => {
    const flat = costPlan(planCapacity({ ...LOAD, baselineRps: 1000 }), {
      region: 'eu-west-1',
      architecture: FargateArchitecture.X86_64,
    });
    const now = costPlan(plan, { region: 'eu-west-1', architecture: FargateArchitecture.X86_64 });
    expect(flat.fleetAtMinimumUsd / now.fleetAtMinimumUsd).toBe(4); // 8 tasks → 2
    expect(now.idleTotalUsd).toBeLessThan(flat.idleTotalUsd - 3 * now.fleetAtMinimumUsd + 1e-9);
  });

  test('VPC endpoints: five interface endpoints per AZ against NAT per GB, with the break-even', () => {
    const p = pricesFor('eu-west-1');
    const e = cost.vpcEndpoints;
    expect(e.interfaceEndpoints).toEqual(['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm']);
    expect(e.endpointHoursUsd).toBeCloseTo(5 * 2 * 730 * p.interfaceEndpointHour.usd, 9);
    expect(e.breakEvenGbPerMonth).toBeCloseTo(e.endpointHoursUsd / (p.natGb.usd - p.interfaceEndpointGb.usd), 9);
    expect(e.peakSavingUsd).toBeCloseTo(
      e.awsApiGbPerMonthAtPeak * (p.natGb.usd - p.interfaceEndpointGb.usd) - e.endpointHoursUsd,
      9,
    );
    // With the endpoints in the inventory, the AWS API traffic is priced at the endpoint rate.
    const withEndpoints = costPlan(plan, {
      region: 'eu-west-1',
      inventory: defaultAppInventory({ vpcEndpoints: true }),
    });
    expect(line(withEndpoints, 'VPC interface endpoints').idleUsd).toBeCloseTo(e.endpointHoursUsd, 9);
    expect(line(withEndpoints, 'VPC endpoint data').peakUsd).toBeCloseTo(
      e.awsApiGbPerMonthAtPeak * p.interfaceEndpointGb.usd,
      9,
    );
    expect(withEndpoints.peakTotalUsd - cost.peakTotalUsd).toBeCloseTo(-e.peakSavingUsd, 6);
  });

  test('without the data tier there is no database, cache or their key and secrets', () => {
    const bare = costPlan(plan, { region: 'us-east-1', inventory: defaultAppInventory({ dataTier: false }) });
    expect(bare.lines.some((l) => /RDS|ElastiCache/.test(l.item))).toBe(false);
    // What stays: the probe client's secret and its key.
    expect(line(bare, 'Secrets Manager').idleUsd).toBeCloseTo(0.4, 9);
    expect(line(bare, 'KMS keys').idleUsd).toBe(5);
  });

  test.each([
    [{ region: 'mars-1' }, /no prices for region "mars-1"/],
    [
      { region: 'eu-west-1', architecture: 'RISCV' as FargateArchitecture },
      /architecture must be ARM64 or X86_64, got "RISCV"/,
    ],
    [
      { region: 'eu-west-1', traffic: { bytesPerRequest: -1 } },
      /traffic\.bytesPerRequest must be a finite number ≥ 0, got -1/,
    ],
    [
      { region: 'eu-west-1', inventory: { ...defaultAppInventory(), natGateways: 1.5 } },
      /inventory\.natGateways must be a whole number ≥ 0, got 1\.5/,
    ],
    [
      {
        region: 'eu-west-1',
        inventory: {
          ...defaultAppInventory(),
          database: { instanceClass: 'db.x9.mega', multiAz: false, storageGb: 20 },
        },
      },
      /no price for RDS instance class "db\.x9\.mega" in eu-west-1; priced: db\.t4g\.medium, db\.m7g\.large/,
    ],
    [
      { region: 'eu-west-1', inventory: { ...defaultAppInventory(), cache: { nodeType: 'cache.x9.mega', nodes: 1 } } },
      /no price for ElastiCache node type "cache\.x9\.mega"/,
    ],
  ])('bad options %# are rejected with the field and the value', (options, message) => {
    expect(() => costPlan(plan, options)).toThrow(message);
  });
});

describe('capacityReport', () => {
  test('prices task sizes side by side; the plan’s size is marked and equals the plan', () => {
    const r = capacityReport({ input: LOAD, region: 'eu-west-1' });
    const planned = r.alternatives.filter((a) => a.planned);
    expect(planned).toHaveLength(1);
    expect(planned[0]).toMatchObject({ taskCpu: 2048, taskMemoryMiB: 4096, minTasks: 2, maxTasks: 13 });
    expect(planned[0].arm64AtMaximumUsd).toBeCloseTo(r.cost.fleetAtMaximumUsd, 9);
    expect(planned[0].x8664AtMaximumUsd).toBeCloseTo(r.otherArchitecture.fleetAtMaximumUsd, 9);
    expect(r.alternatives.map((a) => a.taskCpu)).toEqual([512, 1024, 2048, 4096, 8192]);
    expect(r.connectionBudget?.fits).toBe(true);
  });
});
