/**
 * The table of bad inputs: for each construct and for the default app's context, an input and a fragment of
 * the message it must fail with. Every message must also name the construct (or `context <key>`) and, for
 * constructs, the construct path; none may be a TypeError. Extend it freely: one row per input.
 */
import { Duration, Size } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';

/** The constructs and the context parser the table covers. */
export type Target =
  'McpService' | 'McpLogging' | 'McpMonitoring' | 'McpBackup' | 'McpDataTier' | 'McpDisasterRecovery' | 'context';

/** One row: target, input (props merged over a valid base, or context), expected fragment. */
export type BadInput = readonly [Target, Record<string, unknown>, string | RegExp];

const CAPACITY = { peakRps: 50, meanLatencyMs: 100, cpuSecondsPerRequest: 0.01, memoryPerConnectionMiB: 10 };
const SERVICE_CONSTRUCTS = [
  'McpService',
  'McpLogging',
  'McpMonitoring',
  'McpBackup',
  'McpDisasterRecovery',
] as const satisfies readonly Target[];

/** Service names every construct and the context reject with the one rule. */
const BAD_SERVICE_NAMES: unknown[] = [
  '',
  'A',
  'Orders',
  'orders_mcp',
  'orders--mcp',
  '-orders',
  'orders-',
  '1orders',
  'orders mcp',
  ' orders',
  'orders.mcp',
  'ordérs',
  'x'.repeat(21),
  'orders-mcp-server-prod-eu',
  'a'.repeat(25),
  'orders/mcp',
];

const serviceNameRows: BadInput[] = [
  ...SERVICE_CONSTRUCTS.flatMap((t) =>
    BAD_SERVICE_NAMES.map((name): BadInput => [t, { serviceName: name }, 'serviceName must be 1–20 characters']),
  ),
  ...SERVICE_CONSTRUCTS.map((t): BadInput => [
    t,
    { serviceName: 'x'.repeat(25) },
    '(25 characters; the disaster-recovery',
  ]),
  ...(['McpLogging', 'McpMonitoring', 'McpBackup', 'McpDisasterRecovery'] as const).flatMap((t) =>
    [123, null, true].map((name): BadInput => [t, { serviceName: name }, 'serviceName must be 1–20 characters']),
  ),
  ...BAD_SERVICE_NAMES.filter((n) => n !== '').map((name): BadInput => [
    'context',
    { serviceName: name },
    'context serviceName: expected 1–20 characters',
  ]),
];

const seconds = (n: number) => Duration.millis(n * 1000);

