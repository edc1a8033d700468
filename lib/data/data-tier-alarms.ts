/**
 * The data tier as a saturation signal: McpDataTier's alarms (made by the one alarm factory) and its dashboard
 * rows, one for the database and one for the cache. The thresholds and their reasons are in ./saturation.ts;
 * docs/monitoring.md ("Data tier") lists them.
 *
 * ElastiCache publishes its metrics per node, under the member cluster ids of the replication group
 * (`<group>-001`, `<group>-002`, … for cluster mode disabled:
 * https://github.com/widdix/aws-cf-templates/issues/571), so every cache alarm reads each member and alarms on
 * the worst (`MAX`): after a failover the primary is another member, and the alarm still sees it.
 * Performance Insights publishes DBLoadCPU and DBLoadNonCPU (active sessions) to AWS/RDS when the instance has
 * load: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.Cloudwatch.html
 */
import { Duration, Fn } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as rds from 'aws-cdk-lib/aws-rds';
import { AlarmFactory, AlarmText, MetricAlarmSpec } from '../internal/alarm-factory';
import { AlarmSeverity, McpAlarm } from '../monitoring/alarms';
import { RUNBOOKS } from '../monitoring/naming';
import {
  CACHE_MAX_CLIENTS,
  CacheThresholds,
  DatabaseThresholds,
  EvaluationWindow,
  NEAR_LIMIT,
  STORAGE,
  SUSTAINED,
  cacheMemberSuffixes,
  describeWindow,
  gib,
} from './saturation';

/** The database the alarms watch. */
export interface DatabaseAlarmTarget {
  readonly instance: rds.DatabaseInstance;
  /** e.g. `db.m7g.large`. */
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  readonly thresholds: DatabaseThresholds;
}

/** The cache the alarms watch. */
export interface CacheAlarmTarget {
  /** The replication group id (its `Ref`). */
  readonly replicationGroupId: string;
  /** e.g. `cache.m7g.large`. */
  readonly nodeType: string;
  /** Nodes: primary plus replicas. */
  readonly nodes: number;
  readonly thresholds: CacheThresholds;
}

const RDS = 'AWS/RDS';
const ELASTICACHE = 'AWS/ElastiCache';

const windowOf = (w: EvaluationWindow) => ({
  evaluationPeriods: w.evaluationPeriods,
  datapointsToAlarm: w.datapointsToAlarm,
});

/** A metric of the database instance over a window's period. */
function databaseMetric(
  db: DatabaseAlarmTarget,
  name: string,
  statistic: string,
  w: EvaluationWindow,
  label?: string,
): cloudwatch.Metric {
  return db.instance.metric(name, {
    statistic,
    period: Duration.seconds(w.periodSeconds),
    ...(label ? { label } : {}),
  });
}

/** One member cluster's metric (labelled `node 001` on graphs; unlabelled for an alarm on it alone). */
function memberMetric(
  cache: CacheAlarmTarget,
  suffix: string,
  name: string,
  statistic: string,
  periodSeconds: number,
  labelled = true,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: ELASTICACHE,
    metricName: name,
    dimensionsMap: { CacheClusterId: Fn.join('', [cache.replicationGroupId, suffix]) },
    statistic,
    period: Duration.seconds(periodSeconds),
    ...(labelled ? { label: `node ${suffix.slice(1)}` } : {}),
  });
}

/** The worst member's value (`MAX` over the members), or the one member's metric. */
function cacheMetric(
  cache: CacheAlarmTarget,
  name: string,
  statistic: string,
  w: EvaluationWindow,
  label: string,
): cloudwatch.IMetric {
  const members = cacheMemberSuffixes(cache.nodes);
  // One member: its metric as it is (a label would render the alarm as a metric-math query for no reason).
  if (members.length === 1) return memberMetric(cache, members[0], name, statistic, w.periodSeconds, false);
  const usingMetrics = Object.fromEntries(
    members.map((suffix, i) => [`n${i + 1}`, memberMetric(cache, suffix, name, statistic, w.periodSeconds, false)]),
  );
  return new cloudwatch.MathExpression({
    expression: `MAX([${Object.keys(usingMetrics).join(', ')}])`,
    usingMetrics,
    period: Duration.seconds(w.periodSeconds),
    label,
  });
}

