/**
 * Malformed events, per Lambda handler (backup, restore, log indexer, audit indexer): each is rejected with
 * an error that names the handler and what is wrong, never a TypeError; and a failed S3 read names the
 * bucket and the key. S3 is a real S3-compatible server on 127.0.0.1 (s3rver); an AWS-side refusal
 * (AccessDenied) is injected with SDK middleware.
 */
import '../dr/quiet-logs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { BackupDeps, runBackup, s3ClientConfig } from '../../lambda/backup';
import { indexLogObjects, LogIndexerDeps } from '../../lambda/log-indexer';
import { indexAuditObjects, IndexerDeps } from '../../lambda/log-transform';
import { handler as restoreHandler } from '../../lambda/restore/index';
import { resetClients } from '../../lambda/restore/aws';
import { parseBackupEnv } from '../../lib/backup/handler-config';
import { LocalS3, startLocalS3 } from '../support/s3-server';

const BUCKET = 'malformed';
const NOW = new Date('2026-11-25T07:10:00Z');
let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  const c = s3.client();
  await c.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: 'logs/not-gzip.gz', Body: Buffer.from([0x1f, 0x8b, 1, 2, 3]) }),
  );
  await c.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: 'audit/not-gzip.gz', Body: Buffer.from([0x1f, 0x8b, 9, 9]) }),
  );
  await c.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: 'manifests/20261125T0700Z.json', Body: Buffer.from('{not json') }),
  );
});
afterAll(() => s3.stop());

/** An S3 client of the local server that refuses GetObject and HeadObject (AccessDenied). */
function deniedS3(): S3Client {
  const c = new S3Client(s3.clientConfig);
  c.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetObjectCommand' || context.commandName === 'HeadObjectCommand')
        throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      return next(args);
    },
    { step: 'initialize', name: 'deny' },
  );
  return c;
}