const serviceRows: BadInput[] = [
  [{ mcpPath: 'mcp' }, 'mcpPath must be an absolute URL path'],
  [{ mcpPath: '/health/mcp' }, 'reserved for health checks'],
  [{ mcpPath: '/mcp?x=1' }, 'mcpPath must be an absolute URL path'],
  [{ mcpPath: '' }, 'mcpPath must be an absolute URL path'],
  [{ containerPort: 80 }, 'containerPort must be an integer from 1024 to 65535, got 80'],
  [{ containerPort: 70000 }, 'containerPort must be an integer from 1024 to 65535, got 70000'],
  [{ containerPort: 8080.5 }, 'containerPort must be an integer from 1024 to 65535, got 8080.5'],
  [{ containerPort: '8080' }, 'containerPort must be an integer from 1024 to 65535, got "8080"'],
  [{ containerUser: 'root' }, 'containerUser must be a non-root user'],
  [{ containerUser: '0' }, 'containerUser must be a non-root user'],
  [{ containerUser: '0:0' }, 'containerUser must be a non-root user'],
  [{ containerUser: 'root:root' }, 'containerUser must be a non-root user'],
  [{ containerUser: '' }, 'containerUser must be a non-root user'],
  [{ certificateArn: 'my-cert' }, 'certificateArn must be an ACM certificate ARN'],
  [
    { certificateArn: 'arn:aws:iam::111111111111:server-certificate/x' },
    'certificateArn must be an ACM certificate ARN',
  ],
  [{ certificateArn: 'arn:aws:acm:eu-west-1:1111:certificate/abc' }, 'certificateArn must be an ACM certificate ARN'],
  [
    { certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/0f1e2d3c-4b5a' },
    "certificateArn must be a certificate in the stack's region eu-west-1",
  ],
  [
    { certificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/0f1e2d3c-4b5a' },
    "certificateArn must be a certificate of the stack's account 111111111111",
  ],
  [{ domainName: 'MCP.example.com' }, 'domainName must be a lowercase DNS name'],
  [{ domainName: 'https://mcp.example.com' }, 'domainName must be a lowercase DNS name'],
  [{ domainName: 'localhost' }, 'domainName must be a lowercase DNS name'],
  [{ domainName: 'mcp example.com' }, 'domainName must be a lowercase DNS name'],
  [{ accessLogRetention: Duration.days(0) }, 'accessLogRetention (days) must be an integer from 1 to 3650, got 0'],
  [{ accessLogRetention: Duration.hours(60) }, 'accessLogRetention (days) must be an integer from 1 to 3650, got 2.5'],
  [
    { accessLogRetentionDays: 30 },
    'accessLogRetentionDays was replaced by accessLogRetention (a Duration: Duration.days(n)), got accessLogRetentionDays: 30',
  ],
  [
    { environment: { PORT: '9090' } },
    'environment.PORT would override a variable McpService sets itself; set containerPort',
  ],
  [
    { environment: { MCP_PATH: '/x' } },
    'environment.MCP_PATH would override a variable McpService sets itself; set mcpPath',
  ],
  [
    { environment: { SERVICE_NAME: 'x' } },
    'environment.SERVICE_NAME would override a variable McpService sets itself; set serviceName',
  ],
  [{ environment: { ALLOWED_ORIGINS: '*' } }, 'environment.ALLOWED_ORIGINS would override'],
  [{ environment: { KEEPALIVE_INTERVAL_MS: '1' } }, 'environment.KEEPALIVE_INTERVAL_MS would override'],
  [{ environment: { SHUTDOWN_GRACE_MS: '1' } }, 'environment.SHUTDOWN_GRACE_MS would override'],
  [
    {
      secrets: {
        PORT: ecs.Secret.fromSsmParameter({
          parameterArn: 'arn:aws:ssm:eu-west-1:111111111111:parameter/p',
          parameterName: 'p',
        } as never),
      },
    },
    'secrets.PORT would override',
  ],
  [{ environment: { '1BAD': 'x' } }, 'environment key must be a valid environment variable name'],
  [{ environment: { 'BAD-NAME': 'x' } }, 'environment key must be a valid environment variable name'],
  [{ environment: { 'has space': 'x' } }, 'environment key must be a valid environment variable name'],
  [{ environment: { FLAG: 1 } }, 'environment.FLAG must be a string'],
  [{ environment: { FLAG: true } }, 'environment.FLAG must be a string'],
  [{ allowedOrigins: ['*'] }, 'allowedOrigins[0] must be an exact origin like https://app.example.com'],
  [{ allowedOrigins: ['app.example.com'] }, 'allowedOrigins[0] must be an origin'],
  [{ allowedOrigins: ['https://app.example.com/path'] }, 'allowedOrigins[0] must be an origin'],
  [{ allowedOrigins: ['ftp://app.example.com'] }, 'allowedOrigins[0] must be an origin'],
  [{ allowedOrigins: ['https://*.example.com'] }, 'allowedOrigins[0] must be an exact origin'],
  [{ allowedOrigins: ['https://a.example.com,https://b.example.com'] }, 'allowedOrigins[0] must be one origin'],
  [{ allowedOrigins: [''] }, 'allowedOrigins[0] must be an origin'],
  [{ allowedOrigins: ['https://ok.example.com', 'null'] }, 'allowedOrigins[1] must be an origin'],
  [{ allowedOrigins: ['https://app.example.com?x=1'] }, 'allowedOrigins[0] must be an origin'],
  [{ idleTimeout: Duration.seconds(20) }, 'idleTimeout (20 s) must be at least twice'],
  [{ idleTimeout: seconds(120.5) }, 'idleTimeout must be a whole number of seconds'],
  [{ idleTimeout: Duration.hours(2) }, 'idleTimeout must be a whole number of seconds from'],
  [{ stopTimeout: Duration.seconds(200) }, 'stopTimeout must be a whole number of seconds from 2 to 120, got 200'],
  [{ stopTimeout: Duration.seconds(10) }, "the server's shutdown grace (20 s) must be shorter than stopTimeout (10 s)"],
  [{ stopTimeout: seconds(30.5) }, 'stopTimeout must be a whole number of seconds'],
  [{ deregistrationDelay: seconds(0.5) }, 'deregistrationDelay must be a whole number of seconds'],
  [{ deregistrationDelay: Duration.hours(2) }, 'deregistrationDelay must be a whole number of seconds from'],
  [{ healthCheckGracePeriod: seconds(1.5) }, 'healthCheckGracePeriod must be a whole number of seconds'],
  [
    { capacity: CAPACITY, sizing: { taskCpu: 256, taskMemoryMiB: 512, minTasks: 2, maxTasks: 4 } },
    'give either capacity',
  ],
  [
    { sizing: { taskCpu: 300, taskMemoryMiB: 1024, minTasks: 2, maxTasks: 4 } },
    'sizing.taskCpu must be one of 256, 512',
  ],
  [
    { sizing: { taskCpu: 256, taskMemoryMiB: 4096, minTasks: 2, maxTasks: 4 } },
    'sizing.taskMemoryMiB 4096 is not a Fargate size for taskCpu 256',
  ],
  [
    { sizing: { taskCpu: 256, taskMemoryMiB: 512, minTasks: 4, maxTasks: 2 } },
    'sizing.maxTasks (2) must be ≥ sizing.minTasks (4)',
  ],
  [
    { sizing: { taskCpu: 256, taskMemoryMiB: 512, minTasks: 0, maxTasks: 2 } },
    'sizing.minTasks must be an integer from 1 to 1000, got 0',
  ],
  [{ sizing: { taskCpu: 256, taskMemoryMiB: 512, minTasks: 1.5, maxTasks: 2 } }, 'sizing.minTasks must be an integer'],
  [
    { sizing: { taskCpu: 256, taskMemoryMiB: 512, minTasks: 2, maxTasks: 2000 } },
    'sizing.maxTasks must be an integer from 1 to 1000',
  ],
  [
    { sizing: { taskCpu: 256, taskMemoryMiB: 512, minTasks: 2, maxTasks: 4, targetCpuUtilizationPercent: 95 } },
    'sizing.targetCpuUtilizationPercent must be an integer from 10 to 90',
  ],
  [
    { sizing: { taskCpu: 256, taskMemoryMiB: 512, minTasks: 2, maxTasks: 4, requestsPerTaskPerMinute: 0 } },
    'sizing.requestsPerTaskPerMinute must be an integer',
  ],
  [{ capacity: { ...CAPACITY, peakRps: -1 } }, 'capacity: peakRps must be'],
  [{ capacity: { ...CAPACITY, peakRps: Number.NaN } }, 'capacity: peakRps must be'],
  [{ capacity: { ...CAPACITY, meanLatencyMs: 0 } }, 'capacity: meanLatencyMs must be'],
  [{ capacity: { ...CAPACITY, p99LatencyMs: 50 } }, 'capacity: p99LatencyMs must be a finite number ≥ meanLatencyMs'],
  [{ capacity: { ...CAPACITY, availabilityZones: 7 } }, 'capacity: availabilityZones must be an integer from 1 to 6'],
  [{ capacity: { ...CAPACITY, taskCpu: 1024 } }, 'capacity: taskCpu and taskMemoryMiB must be given together'],
  [
    { capacity: { ...CAPACITY, availabilityZones: 4 } },
    'capacity.availabilityZones is 4, but only 3 zones can be assumed',
  ],
  [{ capacity: { ...CAPACITY, availabilityZones: 5 } }, 'name the zones with availabilityZones'],
  [{ availabilityZones: ['eu-west-1a'] }, 'availabilityZones must name at least 2 zones'],
  [{ availabilityZones: [] }, 'availabilityZones must name at least 2 zones'],
  [{ availabilityZones: ['eu-west-1a', 'eu-west-1a'] }, 'availabilityZones must not repeat a zone'],
  [
    { availabilityZones: ['eu-west-1a', 'us-east-1a'] },
    "availabilityZones[1] must be a zone of the stack's region eu-west-1",
  ],
  [
    { availabilityZones: ['eu-west-1a', 'eu-west-10a'] },
    "availabilityZones[1] must be a zone of the stack's region eu-west-1",
  ],
  [{ availabilityZones: ['eu-west-1a', 'EU-WEST-1B'] }, 'availabilityZones[1] must be an availability zone name'],
  [{ availabilityZones: ['eu-west-1a', 'euw1-az2'] }, 'availabilityZones[1] must be an availability zone name'],
  [{ availabilityZones: ['eu-west-1a', 'b'] }, 'availabilityZones[1] must be an availability zone name'],
  [
    { availabilityZones: ['eu-west-1a', 'eu-west-1b'], capacity: { ...CAPACITY, availabilityZones: 3 } },
    'capacity.availabilityZones (3) must equal the number of zones named in availabilityZones (2)',
  ],
].map(([input, fragment]) => ['McpService', input as Record<string, unknown>, fragment as string] as const);

const loggingRows: BadInput[] = (
  [
    [{ bufferInterval: Duration.seconds(901) }, 'bufferInterval (seconds) must be an integer from 0 to 900, got 901'],
    [{ bufferInterval: seconds(1.5) }, 'bufferInterval (seconds) must be an integer from 0 to 900, got 1.5'],
    [{ bufferSize: Size.gibibytes(1) }, 'bufferSize (MiB) must be an integer from 1 to 128, got 1024'],
    [{ bufferSize: Size.kibibytes(1536) }, 'bufferSize (MiB) must be an integer from 1 to 128, got 1.5'],
    [{ auditRetention: logs.RetentionDays.SIX_MONTHS }, 'auditRetention must be at least one year'],
    [
      { auditObjectLockPeriod: Duration.days(0) },
      'auditObjectLockPeriod (days) must be an integer from 1 to 36500, got 0',
    ],
    [{ auditObjectLockPeriod: Duration.hours(36) }, 'auditObjectLockPeriod (days) must be an integer'],
    [
      { auditObjectLockPeriod: Duration.days(40000) },
      'auditObjectLockPeriod (days) must be an integer from 1 to 36500',
    ],
    [
      { auditExpiration: Duration.days(100) },
      'auditExpiration must be at least auditObjectLockPeriod (400 days), got 100 days',
    ],
    [{ auditExpiration: Duration.days(0) }, 'auditExpiration (days) must be an integer'],
    [{ logBucketExpiration: Duration.days(0) }, 'logBucketExpiration (days) must be an integer from 1 to 36500, got 0'],
    [{ logBucketExpiration: Duration.hours(180) }, 'logBucketExpiration (days) must be an integer'],
    // The day counts of an earlier release, from JavaScript (or `as any`): refused, never ignored.
    [
      { auditObjectLockDays: 400 },
      'auditObjectLockDays was replaced by auditObjectLockPeriod (a Duration: Duration.days(n)), got auditObjectLockDays: 400',
    ],
    [{ logBucketExpirationDays: 90 }, 'logBucketExpirationDays was replaced by logBucketExpiration (a Duration'],
    [{ auditExpirationDays: 900 }, 'auditExpirationDays was replaced by auditExpiration (a Duration'],
    [{ streamPrefix: '' }, 'streamPrefix must be 1–128 characters of [A-Za-z0-9_.-]'],
    [{ streamPrefix: 'has space' }, 'streamPrefix must be 1–128 characters'],
    [{ streamPrefix: 'a/b' }, 'streamPrefix must be 1–128 characters'],
    [{ logBufferSize: Size.mebibytes(0) }, 'logBufferSize (MiB) must be a number from 1 to 1024, got 0'],
    [{ logBufferSize: Size.gibibytes(2) }, 'logBufferSize (MiB) must be a number from 1 to 1024, got 2048'],
    [
      { runbookBaseUrl: 'http://runbooks.example.com' },
      'runbookBaseUrl must be an https:// URL without query or fragment',
    ],
    [{ runbookBaseUrl: 'docs/runbooks' }, 'runbookBaseUrl must be an https:// URL without query or fragment'],
    [
      { runbookBaseUrl: 'https://has space.example.com' },
      'runbookBaseUrl must be an https:// URL without query or fragment',
    ],
  ] as const
).map(([input, fragment]) => ['McpLogging', input as Record<string, unknown>, fragment] as const);

const monitoringRows: BadInput[] = (
  [
    [{ period: Duration.seconds(90) }, 'period must be a whole number of minutes, got 90 s'],
    [{ period: Duration.seconds(30) }, 'period must be a whole number of minutes'],
    [{ period: Duration.millis(61500) }, 'period must be a whole number of minutes, got 61.5 s'],
    [{ period: Duration.days(2) }, 'period × evaluationPeriods must be at most one day'],
    [{ evaluationPeriods: 0 }, 'evaluationPeriods must be an integer from 1 to 60, got 0'],
    [{ evaluationPeriods: 2.5 }, 'evaluationPeriods must be an integer'],
    [{ evaluationPeriods: 61 }, 'evaluationPeriods must be an integer from 1 to 60'],
    [{ datapointsToAlarm: 4 }, 'datapointsToAlarm must be an integer from 1 to 3, got 4'],
    [{ datapointsToAlarm: 0 }, 'datapointsToAlarm must be an integer from 1 to 3, got 0'],
    [{ period: Duration.hours(12), evaluationPeriods: 3 }, 'period × evaluationPeriods must be at most one day'],
    [{ trafficAnomalyStdDevs: 0.1 }, 'trafficAnomalyStdDevs must be a number from 0.5 to 10, got 0.1'],
    [{ trafficAnomalyStdDevs: 11 }, 'trafficAnomalyStdDevs must be a number from 0.5 to 10'],
    [{ probeFailureIntervals: 0 }, 'probeFailureIntervals must be an integer from 1 to 10, got 0'],
    [{ probeFailureIntervals: 11 }, 'probeFailureIntervals must be an integer from 1 to 10'],
    [{ probeTimeout: seconds(2.5) }, 'probeTimeout must be a whole number of seconds'],
    [{ probeInterval: seconds(90.5) }, 'probeInterval must be a whole number of seconds'],
    [{ probeTool: { name: 'echo' } }, 'probeTool needs endpointUrl'],
    [{ alarmNamePrefix: '-bad' }, 'alarmNamePrefix must be letters, digits'],
    [{ alarmNamePrefix: 'has space' }, 'alarmNamePrefix must be letters, digits'],
    [{ alarmNamePrefix: 'x'.repeat(129) }, 'alarmNamePrefix must be letters, digits'],
    [{ dashboardName: 'has space' }, 'dashboardName must be letters, digits, _ and -'],
    [{ dashboardName: 'a/b' }, 'dashboardName must be letters, digits, _ and -'],
    [{ dashboardName: '' }, 'dashboardName must be letters, digits, _ and -'],
    [{ runbookBaseUrl: 'http://runbooks.example.com' }, 'runbookBaseUrl must be an https:// URL'],
    [
      { runbookBaseUrl: 'https://runbooks.example.com/x?y=1' },
      'runbookBaseUrl must be an https:// URL without query or fragment',
    ],
    [{ runbookBaseUrl: 'runbooks' }, 'runbookBaseUrl must be an https:// URL'],
    [{ alarmEmails: ['not-an-email'] }, 'alarmEmails[0] must be an e-mail address, got "not-an-email"'],
    [{ alarmEmails: ['ok@example.com', 'a@b'] }, 'alarmEmails[1] must be an e-mail address'],
    [{ alarmEmails: ['two words@example.com'] }, 'alarmEmails[0] must be an e-mail address'],
    [{ alarmHttpsEndpoints: ['http://hooks.example.com'] }, 'alarmHttpsEndpoints[0] must be an https:// URL'],
    [{ alarmHttpsEndpoints: ['hooks.example.com'] }, 'alarmHttpsEndpoints[0] must be an https:// URL'],
    [{ cpuUtilizationPercent: 0 }, 'cpuUtilizationPercent must be a number from 1 to 100, got 0'],
    [{ cpuUtilizationPercent: 120 }, 'cpuUtilizationPercent must be a number from 1 to 100'],
    [{ memoryUtilizationPercent: 101 }, 'memoryUtilizationPercent must be a number from 1 to 100'],
    [{ errorRateMinRequests: 0 }, 'errorRateMinRequests must be an integer'],
    [{ errorRateMinRequests: 1.5 }, 'errorRateMinRequests must be an integer'],
    [{ maxTaskCount: 0 }, 'maxTaskCount must be an integer from 1 to 5000'],
    [{ minTaskCount: 0 }, 'minTaskCount must be an integer from 1 to 5000'],
    [{ baseline: { p50LatencyMs: -1 } }, 'baseline.p50LatencyMs'],
    [{ baseline: { p99LatencyMs: 100 } }, 'baseline.p99LatencyMs must be ≥ baseline.p95LatencyMs'],
    [{ baseline: { errorRatePercent: -1 } }, 'baseline.errorRatePercent'],
  ] as const
).map(([input, fragment]) => ['McpMonitoring', input as Record<string, unknown>, fragment] as const);

const backupRows: BadInput[] = (
  [
    [{ objectLock: { period: Duration.days(45) } }, 'objectLock.period (45 days) must not exceed retention (30 days)'],
    [{ objectLock: { mode: 'STRICT' } }, 'objectLock.mode must be "GOVERNANCE" or "COMPLIANCE", got "STRICT"'],
    [{ objectLock: { period: Duration.days(0) } }, 'objectLock.period (days) must be an integer from 1 to 3650, got 0'],
    [{ objectLock: { days: 7 } }, 'days was replaced by objectLock.period (a Duration: Duration.days(n)), got days: 7'],
    [{ snapshotEveryHours: 12 }, 'snapshotEveryHours was replaced by snapshotInterval (a Duration: Duration.hours(n))'],
    [{ cacheExportEveryHours: 12 }, 'cacheExportEveryHours was replaced by cacheExportInterval (a Duration'],
    [{ schedule: events.Schedule.cron({ minute: '0' }) }, 'slotInterval is required with a non-rate schedule'],
    [
      { schedule: events.Schedule.rate(Duration.hours(2)) },
      'the schedule (every 120 min) must run at least once per rpo (60 min)',
    ],
    [{ schedule: events.Schedule.rate(Duration.minutes(7)) }, 'schedule interval must divide a day evenly'],
    [
      { schedule: events.Schedule.rate(Duration.minutes(1)) },
      'schedule interval (minutes) must be an integer from 5 to 1440, got 1',
    ],
    [
      { slotInterval: seconds(90), schedule: events.Schedule.cron({ minute: '0' }) },
      'slotInterval must be a whole number of minutes',
    ],
    [{ ssmParameterPrefix: 'mcp/prod/' }, 'ssmParameterPrefix must be a parameter path like "/mcp/prod"'],
    [{ ssmParameterPrefix: '/mcp/prod/' }, 'ssmParameterPrefix must be a parameter path'],
    [{ ssmParameterPrefix: '/mcp//prod' }, 'ssmParameterPrefix must be a parameter path'],
    [{ ssmParameterPrefix: '/mcp prod' }, 'ssmParameterPrefix must be a parameter path'],
    [{ retention: Duration.hours(36) }, 'retention (days) must be an integer from 1 to 3650, got 1.5'],
    [{ retention: Duration.days(4000) }, 'retention (days) must be an integer from 1 to 3650'],
    [{ rpo: Duration.seconds(90) }, 'rpo (minutes) must be an integer from 5 to 10080, got 1.5'],
    [{ rpo: Duration.minutes(1) }, 'rpo (minutes) must be an integer from 5 to 10080, got 1'],
    [{ rpo: Duration.days(8) }, 'rpo (minutes) must be an integer from 5 to 10080'],
    [{ cacheBackup: 'snapshot' }, 'cacheBackup must be "export" or "rebuildable", got "snapshot"'],
    [{ cacheReplicationGroupId: 'Bad_Id' }, 'cacheReplicationGroupId must be an ElastiCache replication group id'],
    [
      { cacheReplicationGroupId: 'x'.repeat(41) },
      'cacheReplicationGroupId must be an ElastiCache replication group id',
    ],
    [
      { cacheReplicationGroupId: 'grp', cacheBackup: 'export', cacheExportInterval: Duration.hours(1) },
      'a cache export every 1 h is 24 per day',
    ],
    [
      { cacheReplicationGroupId: 'grp', cacheBackup: 'export', cacheExportInterval: Duration.hours(0) },
      'cacheExportInterval (hours) must be an integer from 1 to 168',
    ],
    [
      { cacheReplicationGroupId: 'grp', cacheBackup: 'export', cacheExportQuotaReserve: 20 },
      'cacheExportQuotaReserve must be an integer from 0 to 19',
    ],
    [{ manualSnapshotQuota: 0 }, 'manualSnapshotQuota must be an integer from 1 to 100000, got 0'],
    [
      {
        replication: {
          destinationBucketArn: 'my-bucket',
          destinationKmsKeyArn: 'arn:aws:kms:eu-central-1:111111111111:key/abc',
        },
      },
      'replication.destinationBucketArn must be an S3 bucket ARN',
    ],
    [
      {
        replication: {
          destinationBucketArn: 'arn:aws:s3:::Bad_Bucket',
          destinationKmsKeyArn: 'arn:aws:kms:eu-central-1:111111111111:key/abc',
        },
      },
      'replication.destinationBucketArn must be an S3 bucket ARN',
    ],
    [
      { replication: { destinationBucketArn: 'arn:aws:s3:::dr-bucket', destinationKmsKeyArn: 'alias/dr' } },
      'replication.destinationKmsKeyArn must be a KMS key ARN',
    ],
    [
      {
        replication: {
          destinationBucketArn: 'arn:aws:s3:::dr-bucket',
          destinationKmsKeyArn: 'arn:aws:kms:eu-central-1:111111111111:alias/dr',
        },
      },
      'replication.destinationKmsKeyArn must be a KMS key ARN',
    ],
    [
      { runbookBaseUrl: 'https://runbooks.example.com/?page=1' },
      'runbookBaseUrl must be an https:// URL without query or fragment',
    ],
    [{ ssmParameterPrefix: undefined }, 'nothing to back up'],
  ] as const
).map(([input, fragment]) => ['McpBackup', input as Record<string, unknown>, fragment] as const);

const pg = (v: string) => rds.PostgresEngineVersion.of(v, v.split('.')[0]);
const dataRows: BadInput[] = (
  [
    [{ database: { username: 'user' } }, 'database.username must not be a PostgreSQL reserved word, got "user"'],
    [{ database: { username: 'select' } }, 'database.username must not be a PostgreSQL reserved word'],
    [{ database: { username: 'all' } }, 'database.username must not be a PostgreSQL reserved word'],
    [{ database: { username: 'rdsadmin' } }, 'database.username must not be a name RDS reserves'],
    [{ database: { username: 'rds_superuser' } }, 'database.username must not be a name RDS reserves'],
    [{ database: { username: 'pg_admin' } }, 'database.username must not be a name PostgreSQL reserves for roles'],
    [{ database: { username: 'public' } }, 'database.username must not be a name PostgreSQL reserves'],
    [{ database: { username: 'Admin' } }, 'database.username must be a lowercase identifier of at most 16 characters'],
    [
      { database: { username: 'a'.repeat(17) } },
      'database.username must be a lowercase identifier of at most 16 characters',
    ],
    [{ database: { username: '1admin' } }, 'database.username must be a lowercase identifier'],
    [{ database: { databaseName: 'select' } }, 'database.databaseName must not be a PostgreSQL reserved word'],
    [{ database: { databaseName: 'My-Db' } }, 'database.databaseName must be a lowercase PostgreSQL identifier'],
    [{ database: { databaseName: 'a'.repeat(64) } }, 'database.databaseName must be a lowercase PostgreSQL identifier'],
    [
      { database: { engineVersion: pg('16.99') } },
      'database.engineVersion must be a PostgreSQL version aws-cdk-lib knows',
    ],
    [
      { database: { engineVersion: pg('99.1') } },
      'database.engineVersion must be a PostgreSQL version aws-cdk-lib knows (rds.PostgresEngineVersion.VER_…), got "99.1"',
    ],
    [
      { database: { backupRetention: Duration.days(0) } },
      'database.backupRetention (days) must be an integer from 1 to 35, got 0',
    ],
    [
      { database: { backupRetention: Duration.days(36) } },
      'database.backupRetention (days) must be an integer from 1 to 35',
    ],
    [
      { database: { backupRetention: Duration.hours(36) } },
      'database.backupRetention (days) must be an integer from 1 to 35, got 1.5',
    ],
    [{ database: { allocatedStorage: 10 } }, 'database.allocatedStorage must be an integer from 20 to 65536, got 10'],
    [{ database: { allocatedStorage: 50.5 } }, 'database.allocatedStorage must be an integer'],
    [
      { database: { allocatedStorage: 100, maxAllocatedStorage: 50 } },
      'database.maxAllocatedStorage must be an integer from 100 to 65536, got 50',
    ],
    [{ database: { port: 80 } }, 'database.port must be an integer from 1150 to 65535, got 80'],
    [{ database: { preferredBackupWindow: '2am' } }, 'database.preferredBackupWindow must be hh24:mi-hh24:mi (UTC)'],
    [
      { database: { preferredBackupWindow: '02:00-02:10' } },
      'database.preferredBackupWindow must last at least 30 minutes',
    ],
    [{ database: { preferredBackupWindow: '25:00-25:30' } }, 'database.preferredBackupWindow must be hh24:mi-hh24:mi'],
    [{ cache: { replicas: 6 } }, 'cache.replicas must be an integer from 0 to 5, got 6'],
    [{ cache: { replicas: 0 } }, 'cache.multiAz needs cache.replicas ≥ 1, got replicas 0'],
    [
      { cache: { snapshotRetention: Duration.days(0) } },
      'cache.snapshotRetention (days) must be an integer from 1 to 35, got 0',
    ],
    [
      { cache: { snapshotRetention: Duration.hours(12) } },
      'cache.snapshotRetention (days) must be an integer from 1 to 35, got 0.5',
    ],
    [
      { cache: { snapshotRetentionDays: 14 } },
      'snapshotRetentionDays was replaced by cache.snapshotRetention (a Duration: Duration.days(n)), got snapshotRetentionDays: 14',
    ],
    [{ cache: { port: 80 } }, 'cache.port must be an integer from 1024 to 65535, got 80'],
    [{ cache: { nodeType: 'm7g.large' } }, 'cache.nodeType must be an ElastiCache node type'],
    [{ cache: { nodeType: 'cache.M7G.large' } }, 'cache.nodeType must be an ElastiCache node type'],
    [{ cache: { snapshotWindow: '03:00-03:30' } }, 'cache.snapshotWindow must last at least 60 minutes'],
    [{ cache: { snapshotWindow: 'nightly' } }, 'cache.snapshotWindow must be hh24:mi-hh24:mi'],
    [{ cache: { engine: 'memcached' } }, 'cache.engine must be "valkey" or "redis", got "memcached"'],
    [{ cache: { engineVersion: '8' } }, 'cache.engineVersion must be an engine version such as 8.0'],
    [{ cache: { engineVersion: 'latest' } }, 'cache.engineVersion must be an engine version'],
    // Before jsii (issue 16) database and cache took `true` or `false`; a JavaScript caller can still pass them
    [
      { database: false },
      'database must be an options object: give database: {} for the defaults, or database: { enabled: false } to leave it out; got false',
    ],
    [{ database: true }, 'database must be an options object: give database: {} for the defaults'],
    [
      { cache: false },
      'cache must be an options object: give cache: {} for the defaults, or cache: { enabled: false } to leave it out; got false',
    ],
    [{ cache: true }, 'cache must be an options object: give cache: {} for the defaults'],
    [
      { cache: 'valkey' },
      'cache must be an options object: give cache: {} for the defaults, or cache: { enabled: false } to leave it out; got "valkey"',
    ],
  ] as const
).map(([input, fragment]) => ['McpDataTier', input as Record<string, unknown>, fragment] as const);

const drRows: BadInput[] = (
  [
    [{ rpo: Duration.seconds(30) }, 'rpo must be from 1 minute to 7 days'],
    [{ rpo: Duration.days(8) }, 'rpo must be from 1 minute to 7 days'],
    [{ rpo: seconds(90.5) }, 'rpo must be a whole number of seconds'],
    [{ rto: Duration.minutes(2) }, 'rto must be from 5 minutes to 1 day'],
    [{ rto: Duration.days(2) }, 'rto must be from 5 minutes to 1 day'],
    [{ rto: seconds(600.5) }, 'rto must be a whole number of seconds'],
    [
      { rto: Duration.minutes(10), withDatabase: true },
      'rto 10 minutes cannot be met: the RTO model (lib/dr/rto-model.ts) estimates',
    ],
    [{ rto: Duration.minutes(15), withDatabase: true }, 'rto 15 minutes cannot be met'],
    [{ pollInterval: Duration.seconds(5) }, 'pollInterval must be from 10 to 300 seconds'],
    [{ pollInterval: Duration.minutes(10) }, 'pollInterval must be from 10 to 300 seconds'],
    [{ pollInterval: seconds(15.5) }, 'pollInterval must be a whole number of seconds'],
    [{ restoreTimeout: Duration.seconds(20) }, 'restoreTimeout must be longer than pollInterval'],
    [
      { restoreTimeout: Duration.days(2) },
      'restoreTimeout must be longer than pollInterval (30 seconds) and at most 1 day',
    ],
    [{ approvalTimeout: Duration.seconds(30) }, 'approvalTimeout must be from 1 minute to 1 day'],
    [{ approvalTimeout: seconds(90.5) }, 'approvalTimeout must be a whole number of seconds'],
    [{ executionTimeout: Duration.hours(1) }, 'executionTimeout must exceed restoreTimeout + approvalTimeout'],
    [{ executionTimeout: seconds(20000.5) }, 'executionTimeout must be a whole number of seconds'],
    [{ drillOverdueAfter: Duration.hours(12) }, 'drillOverdueAfter must be from 1 to 30 days'],
    [{ drillOverdueAfter: Duration.days(31) }, 'drillOverdueAfter must be from 1 to 30 days'],
    [{ runbookBaseUrl: 'has space' }, 'runbookBaseUrl must be an https:// URL without query or fragment'],
    [{ runbookBaseUrl: '' }, 'runbookBaseUrl must be an https:// URL without query or fragment'],
    [{ databaseInstanceClass: 'm7g.large' }, 'databaseInstanceClass must look like db.t4g.medium'],
    [{ databaseInstanceClass: 'db.M7G.large' }, 'databaseInstanceClass must look like db.t4g.medium'],
    [{ readinessCommand: [] }, 'readinessCommand must not be empty'],
    [
      { fromBackupOf: 'other-svc' },
      'must be the serviceName of the McpBackup whose bucket is backupBucket ("other-svc")',
    ],
    // RecoveryScenario and DatabaseRestoreMethod are enums; a JavaScript caller can still pass any string
    [
      { rtoSizing: { scenario: 'moon' } },
      'rtoSizing: RTO model: scenario must be "in-place" or "region-loss", got "moon"',
    ],
    [
      { rtoSizing: { databaseMethod: 'clone' } },
      'rtoSizing: RTO model: databaseMethod must be "pitr" or "snapshot", got "clone"',
    ],
  ] as const
).map(([input, fragment]) => ['McpDisasterRecovery', input as Record<string, unknown>, fragment] as const);

const contextRows: BadInput[] = (
  [
    [{ peakRps: 'lots' }, 'context peakRps: expected a number, got "lots"'],
    [{ peakRps: '' }, undefined],
    [{ peakRps: '-5' }, 'capacity: peakRps must be'],
    [{ peakRps: '0' }, 'capacity: peakRps must be'],
    [{ peakRps: 'Infinity' }, 'context peakRps: expected a number'],
    [{ peakRps: 'NaN' }, 'context peakRps: expected a number'],
    [{ peakRps: '1e400' }, 'context peakRps: expected a number'],
    [{ peakRps: true }, 'context peakRps: expected a number'],
    [{ peakRps: [1] }, 'context peakRps: expected a number'],
    [{ meanLatencyMs: 'fast' }, 'context meanLatencyMs: expected a number'],
    [{ meanLatencyMs: '-1' }, 'capacity: meanLatencyMs must be'],
    [{ p99LatencyMs: '10' }, 'capacity: p99LatencyMs must be a finite number ≥ meanLatencyMs'],
    [{ p99LatencyMs: 'slow' }, 'context p99LatencyMs: expected a number'],
    [{ cpuSecondsPerRequest: 'x' }, 'context cpuSecondsPerRequest: expected a number'],
    [{ cpuSecondsPerRequest: '0' }, 'capacity: cpuSecondsPerRequest must be'],
    [{ memoryPerConnectionMiB: 'x' }, 'context memoryPerConnectionMiB: expected a number'],
    [{ memoryPerConnectionMiB: '-10' }, 'capacity: memoryPerConnectionMiB must be'],
    [{ streamOpensPerSecond: '-1' }, 'capacity: streamOpensPerSecond must be'],
    [{ streamOpensPerSecond: 'x' }, 'context streamOpensPerSecond: expected a number'],
    [{ meanStreamDurationSeconds: 'x' }, 'context meanStreamDurationSeconds: expected a number'],
    [{ headroom: 'x' }, 'context headroom: expected a number'],
    [{ headroom: '-1' }, 'capacity: headroom must be'],
    [{ headroom: '11' }, 'capacity: headroom must be'],
    [{ survivesAzLoss: 'yes' }, 'context survivesAzLoss: expected true or false, got "yes"'],
    [{ survivesAzLoss: '1' }, 'context survivesAzLoss: expected true or false'],
    [{ availabilityZones: '2.5' }, 'context availabilityZones: expected a whole number'],
    [{ availabilityZones: '1' }, 'context availabilityZones: expected at least 2'],
    [{ availabilityZones: '0' }, 'context availabilityZones: expected at least 2'],
    [{ availabilityZones: '4' }, 'context availabilityZones: expected at most 3 without availabilityZoneNames'],
    [{ availabilityZones: '6' }, 'every Region has at least three zones'],
    [
      { availabilityZones: '3', availabilityZoneNames: 'eu-west-1a,eu-west-1b' },
      'at most the 2 zones named in availabilityZoneNames',
    ],
    [{ availabilityZones: 'three' }, 'context availabilityZones: expected a whole number'],
    [{ availabilityZoneNames: 'us-east-1a,us-east-1b' }, 'context availabilityZoneNames: expected zones of eu-west-1'],
    [{ availabilityZoneNames: 'eu-west-1a,eu-west-1a' }, 'context availabilityZoneNames: expected distinct zones'],
    [{ availabilityZoneNames: 'a,b' }, 'context availabilityZoneNames: expected zones of eu-west-1'],
    [{ availabilityZoneNames: 'eu-west-1a,euw1-az2' }, 'context availabilityZoneNames: expected zones of eu-west-1'],
    [{ availabilityZoneNames: 42 }, 'context availabilityZoneNames: expected a comma-separated list'],
    [{ taskCpu: '1024' }, 'capacity: taskCpu and taskMemoryMiB must be given together'],
    [{ taskMemoryMiB: '2048' }, 'capacity: taskCpu and taskMemoryMiB must be given together'],
    [{ taskCpu: '1000', taskMemoryMiB: '2048' }, 'capacity: taskCpu must be one of the Fargate CPU values'],
    [{ taskCpu: '256', taskMemoryMiB: '8192' }, 'capacity: taskMemoryMiB'],
    [{ taskCpu: '1024.5', taskMemoryMiB: '2048' }, 'context taskCpu: expected a whole number'],
    [{ account: '123' }, 'context account: expected a 12-digit AWS account id'],
    [{ account: '1111111111111' }, 'context account: expected a 12-digit AWS account id'],
    [{ account: 'my-account' }, 'context account: expected a 12-digit AWS account id'],
    [{ account: 111111111111 }, 'context account: expected a string'],
    [{ region: 'Europe' }, 'context region: expected an AWS region such as eu-west-1'],
    [{ region: 'eu-west' }, 'context region: expected an AWS region'],
    [{ region: 'EU-WEST-1' }, 'context region: expected an AWS region'],
    [{ region: 'eu-west-1a' }, 'context region: expected an AWS region'],
    [{ stackName: '1stack' }, 'context stackName: expected a CloudFormation stack name'],
    [{ stackName: 'my_stack' }, 'context stackName: expected a CloudFormation stack name'],
    [{ stackName: 'a'.repeat(129) }, 'context stackName: expected a CloudFormation stack name'],
    [{ stackName: 'A'.repeat(60) }, 'the Firehose stream name'],
    [{ alarmEmails: 'not-an-email' }, 'context alarmEmails: expected email addresses, got "not-an-email"'],
    [{ alarmEmails: 'ok@example.com,bad' }, 'context alarmEmails: expected email addresses, got "bad"'],
    [{ alarmEmails: 7 }, 'context alarmEmails: expected a comma-separated list'],
    [{ certificateArn: 'my-cert' }, 'context certificateArn: expected an ACM certificate ARN'],
    [
      { certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' },
      "context certificateArn: expected a certificate in region eu-west-1 (the load balancer's region)",
    ],
    [
      { certificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/abc' },
      'context certificateArn: expected a certificate of account 111111111111',
    ],
    [
      { certificateArn: 'arn:aws:iam::111111111111:server-certificate/x' },
      'context certificateArn: expected an ACM certificate ARN',
    ],
    [{ domainName: 'MCP.example.com' }, 'context domainName: expected a lowercase DNS name'],
    [{ domainName: 'https://mcp.example.com' }, 'context domainName: expected a lowercase DNS name'],
    [{ domainName: 'localhost' }, 'context domainName: expected a lowercase DNS name'],
    [{ runbookBaseUrl: 'http://runbooks.example.com' }, 'context runbookBaseUrl: expected an https:// URL'],
    [
      { runbookBaseUrl: 'https://x.example.com/a?b=c' },
      'context runbookBaseUrl: expected an https:// URL without query or fragment',
    ],
    [{ allowedOrigins: '*' }, 'context allowedOrigins: expected origins like https://app.example.com'],
    [{ allowedOrigins: 'app.example.com' }, 'context allowedOrigins: expected origins'],
    [{ allowedOrigins: 'https://app.example.com/path' }, 'context allowedOrigins: expected origins'],
    [{ allowedOrigins: 'https://ok.example.com,https://*.example.com' }, 'got "https://*.example.com"'],
    [{ dataTier: 'yes' }, 'context dataTier: expected true or false, got "yes"'],
    [{ dataTier: 'off' }, 'context dataTier: expected true or false'],
    [{ deletionProtection: 'no' }, 'context deletionProtection: expected true or false, got "no"'],
    [{ deletionProtection: 0 }, 'context deletionProtection: expected true or false'],
    [{ peakRPS: '10' }, 'context peakRPS: unknown setting. Known settings: account, region'],
    [{ servicename: 'x' }, 'context servicename: unknown setting'],
    [{ peakRps: 'x', region: 'Europe' }, '2 invalid context settings'],
  ] as const
)
  .filter(([, fragment]) => fragment !== undefined)
  .map(([input, fragment]) => ['context', input as Record<string, unknown>, fragment as string] as const);

/** Every row of the table. */
export const BAD_INPUTS: readonly BadInput[] = [
  ...serviceNameRows,
  ...serviceRows,
  ...loggingRows,
  ...monitoringRows,
  ...backupRows,
  ...dataRows,
  ...drRows,
  ...contextRows,
];