function alarm(
  factory: AlarmFactory,
  id: string,
  text: AlarmText,
  metric: cloudwatch.IMetric,
  threshold: number,
  comparisonOperator: cloudwatch.ComparisonOperator,
  w: EvaluationWindow,
): McpAlarm {
  const spec: MetricAlarmSpec = {
    metric,
    threshold,
    comparisonOperator,
    ...windowOf(w),
    // RDS and ElastiCache publish these every minute while the resource exists; a gap is no evidence of saturation
    // (an instance that is down shows up as connection errors and failed readiness, which page on their own).
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
  return factory.metricAlarm(id, text, spec);
}

const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
const GTE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
const WARNING_NOTE =
  'Warning: notifies, does not page; the golden-signal latency and error alarms page if clients suffer.';

/** The database's alarms: CPU, free storage, connections (budget and near the limit), latency, freeable memory. */
export function createDatabaseAlarms(factory: AlarmFactory, db: DatabaseAlarmTarget): McpAlarm[] {
  const t = db.thresholds;
  const created: McpAlarm[] = [];
  const cls = db.instanceClass;
  created.push(
    alarm(
      factory,
      'DatabaseCpu',
      {
        severity: AlarmSeverity.WARNING,
        runbook: RUNBOOKS.databaseSaturation,
        summary: `database CPU is saturated (${cls})`,
        threshold: `CPUUtilization (average) above ${t.cpuPercent} % in ${describeWindow(SUSTAINED)}; latency rises steeply beyond it`,
        note: WARNING_NOTE,
      },
      databaseMetric(db, 'CPUUtilization', 'Average', SUSTAINED),
      t.cpuPercent,
      GT,
      SUSTAINED,
    ),
  );
  created.push(
    alarm(
      factory,
      'DatabaseFreeStorage',
      {
        severity: AlarmSeverity.CRITICAL,
        runbook: RUNBOOKS.databaseSaturation,
        summary: 'the database is running out of storage and autoscaling has not added any',
        threshold: `FreeStorageSpace (minimum) below ${gib(t.freeStorageBytes)} (10 % of the ${db.allocatedStorageGiB} GiB allocated at creation, where storage autoscaling starts) in ${describeWindow(STORAGE)}: autoscaling is at maxAllocatedStorage or within 6 hours of its last change`,
        note: 'Critical: a full volume stops every write (PostgreSQL cannot commit); a person must raise maxAllocatedStorage or free space now.',
      },
      databaseMetric(db, 'FreeStorageSpace', 'Minimum', STORAGE),
      t.freeStorageBytes,
      LT,
      STORAGE,
    ),
  );
  if (t.connectionsBudget !== undefined && t.connectionsNearLimit !== undefined && t.connections) {
    const c = t.connections;
    created.push(
      alarm(
        factory,
        'DatabaseConnections',
        {
          severity: AlarmSeverity.WARNING,
          runbook: RUNBOOKS.connectionErrors,
          summary: 'database connections exceed the connection budget',
          threshold: `DatabaseConnections (maximum) above the budget of ${t.connectionsBudget} (max_connections ${c.maxConnections} − ${c.reservedConnections} reserved, less the ${c.margin * 100} % margin) in ${describeWindow(SUSTAINED)}: more clients or larger pools than planned, or a leak`,
          note: 'Warning: the margin is being used; DatabaseConnectionsNearLimit pages before connections are refused.',
        },
        databaseMetric(db, 'DatabaseConnections', 'Maximum', SUSTAINED),
        t.connectionsBudget,
        GT,
        SUSTAINED,
      ),
    );
    created.push(
      alarm(
        factory,
        'DatabaseConnectionsNearLimit',
        {
          severity: AlarmSeverity.CRITICAL,
          runbook: RUNBOOKS.connectionErrors,
          summary: 'the database is about to refuse connections',
          threshold: `DatabaseConnections (maximum) at or above ${t.connectionsNearLimit} (95 % of the ${c.usableConnections} non-superuser slots of max_connections ${c.maxConnections}) in ${describeWindow(NEAR_LIMIT)}`,
          note: 'Critical: new connections fail next, readiness checks fail and tasks leave the load balancer.',
        },
        databaseMetric(db, 'DatabaseConnections', 'Maximum', NEAR_LIMIT),
        t.connectionsNearLimit,
        GTE,
        NEAR_LIMIT,
      ),
    );
  }
  for (const [id, name, words] of [
    ['DatabaseReadLatency', 'ReadLatency', 'read'],
    ['DatabaseWriteLatency', 'WriteLatency', 'write'],
  ] as const) {
    created.push(
      alarm(
        factory,
        id,
        {
          severity: AlarmSeverity.WARNING,
          runbook: RUNBOOKS.databaseSaturation,
          summary: `database disk ${words}s are slow`,
          threshold: `${name} (average per I/O) above ${t.latencySeconds * 1000} ms in ${describeWindow(SUSTAINED)}: the volume's IOPS or throughput are exhausted, or the instance is starved`,
          note: WARNING_NOTE,
        },
        databaseMetric(db, name, 'Average', SUSTAINED),
        t.latencySeconds,
        GT,
        SUSTAINED,
      ),
    );
  }
  if (t.freeableMemoryBytes !== undefined) {
    created.push(
      alarm(
        factory,
        'DatabaseFreeableMemory',
        {
          severity: AlarmSeverity.WARNING,
          runbook: RUNBOOKS.databaseSaturation,
          summary: 'the database is short of memory',
          threshold: `FreeableMemory (average) below ${gib(t.freeableMemoryBytes)} (10 % of the ${t.memoryGiB} GiB of ${cls}) in ${describeWindow(SUSTAINED)}: the page cache is gone and swapping follows`,
          note: WARNING_NOTE,
        },
        databaseMetric(db, 'FreeableMemory', 'Average', SUSTAINED),
        t.freeableMemoryBytes,
        LT,
        SUSTAINED,
      ),
    );
  }
  return created;
}

/** The cache's alarms: engine CPU, memory, evictions, connections near the limit, replication lag. */
export function createCacheAlarms(factory: AlarmFactory, cache: CacheAlarmTarget): McpAlarm[] {
  const t = cache.thresholds;
  const worst = cache.nodes > 1 ? ' on the busiest node' : '';
  const created: McpAlarm[] = [
    alarm(
      factory,
      'CacheEngineCpu',
      {
        severity: AlarmSeverity.WARNING,
        runbook: RUNBOOKS.cacheSaturation,
        summary: `the cache engine's thread is saturated (${cache.nodeType})`,
        threshold: `EngineCPUUtilization (maximum${worst}) above ${t.engineCpuPercent} % in ${describeWindow(SUSTAINED)}; the engine runs commands on one thread, so this is its ceiling`,
        note: WARNING_NOTE,
      },
      cacheMetric(cache, 'EngineCPUUtilization', 'Maximum', SUSTAINED, 'engine CPU (worst node)'),
      t.engineCpuPercent,
      GT,
      SUSTAINED,
    ),
    alarm(
      factory,
      'CacheMemory',
      {
        severity: AlarmSeverity.WARNING,
        runbook: RUNBOOKS.cacheSaturation,
        summary: 'the cache is filling up',
        threshold: `DatabaseMemoryUsagePercentage (maximum${worst}) above ${t.memoryPercent} % of maxmemory in ${describeWindow(SUSTAINED)}; at 100 % keys with a TTL are evicted (volatile-lru)`,
        note: WARNING_NOTE,
      },
      cacheMetric(cache, 'DatabaseMemoryUsagePercentage', 'Maximum', SUSTAINED, 'memory used (worst node)'),
      t.memoryPercent,
      GT,
      SUSTAINED,
    ),
    alarm(
      factory,
      'CacheEvictions',
      {
        severity: AlarmSeverity.WARNING,
        runbook: RUNBOOKS.cacheSaturation,
        summary: 'the cache is evicting keys: its working set no longer fits',
        threshold: `Evictions (sum per minute${worst}) above ${t.evictionsPerMinute} in ${describeWindow(SUSTAINED)}: sustained eviction, not one burst`,
        note: 'Warning: the hit rate falls and the database takes the misses.',
      },
      cacheMetric(cache, 'Evictions', 'Sum', SUSTAINED, 'evictions (worst node)'),
      t.evictionsPerMinute,
      GT,
      SUSTAINED,
    ),
    alarm(
      factory,
      'CacheConnectionsNearLimit',
      {
        severity: AlarmSeverity.CRITICAL,
        runbook: RUNBOOKS.connectionErrors,
        summary: 'the cache is about to refuse connections',
        threshold: `CurrConnections (maximum${worst}) above ${t.connectionsNearLimit} (80 % of ElastiCache's fixed maxclients ${CACHE_MAX_CLIENTS}) in ${describeWindow(NEAR_LIMIT)}: a connection leak or a reconnect storm`,
        note: 'Critical: new connections fail next, readiness checks fail and tasks leave the load balancer.',
      },
      cacheMetric(cache, 'CurrConnections', 'Maximum', NEAR_LIMIT, 'connections (worst node)'),
      t.connectionsNearLimit,
      GT,
      NEAR_LIMIT,
    ),
  ];
  if (t.replicationLagSeconds !== undefined) {
    created.push(
      alarm(
        factory,
        'CacheReplicationLag',
        {
          severity: AlarmSeverity.WARNING,
          runbook: RUNBOOKS.cacheSaturation,
          summary: 'a cache replica is falling behind the primary',
          threshold: `ReplicationLag (maximum over the replicas) above ${t.replicationLagSeconds} s in ${describeWindow(SUSTAINED)}; a failover now would lose that many seconds of writes`,
          note: 'Warning: the primary still serves; a lagging replica is a failover risk, not an outage.',
        },
        cacheMetric(cache, 'ReplicationLag', 'Maximum', SUSTAINED, 'replication lag (worst replica)'),
        t.replicationLagSeconds,
        GT,
        SUSTAINED,
      ),
    );
  }
  return created;
}

const hasAlarm = (alarms: McpAlarm[], id: string) => alarms.some((a) => a.id === id);

function annotation(alarms: McpAlarm[], id: string, label: string, value: number): cloudwatch.HorizontalAnnotation[] {
  return hasAlarm(alarms, id) ? [{ label, value, color: cloudwatch.Color.RED }] : [];
}

/** Bytes in GiB to two decimals, for annotations. */
const inGiBRounded = (bytes: number) => Math.round((bytes / 2 ** 30) * 100) / 100;

/** GiB of a bytes metric, for graphs. */
function inGiB(
  id: string,
  metric: cloudwatch.IMetric,
  label: string,
  periodSeconds: number,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `${id} / 1073741824`,
    usingMetrics: { [id]: metric },
    period: Duration.seconds(periodSeconds),
    label,
  });
}

