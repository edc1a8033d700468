/**
 * The data tier as a saturation signal: every alarm property by property, its timing under CloudWatch's M-of-N
 * rule on values either side of the synthesized threshold, its routing through the service's page composite,
 * its dashboard rows, and the variants (no replicas, a given max_connections, a class of unknown memory, Database
 * Insights modes).
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Stack } from 'aws-cdk-lib';
import { McpDataTier, McpDataTierProps } from '../../lib/data/data-tier';
import { McpAlarm } from '../../lib/monitoring/alarms';
import { McpMonitoring } from '../../lib/monitoring/monitoring';
import { evaluationAndRouting, periodsUntilAlarm } from '../support/alarm-timing';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';
import { buildFixture } from '../monitoring/fixture';

type Json = Record<string, any>;
const PREFIX = 'TestStack-orders-mcp';
const RUNBOOKS = 'https://runbooks.example.com/mcp';

function dataVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'DataVpc', {
    maxAzs: 2,
    natGateways: 0,
    flowLogs: { all: {} },
    subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

/** A data tier added to a service's monitoring, as the default app does. */
function build(props: Partial<McpDataTierProps> = {}, withMonitoring = true) {
  const app = testApp();
  const stack = testStack(app);
  const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
  const data = new McpDataTier(stack, 'Data', {
    vpc: dataVpc(stack),
    serviceName: 'orders-mcp',
    alarmTopic: topic,
    runbookBaseUrl: RUNBOOKS,
    ...props,
  });
  let monitoring: McpMonitoring | undefined;
  if (withMonitoring) {
    const f = buildFixture(stack);
    monitoring = new McpMonitoring(stack, 'Monitoring', {
      serviceName: 'orders-mcp',
      loadBalancer: f.loadBalancer,
      targetGroup: f.targetGroup,
      service: f.service,
      alarmTopic: topic,
      runbookBaseUrl: RUNBOOKS,
    });
    monitoring.addSegment(data);
  }
  return { app, stack, data, topic, monitoring };
}

function alarmsOf(t: Template): Record<string, Json> {
  return Object.fromEntries(
    Object.values(t.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties as Json)
      .filter((p) => /-(Database|Cache)[A-Za-z]+$/.test(p.AlarmName))
      .map((p) => [String(p.AlarmName).slice(PREFIX.length + 1), p]),
  );
}

/** An alarm reduced to what a reviewer checks; inputs as `namespace name stat period`. */
function summarise(p: Json): Json {
  const single = p.MetricName !== undefined;
  const inputs: string[] = single
    ? [`${p.Namespace} ${p.MetricName} ${p.Statistic} ${p.Period}`]
    : p.Metrics.filter((m: Json) => m.MetricStat).map(
        (m: Json) =>
          `${m.MetricStat.Metric.Namespace} ${m.MetricStat.Metric.MetricName} ${m.MetricStat.Stat} ${m.MetricStat.Period}`,
      );
  return {
    inputs: [...new Set(inputs)],
    members: single ? 1 : p.Metrics.filter((m: Json) => m.MetricStat).length,
    ...(single ? {} : { expression: p.Metrics.find((m: Json) => m.Expression).Expression }),
    threshold: p.Threshold,
    ...evaluationAndRouting(p),
  };
}

const { stack, data, monitoring } = build();
const template = Template.fromStack(stack);
const alarms = alarmsOf(template);