/** The error a call rejects (or throws) with. */
async function failure(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function expectClear(err: Error, owner: RegExp, fragment: string | RegExp): void {
  expect(err).toBeInstanceOf(Error);
  expect(err).not.toBeInstanceOf(TypeError);
  expect(err.name).not.toBe('TypeError');
  expect(err.message).toMatch(owner);
  if (typeof fragment === 'string') expect(err.message).toContain(fragment);
  else expect(err.message).toMatch(fragment);
}

// ------------------------------------------------------------------------------------------ backup

describe('backup handler', () => {
  const env = {
    BACKUP_BUCKET: BUCKET,
    SERVICE_NAME: 'mcp',
    BACKUP_INTERVAL_MINUTES: '60',
    SSM_PARAMETER_PREFIX: '/mcp',
  };
  const deps = (s3Client?: S3Client): BackupDeps => {
    const config = parseBackupEnv({ ...env, S3_ENDPOINT: s3.endpoint });
    return {
      config,
      s3: s3Client ?? new S3Client({ ...s3.clientConfig, ...s3ClientConfig(config) }),
      rds: new RDSClient({ region: 'eu-west-1' }),
      elasticache: new ElastiCacheClient({ region: 'eu-west-1' }),
      ssm: new SSMClient({ region: 'eu-west-1' }),
      ecs: new ECSClient({ region: 'eu-west-1' }),
      now: () => NOW,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: { record: () => undefined },
    };
  };

  test.each<[string, unknown, string]>([
    ['null', null, 'the event must be a JSON object'],
    ['a string', 'run', 'the event must be a JSON object'],
    ['a number', 42, 'the event must be a JSON object'],
    ['an array', [], 'the event must be a JSON object'],
    [
      'another EventBridge event',
      { 'detail-type': 'Object Created', source: 'aws.s3' },
      'detail-type must be "Scheduled Event"',
    ],
    [
      'an event without detail-type',
      { source: 'aws.events', time: '2026-11-25T07:00:00Z' },
      'detail-type must be "Scheduled Event"',
    ],
    [
      'a scheduled event without time',
      { 'detail-type': 'Scheduled Event', source: 'aws.events' },
      'event field time must be an ISO 8601 time',
    ],
    [
      'a scheduled event with a bad time',
      { 'detail-type': 'Scheduled Event', time: 'yesterday' },
      'event field time must be an ISO 8601 time, got "yesterday"',
    ],
    ['a numeric slot', { slot: 5 }, 'event field slot must be an ISO 8601 time, got 5'],
    ['a null slot', { slot: null }, 'event field slot must be an ISO 8601 time'],
    ['a slot that is not a time', { slot: 'soon' }, 'event field slot must be an ISO 8601 time, got "soon"'],
    ['a slot in the future', { slot: '2999-01-01T00:00:00Z' }, 'is in the future'],
    ['unknown fields', { run: true }, 'unknown event fields run'],
  ])('%s', async (_name, event, fragment) => {
    expectClear(await failure(() => runBackup(event, deps())), /^backup: /, fragment);
  });

  test('a refused S3 read names the bucket and the key', async () => {
    const err = await failure(() => runBackup({ slot: '2026-11-25T06:00:00Z' }, deps(deniedS3())));
    expectClear(err, /^backup: /, `cannot read s3://${BUCKET}/manifests/20261125T0600Z.json: AccessDenied`);
    expect(err.name).toBe('AccessDenied');
  });

  test('an unreadable manifest names the bucket and the key', async () => {
    const err = await failure(() => runBackup({ slot: '2026-11-25T07:00:00Z' }, deps()));
    expectClear(err, /^backup: /, `s3://${BUCKET}/manifests/20261125T0700Z.json is not JSON`);
  });
});

// ----------------------------------------------------------------------------------------- restore

describe('restore handler', () => {
  const ENV = {
    SERVICE_NAME: 'mcp',
    BACKUP_BUCKET: BUCKET,
    RPO_SECONDS: '3600',
    STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111111111111:stateMachine:S-mcp-disaster-recovery',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, ENV, { S3_ENDPOINT: s3.endpoint });
    resetClients();
  });
  afterAll(() => {
    for (const k of [...Object.keys(ENV), 'S3_ENDPOINT']) if (!(k in saved)) delete process.env[k];
    resetClients();
  });
  const plan = {
    executionName: 'drill-20261125T0700Z',
    startedAt: '2026-11-25T07:00:00Z',
    request: { mode: 'drill' },
    restoreId: 'mcp-dr-0abc123',
    recoveryPoint: {
      backupId: '20261125T0600Z',
      dataLossSeconds: 600,
      configuration: { s3Key: 'backups/20261125T0600Z/configuration.json.gz', sha256: '00', sizeBytes: 1 },
    },
    database: { enabled: false },
    configuration: { enabled: true },
    cache: { enabled: false },
  };

  test.each<[string, unknown, string]>([
    ['null', null, 'the event must be a JSON object with an action'],
    ['a string', 'resolve', 'the event must be a JSON object with an action'],
    ['an array', [{ action: 'resolve' }], 'the event must be a JSON object with an action'],
    ['no action', {}, 'unknown action undefined'],
    ['a numeric action', { action: 5 }, 'unknown action 5'],
    ['an unknown action', { action: 'restore-everything' }, 'unknown action "restore-everything"'],
    [
      'a step without its plan',
      { action: 'start-database-restore' },
      'start-database-restore: plan must be the output of the resolve step',
    ],
    [
      'a plan that is a string',
      { action: 'check-database', plan: 'plan' },
      'check-database: plan must be the output of the resolve step',
    ],
    ['an empty plan', { action: 'restore-configuration', plan: {} }, 'restore-configuration: plan must be'],
    [
      'a plan without request',
      { action: 'start-cache-restore', plan: { ...plan, request: undefined } },
      'start-cache-restore: plan must be',
    ],
    ['a plan with a numeric restore id', { action: 'verify', plan: { ...plan, restoreId: 5 } }, 'verify: plan must be'],
    [
      'a plan without a recovery point',
      { action: 'check-cache', plan: { ...plan, recoveryPoint: null } },
      'check-cache: plan must be',
    ],
    [
      'a previous status that is not an object',
      { action: 'check-database', plan, database: 'creating' },
      'check-database: database must be the previous status check',
    ],
    [
      'a previous cache status that is a number',
      { action: 'check-cache', plan, cache: 3 },
      'check-cache: cache must be the previous status check',
    ],
    ['cut-over without its plan', { action: 'cutover', restored: {} }, 'cutover: plan must be'],
    [
      'cut-over with restored as a string',
      { action: 'cutover', plan: { ...plan, request: { mode: 'recover' } }, restored: 'db' },
      'cutover: restored must be an object',
    ],
    [
      'a deployment check without the cut-over',
      { action: 'check-deployment' },
      'check-deployment: cutover must be the output of the cutover step',
    ],
    [
      'a deployment check with a bad cut-over',
      { action: 'check-deployment', cutover: { cluster: 1 } },
      'check-deployment: cutover must be',
    ],
    ['a report without outcome', { action: 'report', plan }, 'report: outcome must be a non-empty string'],
    [
      'a report with a numeric outcome',
      { action: 'report', plan, outcome: 1 },
      'report: outcome must be a non-empty string',
    ],
    ['a report without plan', { action: 'report', outcome: 'succeeded' }, 'report: plan must be'],
    ['a drill without its time', { action: 'start-drill' }, 'scheduledTime must be an ISO 8601 time'],
    [
      'a drill with a bad time',
      { action: 'start-drill', scheduledTime: 'monday' },
      'scheduledTime must be an ISO 8601 time, got "monday"',
    ],
    [
      'a clean-up without plan or execution name',
      { action: 'cleanup' },
      'cleanup needs the plan or the execution name',
    ],
    [
      'a resolve without execution',
      { action: 'resolve', request: { mode: 'drill' } },
      'execution name and start time are required',
    ],
  ])('%s', async (_name, event, fragment) => {
    const err = await failure(() => restoreHandler(event as never));
    expectClear(err, /./, fragment);
    expect(err.name).toBe('InvalidInput');
  });

  test('a failed read of the configuration backup names the bucket and the key', async () => {
    const err = await failure(() => restoreHandler({ action: 'restore-configuration', plan } as never));
    expectClear(
      err,
      /^restore: /,
      `cannot read s3://${BUCKET}/backups/20261125T0600Z/configuration.json.gz: NoSuchKey`,
    );
    expect(err.name).toBe('NoSuchKey');
  });
});