/** The database's dashboard row: a heading, CPU and load, connections, latency, storage and memory. */
export function databaseWidgets(db: DatabaseAlarmTarget, alarms: McpAlarm[]): cloudwatch.IWidget[] {
  const t = db.thresholds;
  const minute: EvaluationWindow = SUSTAINED;
  const c = t.connections;
  return [
    new cloudwatch.TextWidget({
      markdown: `### Database: ${db.instanceClass}${c ? `, max_connections ${c.maxConnections}, budget ${c.budget}` : ''}. Slow queries: Database Insights (RDS console, the instance's Monitoring tab) and statements over 1 s in the \`postgresql\` log`,
      width: 24,
      height: 1,
    }),
    new cloudwatch.GraphWidget({
      title: 'Database CPU (%) and load (active sessions)',
      width: 6,
      height: 6,
      left: [databaseMetric(db, 'CPUUtilization', 'Average', minute, 'CPU')],
      right: [
        new cloudwatch.Metric({
          namespace: RDS,
          metricName: 'DBLoadCPU',
          dimensionsMap: { DBInstanceIdentifier: db.instance.instanceIdentifier },
          statistic: 'Average',
          period: Duration.minutes(1),
          label: 'sessions on CPU',
        }),
        new cloudwatch.Metric({
          namespace: RDS,
          metricName: 'DBLoadNonCPU',
          dimensionsMap: { DBInstanceIdentifier: db.instance.instanceIdentifier },
          statistic: 'Average',
          period: Duration.minutes(1),
          label: 'sessions waiting (I/O, locks)',
        }),
      ],
      leftYAxis: { min: 0, max: 100, showUnits: false },
      rightYAxis: { min: 0, showUnits: false },
      leftAnnotations: annotation(alarms, 'DatabaseCpu', `alarm > ${t.cpuPercent} %`, t.cpuPercent),
    }),
    new cloudwatch.GraphWidget({
      title: 'Database connections',
      width: 6,
      height: 6,
      left: [databaseMetric(db, 'DatabaseConnections', 'Maximum', minute, 'connections (max)')],
      leftYAxis: { min: 0, showUnits: false },
      leftAnnotations: [
        ...annotation(alarms, 'DatabaseConnections', `budget ${t.connectionsBudget}`, t.connectionsBudget ?? 0),
        ...annotation(
          alarms,
          'DatabaseConnectionsNearLimit',
          `near limit ${t.connectionsNearLimit}`,
          t.connectionsNearLimit ?? 0,
        ),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Database read / write latency (s)',
      width: 6,
      height: 6,
      left: [
        databaseMetric(db, 'ReadLatency', 'Average', minute, 'read'),
        databaseMetric(db, 'WriteLatency', 'Average', minute, 'write'),
      ],
      leftYAxis: { min: 0, showUnits: false },
      leftAnnotations: annotation(
        alarms,
        'DatabaseReadLatency',
        `alarm > ${t.latencySeconds * 1000} ms`,
        t.latencySeconds,
      ),
    }),
    new cloudwatch.GraphWidget({
      title: 'Database free storage and freeable memory (GiB)',
      width: 6,
      height: 6,
      left: [inGiB('storage', databaseMetric(db, 'FreeStorageSpace', 'Minimum', minute), 'free storage', 60)],
      right: [inGiB('memory', databaseMetric(db, 'FreeableMemory', 'Average', minute), 'freeable memory', 60)],
      leftYAxis: { min: 0, showUnits: false },
      rightYAxis: { min: 0, showUnits: false },
      leftAnnotations: annotation(
        alarms,
        'DatabaseFreeStorage',
        `storage alarm < ${gib(t.freeStorageBytes)}`,
        inGiBRounded(t.freeStorageBytes),
      ),
      rightAnnotations:
        t.freeableMemoryBytes !== undefined
          ? annotation(
              alarms,
              'DatabaseFreeableMemory',
              `memory alarm < ${gib(t.freeableMemoryBytes)}`,
              inGiBRounded(t.freeableMemoryBytes),
            )
          : [],
    }),
  ];
}

/** The cache's dashboard row: a heading, engine CPU and memory, evictions, connections, replication lag. */
export function cacheWidgets(cache: CacheAlarmTarget, alarms: McpAlarm[]): cloudwatch.IWidget[] {
  const t = cache.thresholds;
  const members = cacheMemberSuffixes(cache.nodes);
  const perNode = (name: string, statistic: string) =>
    members.map((suffix) => memberMetric(cache, suffix, name, statistic, 60));
  return [
    new cloudwatch.TextWidget({
      markdown: `### Cache: ${cache.nodeType}, ${cache.nodes} node${cache.nodes === 1 ? '' : 's'} (one line per node; the primary may change on failover)`,
      width: 24,
      height: 1,
    }),
    new cloudwatch.GraphWidget({
      title: 'Cache engine CPU and memory used (%)',
      width: 6,
      height: 6,
      left: [
        ...perNode('EngineCPUUtilization', 'Maximum').map((m) => m.with({ label: `engine CPU ${m.label}` })),
        ...perNode('DatabaseMemoryUsagePercentage', 'Maximum').map((m) => m.with({ label: `memory ${m.label}` })),
      ],
      leftYAxis: { min: 0, max: 100, showUnits: false },
      leftAnnotations: [
        ...annotation(alarms, 'CacheEngineCpu', `CPU alarm > ${t.engineCpuPercent} %`, t.engineCpuPercent),
        ...annotation(alarms, 'CacheMemory', `memory alarm > ${t.memoryPercent} %`, t.memoryPercent),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Cache evictions and hit rate',
      width: 6,
      height: 6,
      left: perNode('Evictions', 'Sum').map((m) => m.with({ label: `evictions ${m.label}` })),
      right: perNode('CacheHitRate', 'Average').map((m) => m.with({ label: `hit rate % ${m.label}` })),
      leftYAxis: { min: 0, showUnits: false },
      rightYAxis: { min: 0, max: 100, showUnits: false },
    }),
    new cloudwatch.GraphWidget({
      title: 'Cache connections',
      width: 6,
      height: 6,
      left: perNode('CurrConnections', 'Maximum'),
      right: perNode('NewConnections', 'Sum').map((m) => m.with({ label: `new ${m.label}` })),
      leftYAxis: { min: 0, showUnits: false },
      rightYAxis: { min: 0, showUnits: false },
      leftAnnotations: annotation(
        alarms,
        'CacheConnectionsNearLimit',
        `near limit ${t.connectionsNearLimit}`,
        t.connectionsNearLimit,
      ),
    }),
    new cloudwatch.GraphWidget({
      title: 'Cache replication lag (s)',
      width: 6,
      height: 6,
      left: perNode('ReplicationLag', 'Maximum'),
      leftYAxis: { min: 0, showUnits: false },
      leftAnnotations:
        t.replicationLagSeconds !== undefined
          ? annotation(alarms, 'CacheReplicationLag', `alarm > ${t.replicationLagSeconds} s`, t.replicationLagSeconds)
          : [],
    }),
  ];
}