describe('McpDataTier saturation alarms (defaults: db.m7g.large, 50 GiB, Valkey primary + 1 replica)', () => {
  const sustained = { evaluationPeriods: 5, datapointsToAlarm: 4, missingData: 'notBreaching' };
  const nearLimit = { evaluationPeriods: 3, datapointsToAlarm: 2, missingData: 'notBreaching' };
  const warning = { actions: 'topic', okActions: 'topic' };
  const critical = { actions: 'none', okActions: 'none' };
  const rdsIn = (name: string, stat: string, period = 60) => ({
    inputs: [`AWS/RDS ${name} ${stat} ${period}`],
    members: 1,
  });
  const cacheIn = (name: string, stat: string) => ({
    inputs: [`AWS/ElastiCache ${name} ${stat} 60`],
    members: 2,
    expression: 'MAX([n1, n2])',
  });
  const EXPECTED: Record<string, Json> = {
    DatabaseCpu: {
      ...rdsIn('CPUUtilization', 'Average'),
      ...sustained,
      ...warning,
      threshold: 80,
      comparison: 'GreaterThanThreshold',
      runbook: 'database-saturation',
    },
    DatabaseFreeStorage: {
      ...rdsIn('FreeStorageSpace', 'Minimum', 300),
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      missingData: 'notBreaching',
      ...critical,
      threshold: 5 * 2 ** 30,
      comparison: 'LessThanThreshold',
      runbook: 'database-saturation',
    },
    DatabaseConnections: {
      ...rdsIn('DatabaseConnections', 'Maximum'),
      ...sustained,
      ...warning,
      threshold: 646,
      comparison: 'GreaterThanThreshold',
      runbook: 'connection-errors',
    },
    DatabaseConnectionsNearLimit: {
      ...rdsIn('DatabaseConnections', 'Maximum'),
      ...nearLimit,
      ...critical,
      threshold: 768,
      comparison: 'GreaterThanOrEqualToThreshold',
      runbook: 'connection-errors',
    },
    DatabaseReadLatency: {
      ...rdsIn('ReadLatency', 'Average'),
      ...sustained,
      ...warning,
      threshold: 0.02,
      comparison: 'GreaterThanThreshold',
      runbook: 'database-saturation',
    },
    DatabaseWriteLatency: {
      ...rdsIn('WriteLatency', 'Average'),
      ...sustained,
      ...warning,
      threshold: 0.02,
      comparison: 'GreaterThanThreshold',
      runbook: 'database-saturation',
    },
    DatabaseFreeableMemory: {
      ...rdsIn('FreeableMemory', 'Average'),
      ...sustained,
      ...warning,
      threshold: Math.round(0.8 * 2 ** 30),
      comparison: 'LessThanThreshold',
      runbook: 'database-saturation',
    },
    CacheEngineCpu: {
      ...cacheIn('EngineCPUUtilization', 'Maximum'),
      ...sustained,
      ...warning,
      threshold: 90,
      comparison: 'GreaterThanThreshold',
      runbook: 'cache-saturation',
    },
    CacheMemory: {
      ...cacheIn('DatabaseMemoryUsagePercentage', 'Maximum'),
      ...sustained,
      ...warning,
      threshold: 80,
      comparison: 'GreaterThanThreshold',
      runbook: 'cache-saturation',
    },
    CacheEvictions: {
      ...cacheIn('Evictions', 'Sum'),
      ...sustained,
      ...warning,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      runbook: 'cache-saturation',
    },
    CacheConnectionsNearLimit: {
      ...cacheIn('CurrConnections', 'Maximum'),
      ...nearLimit,
      ...critical,
      threshold: 52000,
      comparison: 'GreaterThanThreshold',
      runbook: 'connection-errors',
    },
    CacheReplicationLag: {
      ...cacheIn('ReplicationLag', 'Maximum'),
      ...sustained,
      ...warning,
      threshold: 5,
      comparison: 'GreaterThanThreshold',
      runbook: 'cache-saturation',
    },
  };

  test('every alarm, property by property: metric, statistic, period, threshold, evaluation, missing data, actions, runbook', () => {
    const actual = Object.fromEntries(Object.entries(alarms).map(([id, p]) => [id, summarise(p)]));
    expect(actual).toEqual(EXPECTED);
    expect(data.alarms.map((a) => a.id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  /** A value on the breaching side of the synthesized threshold, and one on the healthy side. */
  function valuesAround(p: Json): { breach: number; healthy: number } {
    const t = p.Threshold as number;
    const step = Math.max(1, Math.abs(t) * 0.1);
    return p.ComparisonOperator.startsWith('Greater')
      ? { breach: t + step, healthy: Math.max(0, t - step) }
      : { breach: t - step, healthy: t + step };
  }

  /** Whether a value breaches the alarm's synthesized threshold and operator. */
  function breaches(p: Json, v: number): boolean {
    const t = p.Threshold as number;
    switch (p.ComparisonOperator) {
      case 'GreaterThanThreshold':
        return v > t;
      case 'GreaterThanOrEqualToThreshold':
        return v >= t;
      case 'LessThanThreshold':
        return v < t;
      default:
        throw new Error(`unexpected operator ${p.ComparisonOperator}`);
    }
  }

  test.each(Object.keys(EXPECTED))(
    '%s: a sustained breach alarms within its window; one noisy datapoint (or two apart) does not',
    (id) => {
      const p = alarms[id];
      const period: number = p.Period ?? p.Metrics.find((m: Json) => m.MetricStat).MetricStat.Period;
      const windowSeconds = p.EvaluationPeriods * period;
      const { breach, healthy } = valuesAround(p);
      const rule = (values: number[]) =>
        periodsUntilAlarm(
          values.map((v) => breaches(p, v)),
          p.DatapointsToAlarm,
          p.EvaluationPeriods,
        );
      // Healthy, then breaching from the fourth period on.
      const sustained = rule([healthy, healthy, healthy, ...Array(10).fill(breach)]);
      expect(sustained).toBeDefined();
      expect((sustained! - 3) * period).toBeLessThanOrEqual(windowSeconds);
      expect((sustained! - 3) * period).toBe(p.DatapointsToAlarm * period);
      // One noisy datapoint in a healthy series, and two that never share a window.
      expect(rule([healthy, healthy, breach, healthy, healthy, healthy, healthy, healthy])).toBeUndefined();
      const apart = [breach, ...Array(p.EvaluationPeriods).fill(healthy), breach, healthy, healthy];
      expect(rule(apart)).toBeUndefined();
      // The minimum the window tolerates: one healthy datapoint inside a long breach does not reset it.
      if (p.DatapointsToAlarm < p.EvaluationPeriods) {
        expect(rule([breach, healthy, breach, breach, breach])).toBeDefined();
      }
    },
  );

  test('alarm windows in minutes: 4 for utilisation and latency, 2 near a connection limit, 15 for storage', () => {
    const minutesToAlarm = (id: string) => {
      const p = alarms[id];
      const period: number = p.Period ?? p.Metrics.find((m: Json) => m.MetricStat).MetricStat.Period;
      return (periodsUntilAlarm(Array(20).fill(true), p.DatapointsToAlarm, p.EvaluationPeriods)! * period) / 60;
    };
    expect(minutesToAlarm('DatabaseCpu')).toBe(4);
    expect(minutesToAlarm('CacheEvictions')).toBe(4);
    expect(minutesToAlarm('DatabaseConnectionsNearLimit')).toBe(2);
    expect(minutesToAlarm('CacheConnectionsNearLimit')).toBe(2);
    expect(minutesToAlarm('DatabaseFreeStorage')).toBe(15);
  });

  test('the database alarms watch this instance; the cache alarms read every member cluster of the group', () => {
    const dbId = stack.resolve((data.database!.node.defaultChild as rds.CfnDBInstance).logicalId);
    expect(alarms.DatabaseCpu.Dimensions).toEqual([{ Name: 'DBInstanceIdentifier', Value: { Ref: dbId } }]);
    const groupId = stack.resolve(data.cache!.logicalId);
    const members = alarms.CacheEngineCpu.Metrics.filter((m: Json) => m.MetricStat).map(
      (m: Json) => m.MetricStat.Metric.Dimensions,
    );
    expect(members).toEqual([
      [{ Name: 'CacheClusterId', Value: { 'Fn::Join': ['', [{ Ref: groupId }, '-001']] } }],
      [{ Name: 'CacheClusterId', Value: { 'Fn::Join': ['', [{ Ref: groupId }, '-002']] } }],
    ]);
  });

  test('descriptions state the threshold in words with its derivation, and link the runbook', () => {
    const d = (id: string) => alarms[id].AlarmDescription as string;
    expect(d('DatabaseConnections')).toContain(
      'DatabaseConnections (maximum) above the budget of 646 (max_connections 811 − 3 reserved, less the 20 % margin) in 4 of 5 one-minute periods',
    );
    expect(d('DatabaseConnectionsNearLimit')).toContain(
      'at or above 768 (95 % of the 808 non-superuser slots of max_connections 811) in 2 of 3 one-minute periods',
    );
    expect(d('DatabaseFreeStorage')).toContain(
      'FreeStorageSpace (minimum) below 5 GiB (10 % of the 50 GiB allocated at creation, where storage autoscaling starts) in 3 consecutive 5-minute periods',
    );
    expect(d('DatabaseFreeableMemory')).toContain('below 0.8 GiB (10 % of the 8 GiB of db.m7g.large)');
    expect(d('CacheConnectionsNearLimit')).toContain("above 52000 (80 % of ElastiCache's fixed maxclients 65000)");
    for (const [id, p] of Object.entries(alarms)) {
      expect(p.AlarmDescription).toMatch(new RegExp(`^\\[(critical|warning)\\] orders-mcp: `));
      expect(p.AlarmDescription).toContain(`Runbook: ${RUNBOOKS}/${EXPECTED[id].runbook}.md`);
      expect(p.AlarmDescription.length).toBeLessThanOrEqual(1024);
    }
  });

  test('criticals page through the service’s page composite and notify nobody themselves; warnings notify the topic', () => {
    const criticals = data.alarms.filter((a) => a.severity === 'critical').map((a) => a.id);
    expect(criticals.sort()).toEqual([
      'CacheConnectionsNearLimit',
      'DatabaseConnectionsNearLimit',
      'DatabaseFreeStorage',
    ]);
    const paged = monitoring!.pagedAlarms.map((a) => a.id);
    for (const id of criticals) expect(paged).toContain(id);
    const [page] = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    const rule = JSON.stringify(page.Properties.AlarmRule);
    const arnOf = (a: McpAlarm) =>
      JSON.stringify({
        'Fn::GetAtt': [stack.resolve((a.alarm.node.defaultChild as cloudwatch.CfnAlarm).logicalId), 'Arn'],
      });
    for (const a of data.alarms) {
      if (a.severity === 'critical') expect(rule).toContain(arnOf(a));
      else expect(rule).not.toContain(arnOf(a));
    }
    // No data-tier alarm rolls back deployments: a deployment does not move these metrics.
    expect(data.alarms.every((a) => !a.deploymentAlarm)).toBe(true);
    // Tags of the alarm model.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${PREFIX}-DatabaseFreeStorage`,
      Tags: Match.arrayWith([
        { Key: 'mcp-ops:service', Value: 'orders-mcp' },
        { Key: 'mcp-ops:severity', Value: 'critical' },
      ]),
    });
  });

  test('used on its own (no monitoring), every alarm notifies the data tier’s own topic, critical or not', () => {
    const alone = build({}, false);
    const own = alarmsOf(Template.fromStack(alone.stack));
    const topicRef = { Ref: alone.stack.resolve((alone.topic.node.defaultChild as sns.CfnTopic).logicalId) };
    expect(Object.keys(own)).toHaveLength(12);
    for (const p of Object.values(own)) expect(p.AlarmActions).toEqual([topicRef]);
  });

  test('Performance Insights on with Database Insights standard (7 days, the free retention), encrypted with the key; storage autoscaling on', () => {
    const keyId = stack.resolve((data.key.node.defaultChild as ec2.CfnVPC).logicalId);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      EnablePerformanceInsights: true,
      PerformanceInsightsRetentionPeriod: 7,
      DatabaseInsightsMode: 'standard',
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      AllocatedStorage: '50',
      MaxAllocatedStorage: 200,
    });
  });
});