// ----------------------------------------------------------------------------- the two log indexers

const record = (over: Record<string, unknown>) => ({
  eventSource: 'aws:s3',
  eventName: 'ObjectCreated:Put',
  eventTime: '2026-11-25T07:03:20.000Z',
  s3: { bucket: { name: BUCKET }, object: { key: 'logs/x.gz' } },
  ...over,
});

/** Malformed S3 events shared by both indexers; `prefix` is the one each accepts. */
function malformedS3Events(prefix: string): Array<[string, unknown, string]> {
  return [
    ['null', null, 'expected an S3 event notification with Records, got null'],
    ['a string', 'logs/x.gz', 'expected an S3 event notification with Records'],
    ['no Records', {}, 'expected an S3 event notification with Records, got {}'],
    ['Records not a list', { Records: 'x' }, 'expected an S3 event notification with Records'],
    ['no record', { Records: [] }, 'expected an S3 event notification with Records'],
    ['a null record', { Records: [null] }, 'Records[0] must be an aws:s3 record'],
    ['an SQS record', { Records: [record({ eventSource: 'aws:sqs' })] }, 'Records[0] must be an aws:s3 record'],
    ['no s3 part', { Records: [record({ s3: undefined })] }, 'Records[0] must be an aws:s3 record'],
    [
      'a numeric bucket name',
      { Records: [record({ s3: { bucket: { name: 5 }, object: { key: `${prefix}x` } } })] },
      'Records[0] must be an aws:s3 record with a bucket name',
    ],
    [
      'an empty key',
      { Records: [record({ s3: { bucket: { name: BUCKET }, object: { key: '' } } })] },
      'Records[0] must be an aws:s3 record',
    ],
    [
      'a numeric key',
      { Records: [record({ s3: { bucket: { name: BUCKET }, object: { key: 7 } } })] },
      'Records[0] must be an aws:s3 record',
    ],
    [
      'a badly encoded key',
      { Records: [record({ s3: { bucket: { name: BUCKET }, object: { key: `${prefix}%E0%A4%A` } } })] },
      'is not URL-encoded as S3 encodes event keys',
    ],
    [
      'a key outside the prefix',
      { Records: [record({ s3: { bucket: { name: BUCKET }, object: { key: 'other/x.gz' } } })] },
      `is outside ${prefix}`,
    ],
    [
      'a good record then a bad one',
      { Records: [record({ s3: { bucket: { name: BUCKET }, object: { key: `${prefix}x` } } }), {}] },
      'Records[1] must be an aws:s3 record',
    ],
  ];
}

