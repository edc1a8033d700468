/**
 * The review report's cost model on hand-made capacity facts: what it prices with the price table, and what it
 * leaves out with a note (regions, launch types, engines and classes the table does not price).
 */
import { BillableCounts, CapacityFacts, DataCapacity, ServiceCapacity } from '../../cli/review/cost';
import { priceTemplateCapacity } from '../../cli/review/price';
import { FargateArchitecture, HOURS_PER_MONTH, taskHourUsd } from '../../lib/capacity/cost';
import { pricesFor } from '../../lib/capacity/prices';

const NONE: BillableCounts = {
  availabilityZones: 2,
  publicIpv4Addresses: 0,
  standardAlarmMetrics: 0,
  highResolutionAlarmMetrics: 0,
  anomalyDetectionAlarms: 0,
  compositeAlarms: 0,
  dashboards: 0,
  kmsKeys: 0,
  secrets: 0,
  firehoseStreams: 0,
  interfaceEndpoints: 0,
  gatewayEndpoints: 0,
};

const SERVICE: ServiceCapacity = {
  id: 'Svc',
  name: 'Mcp/Service',
  launchType: 'FARGATE',
  taskCpu: 1024,
  taskMemoryMiB: 2048,
  architecture: 'ARM64',
  desiredCount: 2,
  minTasks: 2,
  maxTasks: 6,
  scaling: [],
};

function facts(overrides: Partial<CapacityFacts> = {}): CapacityFacts {
  return {
    region: 'eu-west-1',
    services: [SERVICE],
    data: [],
    natGateways: 0,
    loadBalancers: 0,
    lambdaFunctions: 0,
    billable: NONE,
    ...overrides,
  };
}

const month = (arch: FargateArchitecture, cpu: number, mib: number) =>
  taskHourUsd('eu-west-1', arch, cpu, mib) * HOURS_PER_MONTH;

describe('the review’s cost model (price table)', () => {
  test('Fargate at the autoscaling minimum and maximum, by architecture', () => {
    const c = priceTemplateCapacity(facts())!;
    expect(c.totalUsd).toBeCloseTo(2 * month(FargateArchitecture.ARM64, 1024, 2048), 6);
    expect(c.atMaximumUsd).toBeCloseTo(6 * month(FargateArchitecture.ARM64, 1024, 2048), 6);
    expect(c.lines).toEqual([
      { item: 'Fargate `Mcp/Service` (1 vCPU / 2048 MiB, ARM64), 2–6 tasks', monthlyUsd: c.totalUsd },
    ]);
    const x86 = priceTemplateCapacity(facts({ services: [{ ...SERVICE, architecture: 'X86_64' }] }))!;
    expect(x86.totalUsd).toBeGreaterThan(c.totalUsd);
    // Without autoscaling: the desired count, and no separate maximum.
    const fixed = priceTemplateCapacity(
      facts({ services: [{ ...SERVICE, minTasks: undefined, maxTasks: undefined, desiredCount: 3 }] }),
    )!;
    expect(fixed.totalUsd).toBeCloseTo(3 * month(FargateArchitecture.ARM64, 1024, 2048), 6);
    expect(fixed.atMaximumUsd).toBeUndefined();
  });

  test('fixed lines: NAT, load balancer, Multi-AZ database and storage, cache nodes, alarms, keys', () => {
    const p = pricesFor('eu-west-1');
    const data: DataCapacity[] = [
      {
        id: 'Db',
        name: 'Data/Database',
        kind: 'database',
        engine: 'postgres',
        instanceClass: 'db.m7g.large',
        nodes: 1,
        multiAz: true,
        storageGiB: 50,
      },
      {
        id: 'Cache',
        name: 'Data/Cache',
        kind: 'cache',
        engine: 'valkey',
        instanceClass: 'cache.m7g.large',
        nodes: 2,
        multiAz: true,
      },
    ];
    const c = priceTemplateCapacity(
      facts({ data, natGateways: 2, loadBalancers: 1, billable: { ...NONE, standardAlarmMetrics: 10, kmsKeys: 1 } }),
    )!;
    const line = (prefix: string) => c.lines.find((l) => l.item.startsWith(prefix))?.monthlyUsd;
    expect(line('NAT gateways')).toBeCloseTo(2 * HOURS_PER_MONTH * p.natHour.usd, 6);
    expect(line('Application Load Balancer')).toBeCloseTo(HOURS_PER_MONTH * p.albHour.usd, 6);
    expect(line('RDS PostgreSQL db.m7g.large Multi-AZ')).toBeCloseTo(
      2 * HOURS_PER_MONTH * p.rdsPostgres['db.m7g.large'].usd,
      6,
    );
    expect(line('RDS gp3 storage 50 GB')).toBeCloseTo(2 * 50 * p.rdsGp3GbMonth.usd, 6);
    expect(line('ElastiCache Valkey cache.m7g.large')).toBeCloseTo(
      2 * HOURS_PER_MONTH * p.elastiCacheValkey['cache.m7g.large'].usd,
      6,
    );
    expect(line('CloudWatch alarms')).toBeCloseTo(10 * p.alarmStandard.usd, 6);
    expect(line('KMS keys')).toBeCloseTo(p.kmsKeyMonth.usd, 6);
    // Nothing billed at $0 is listed.
    expect(c.lines.some((l) => l.monthlyUsd === 0)).toBe(false);
    expect(c.totalUsd).toBeCloseTo(
      c.lines.reduce((n, l) => n + l.monthlyUsd, 0),
      6,
    );
  });

  test('no region, or one the table does not price: undefined (the report says it cannot price it)', () => {
    expect(priceTemplateCapacity(facts({ region: undefined }))).toBeUndefined();
    expect(priceTemplateCapacity(facts({ region: 'ap-south-2' }))).toBeUndefined();
  });

  test('what the table does not price is left out with a note, and the rest is still priced', () => {
    const c = priceTemplateCapacity(
      facts({
        services: [SERVICE, { ...SERVICE, id: 'Ec2', name: 'Legacy', launchType: 'EC2', taskCpu: undefined }],
        data: [
          {
            id: 'My',
            name: 'Mysql',
            kind: 'database',
            engine: 'mysql',
            instanceClass: 'db.m7g.large',
            nodes: 1,
            multiAz: false,
          },
          {
            id: 'Big',
            name: 'Big',
            kind: 'database',
            engine: 'postgres',
            instanceClass: 'db.x9.huge',
            nodes: 1,
            multiAz: false,
          },
          {
            id: 'Redis',
            name: 'Redis',
            kind: 'cache',
            engine: 'redis',
            instanceClass: 'cache.m7g.large',
            nodes: 1,
            multiAz: false,
          },
        ],
      }),
    )!;
    expect(c.notes).toEqual(
      expect.arrayContaining([
        'Legacy: EC2 tasks are not priced (Fargate only)',
        'Mysql: engine mysql is not priced',
        'Big: RDS class db.x9.huge is not in the price table',
        'Redis: ElastiCache redis is not priced (the table holds Valkey prices)',
      ]),
    );
    expect(c.totalUsd).toBeCloseTo(2 * month(FargateArchitecture.ARM64, 1024, 2048), 6);
    expect(c.notes[c.notes.length - 1]).toMatch(/^On-demand prices of eu-west-1 .*Not included: traffic/);
  });
});