describe('McpDataTier dashboard rows', () => {
  const body = (() => {
    const [dash] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const b = dash.Properties.DashboardBody;
    const text =
      typeof b === 'string' ? b : b['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'TOKEN')).join('');
    return JSON.parse(text) as { widgets: Json[] };
  })();
  const texts = body.widgets.filter((w) => w.type === 'text').map((w) => w.properties.markdown as string);
  const titled = (title: string): Json => body.widgets.find((w) => w.properties.title === title)!;

  test('a "Data tier" row with a database line and a cache line, then the data-tier alarm states', () => {
    const row = texts.indexOf('## Data tier');
    expect(row).toBeGreaterThan(-1);
    expect(texts[row + 1]).toMatch(
      /^### Database: db\.m7g\.large, max_connections 811, budget 646\. Slow queries: Database Insights/,
    );
    expect(texts[row + 2]).toMatch(/^### Cache: cache\.m7g\.large, 2 nodes/);
    const status = body.widgets.find((w) => w.type === 'alarm' && w.properties.title === 'Data tier alarms')!;
    expect(status.properties.alarms).toHaveLength(12);
  });

  test('graphs show the alarm thresholds: connections against the budget and the limit, free storage, cache memory', () => {
    const conns = titled('Database connections');
    expect(conns.properties.annotations.horizontal.map((a: Json) => [a.label, a.value])).toEqual([
      ['budget 646', 646],
      ['near limit 768', 768],
    ]);
    const storage = titled('Database free storage and freeable memory (GiB)');
    expect(storage.properties.annotations.horizontal.map((a: Json) => [a.label, a.value])).toEqual([
      ['storage alarm < 5 GiB', 5],
      ['memory alarm < 0.8 GiB', 0.8],
    ]);
    const cache = titled('Cache engine CPU and memory used (%)');
    expect(cache.properties.annotations.horizontal.map((a: Json) => a.value)).toEqual([90, 80]);
    // One line per node, both members.
    expect(cache.properties.metrics).toHaveLength(4);
    // Database load from Performance Insights beside CPU, for the "slow queries" step.
    const cpu = titled('Database CPU (%) and load (active sessions)');
    expect(JSON.stringify(cpu.properties.metrics)).toMatch(/DBLoadCPU.*DBLoadNonCPU/);
  });
});

describe('McpDataTier alarm variants', () => {
  test('no replicas: no replication-lag alarm, and cache alarms read the one node directly', () => {
    const { stack: s, data: d } = build({ cache: { replicas: 0, multiAz: false } }, false);
    const a = alarmsOf(Template.fromStack(s));
    expect(a.CacheReplicationLag).toBeUndefined();
    expect(d.alarms).toHaveLength(11);
    expect(a.CacheEngineCpu.MetricName).toBe('EngineCPUUtilization');
    expect(s.resolve(a.CacheEngineCpu.Dimensions[0].Value)).toEqual({
      'Fn::Join': ['', [{ Ref: s.resolve(d.cache!.logicalId) }, '-001']],
    });
  });

  test('a given max_connections sets the connection thresholds', () => {
    const { stack: s } = build({ database: { maxConnections: 2000 } }, false);
    const a = alarmsOf(Template.fromStack(s));
    // budget ⌊(2000 − 3) × 0.8⌋ = 1597; near limit ⌈1997 × 0.95⌉ = 1898.
    expect([a.DatabaseConnections.Threshold, a.DatabaseConnectionsNearLimit.Threshold]).toEqual([1597, 1898]);
  });

  test('an instance class of unknown memory: no connection or freeable-memory alarms, and a synth warning says why', () => {
    const { stack: s, data: d } = build({ database: { instanceType: new ec2.InstanceType('x2g.large') } }, false);
    const ids = d.alarms.map((x) => x.id);
    expect(ids).not.toContain('DatabaseConnections');
    expect(ids).not.toContain('DatabaseFreeableMemory');
    expect(ids).toContain('DatabaseCpu');
    Annotations.fromStack(s).hasWarning(
      '/TestStack/Data',
      Match.stringLikeRegexp('db\\.x2g\\.large: memory unknown to the class table and no maxConnections given'),
    );
  });

  test('allocated storage sets the free-storage line (10 % of it)', () => {
    const { stack: s } = build({ database: { allocatedStorage: 400 } }, false);
    expect(alarmsOf(Template.fromStack(s)).DatabaseFreeStorage.Threshold).toBe(40 * 2 ** 30);
  });

  test('Database Insights advanced keeps Performance Insights 15 months (465 days), as RDS requires', () => {
    const { stack: s } = build({ database: { databaseInsights: rds.DatabaseInsightsMode.ADVANCED } }, false);
    Template.fromStack(s).hasResourceProperties('AWS::RDS::DBInstance', {
      DatabaseInsightsMode: 'advanced',
      PerformanceInsightsRetentionPeriod: 465,
    });
  });

  test('no database and no cache: no alarms and no rows', () => {
    const { data: d } = build({ database: { enabled: false }, cache: { enabled: false } }, false);
    expect(d.alarms).toEqual([]);
    expect(d.dashboardWidgets()).toEqual([]);
  });

  test.each([
    [{ serviceName: 'Orders' }, 'McpDataTier: serviceName must be 1–20 characters of lowercase letters'],
    [{ database: { databaseInsights: 'extreme' } }, 'McpDataTier: database.databaseInsights must be'],
    [{ alarmNamePrefix: '-bad' }, 'McpDataTier: alarmNamePrefix must be'],
  ])('rejects %j', (props, message) => {
    expect(() => build(props as Partial<McpDataTierProps>, false)).toThrow(message);
  });
});

describe('McpDataTier with its alarms, cdk-nag', () => {
  test('AwsSolutions finds nothing unacknowledged in the data tier and its alarms', () => {
    const { app } = build({}, false);
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });
});