const objectEvent = (key: string) => ({ Records: [record({ s3: { bucket: { name: BUCKET }, object: { key } } })] });

describe('log indexer (OpenSearch)', () => {
  const deps = (s3Client: S3Client = s3.client()): LogIndexerDeps => ({
    s3: s3Client,
    endpoint: 'https://search-x-abc.eu-west-1.es.amazonaws.com',
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
    indexPrefix: 'mcp',
    rotation: 'OneDay',
    retryDurationMs: 0,
    maxAttempts: 1,
    fetch: () => Promise.reject(new Error('no request expected')),
    now: () => NOW.getTime(),
    sleep: async () => undefined,
    random: () => 0.5,
  });

  test.each(malformedS3Events('logs/'))('%s', async (_name, event, fragment) => {
    expectClear(await failure(() => indexLogObjects(event, deps())), /^log indexer: /, fragment);
  });

  test.each<[string, string, boolean, string]>([
    [
      'a missing object',
      'logs/missing.gz',
      false,
      `log indexer: cannot read s3://${BUCKET}/logs/missing.gz: NoSuchKey`,
    ],
    ['a refused read', 'logs/x.gz', true, `log indexer: cannot read s3://${BUCKET}/logs/x.gz: AccessDenied`],
    [
      'an object that is not gzip',
      'logs/not-gzip.gz',
      false,
      `log indexer: s3://${BUCKET}/logs/not-gzip.gz: not valid gzip`,
    ],
  ])('%s names the bucket and the key', async (_name, key, denied, fragment) => {
    expectClear(
      await failure(() => indexLogObjects(objectEvent(key), deps(denied ? deniedS3() : undefined))),
      /^log indexer: /,
      fragment,
    );
  });
});

describe('audit indexer (log-transform)', () => {
  const deps = (s3Client: S3Client = s3.client()): IndexerDeps => ({
    s3: s3Client,
    logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
    logGroupName: '/mcp/S/mcp/audit',
    now: () => NOW.getTime(),
  });

  test.each(malformedS3Events('audit/'))('%s', async (_name, event, fragment) => {
    expectClear(await failure(() => indexAuditObjects(event, deps())), /^audit indexer: /, fragment);
  });

  test.each<[string, string, boolean, string]>([
    [
      'a missing object',
      'audit/missing.gz',
      false,
      `audit indexer: cannot read s3://${BUCKET}/audit/missing.gz: NoSuchKey`,
    ],
    ['a refused read', 'audit/x.gz', true, `audit indexer: cannot read s3://${BUCKET}/audit/x.gz: AccessDenied`],
    [
      'an object that is not gzip',
      'audit/not-gzip.gz',
      false,
      `audit indexer: s3://${BUCKET}/audit/not-gzip.gz is not valid gzip`,
    ],
  ])('%s names the bucket and the key', async (_name, key, denied, fragment) => {
    expectClear(
      await failure(() => indexAuditObjects(objectEvent(key), deps(denied ? deniedS3() : undefined))),
      /^audit indexer: /,
      fragment,
    );
  });
});
