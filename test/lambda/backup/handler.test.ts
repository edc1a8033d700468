/**
 * The backup Lambda against a real S3-compatible server (s3rver on 127.0.0.1) with RDS,
 * ElastiCache, SSM and ECS mocked by aws-sdk-client-mock.
 */
import { createHash } from 'crypto';
import { gunzipSync } from 'zlib';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateDBSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeAccountAttributesCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  DBSnapshotAlreadyExistsFault,
} from '@aws-sdk/client-rds';
import {
  CopySnapshotCommand,
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  DescribeSnapshotsCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { startLocalS3, LocalS3 } from '../../support/s3-server';
import { handler, resetForTests, runBackup, s3ClientConfig, BackupDeps, MetricPoint } from '../../../lambda/backup';
import { parseBackupEnv } from '../../../lib/backup/handler-config';
import { manifestKey, parseManifest, parseSupplementary } from '../../../lib/backup/manifest';
import { BACKUP_TAG_KEY } from '../../../lib/backup/selection';

const BUCKET = 'backup-bucket';
const rds = mockClient(RDSClient);
const ec = mockClient(ElastiCacheClient);
const ssm = mockClient(SSMClient);
const ecs = mockClient(ECSClient);

const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:mcp/db-AbCdEf';
const baseEnv = {
  BACKUP_BUCKET: BUCKET,
  SERVICE_NAME: 'mcp-server',
  SSM_PARAMETER_PREFIX: '/mcp/prod',
  TASK_DEFINITION: 'mcp-server',
  SECRET_ARNS: SECRET,
  DB_INSTANCE_ID: 'mcp-db',
  DB_KEEP_NEWEST_SNAPSHOTS: '2',
  DB_SNAPSHOT_RETENTION_HOURS: '72',
  CACHE_REPLICATION_GROUP_ID: 'mcp-cache',
  CACHE_BACKUP_MODE: 'export',
};

const scheduled = (iso: string) => ({
  version: '0',
  id: 'e1',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '111111111111',
  time: iso,
  region: 'eu-west-1',
  resources: [],
  detail: {},
});

let s3: LocalS3;
let client: S3Client;
let clockNow = new Date('2026-11-25T00:00:20Z');

function ownSnapshot(id: string, created: string, status = 'available') {
  return {
    DBSnapshotIdentifier: id,
    SnapshotCreateTime: new Date(created),
    Status: status,
    Engine: 'postgres',
    EngineVersion: '16.4',
    TagList: [{ Key: BACKUP_TAG_KEY, Value: 'mcp-server' }],
  };
}

function setUpMocks(): void {
  rds.reset();
  ec.reset();
  ssm.reset();
  ecs.reset();
  rds.on(DescribeDBInstancesCommand).callsFake(() => ({
    DBInstances: [
      {
        DBInstanceIdentifier: 'mcp-db',
        LatestRestorableTime: new Date(clockNow.getTime() - 4 * 60_000),
        BackupRetentionPeriod: 7,
        Engine: 'postgres',
        EngineVersion: '16.4',
      },
    ],
  }));
  rds.on(DescribeDBSnapshotsCommand).resolves({
    DBSnapshots: [
      ownSnapshot('mcpops-mcp-server-db-20261124t0000z', '2026-11-24T00:02:00Z'),
      ownSnapshot('mcpops-mcp-server-db-20261121t0000z', '2026-11-21T00:02:00Z'),
      ownSnapshot('mcpops-mcp-server-db-20261120t0000z', '2026-11-20T00:02:00Z'),
      // Someone else's manual snapshot, and one with our prefix but without our tag: never touched.
      {
        DBSnapshotIdentifier: 'before-upgrade',
        SnapshotCreateTime: new Date('2026-10-01T00:00:00Z'),
        Status: 'available',
        TagList: [],
      },
      {
        DBSnapshotIdentifier: 'mcpops-mcp-server-db-20261001t0000z',
        SnapshotCreateTime: new Date('2026-10-01T00:00:00Z'),
        Status: 'available',
        TagList: [],
      },
    ],
  });
  rds
    .on(DescribeAccountAttributesCommand)
    .resolves({ AccountQuotas: [{ AccountQuotaName: 'ManualSnapshots', Used: 12, Max: 100 }] });
  rds.on(CreateDBSnapshotCommand).resolves({});
  rds.on(DeleteDBSnapshotCommand).resolves({});
  ec.on(DescribeReplicationGroupsCommand).resolves({
    ReplicationGroups: [
      { ReplicationGroupId: 'mcp-cache', Engine: 'valkey', MemberClusters: ['mcp-cache-001', 'mcp-cache-002'] },
    ],
  });
  ec.on(DescribeCacheClustersCommand).resolves({
    CacheClusters: [{ CacheClusterId: 'mcp-cache-001', EngineVersion: '8.0.1' }],
  });
  ec.on(DescribeSnapshotsCommand).resolves({
    Snapshots: [
      {
        SnapshotName: 'automatic.mcp-cache-2026-11-23-03-00',
        SnapshotSource: 'automated',
        SnapshotStatus: 'available',
        NodeSnapshots: [{ SnapshotCreateTime: new Date('2026-11-23T03:00:00Z') }],
      },
      {
        SnapshotName: 'automatic.mcp-cache-2026-11-24-03-00',
        SnapshotSource: 'automated',
        SnapshotStatus: 'available',
        NodeSnapshots: [{ SnapshotCreateTime: new Date('2026-11-24T03:00:00Z') }],
      },
      // Newer, but someone's manual backup (not ours to export) and one still being created.
      {
        SnapshotName: 'before-migration',
        SnapshotSource: 'manual',
        SnapshotStatus: 'available',
        NodeSnapshots: [{ SnapshotCreateTime: new Date('2026-11-24T20:00:00Z') }],
      },
      {
        SnapshotName: 'automatic.mcp-cache-2026-11-25-03-00',
        SnapshotSource: 'automated',
        SnapshotStatus: 'creating',
        NodeSnapshots: [{ SnapshotCreateTime: new Date('2026-11-25T03:00:00Z') }],
      },
    ],
  });
  // ElastiCache writes the export into the bucket itself; simulate that with a real object.
  ec.on(CopySnapshotCommand).callsFake(async (input: { TargetSnapshotName: string; TargetBucket: string }) => {
    await client.send(
      new PutObjectCommand({
        Bucket: input.TargetBucket,
        Key: `${input.TargetSnapshotName}-0001.rdb`,
        Body: Buffer.alloc(1234, 7),
      }),
    );
    return {};
  });
  ssm.on(GetParametersByPathCommand, { NextToken: undefined }).resolves({
    Parameters: [{ Name: '/mcp/prod/log-level', Type: 'String', Value: 'INFO', Version: 3 }],
    NextToken: 'page2',
  });
  ssm.on(GetParametersByPathCommand, { NextToken: 'page2' }).resolves({
    Parameters: [{ Name: '/mcp/prod/api-key', Type: 'SecureString', Value: 'AQICAH-ciphertext', Version: 1 }],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      family: 'mcp-server',
      revision: 7,
      containerDefinitions: [
        {
          name: 'mcp',
          image: 'repo/mcp:1.2.3',
          secrets: [{ name: 'DATABASE_PASSWORD', valueFrom: `${SECRET}:password::` }],
        },
      ],
    },
  });
}

async function getObject(key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function listAll(prefix = ''): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

function deps(overrides: Partial<BackupDeps> = {}, points: MetricPoint[] = []): BackupDeps {
  const config = parseBackupEnv({ ...baseEnv, S3_ENDPOINT: s3.endpoint });
  return {
    config,
    s3: new S3Client({ ...s3.clientConfig, ...s3ClientConfig(config) }),
    rds: new RDSClient({ region: 'eu-west-1' }),
    elasticache: new ElastiCacheClient({ region: 'eu-west-1' }),
    ssm: new SSMClient({ region: 'eu-west-1' }),
    ecs: new ECSClient({ region: 'eu-west-1' }),
    now: () => clockNow,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { record: (p) => points.push(p) },
    ...overrides,
  };
}

/** An S3 client that fails PUTs whose key matches `pattern` (an S3 outage mid-run). */
function failingS3(pattern: RegExp): S3Client {
  const c = new S3Client(s3.clientConfig);
  c.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string };
      if (context.commandName === 'PutObjectCommand' && input.Key && pattern.test(input.Key)) {
        throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
          name: 'InternalError',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'failPuts' },
  );
  return c;
}

const saved = { ...process.env };
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  client = s3.client();
});
afterAll(async () => {
  process.env = saved;
  rds.restore();
  ec.restore();
  ssm.restore();
  ecs.restore();
  await s3.stop();
});
beforeEach(() => {
  setUpMocks();
  clockNow = new Date('2026-11-25T00:00:20Z');
});

describe('backup Lambda', () => {
  test('a full run writes the components, then the manifest with correct checksums (handler, S3_ENDPOINT from env)', async () => {
    Object.assign(process.env, baseEnv, {
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    resetForTests();
    const logSpy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let result;
    try {
      result = await handler(scheduled('2026-11-25T00:00:00Z'));
    } finally {
      logSpy.mockRestore();
      resetForTests();
    }
    expect(result.status).toBe('created');
    expect(result.backupId).toBe('20261125T0000Z');

    const manifest = parseManifest(JSON.parse((await getObject(manifestKey('20261125T0000Z'))).toString('utf8')));
    expect(manifest).toMatchObject({
      backupId: '20261125T0000Z',
      slot: '2026-11-25T00:00:00.000Z',
      service: 'mcp-server',
    });
    expect(manifest.components.map((c) => `${c.name}:${c.kind}`)).toEqual([
      'configuration:s3-object',
      'database:pitr',
      'cache:rebuildable',
    ]);

    // Configuration: the stored bytes match the manifest's size and SHA-256, and contain no secret values.
    const conf = manifest.components[0];
    expect(conf.s3Key).toBe('backups/20261125T0000Z/configuration.json.gz');
    const bytes = await getObject(conf.s3Key!);
    expect(conf.sizeBytes).toBe(bytes.length);
    expect(conf.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const doc = JSON.parse(gunzipSync(bytes).toString('utf8'));
    expect(doc.ssmParameters).toEqual([
      { name: '/mcp/prod/api-key', type: 'SecureString', version: 1 },
      { name: '/mcp/prod/log-level', type: 'String', version: 3, value: 'INFO' },
    ]);
    expect(doc.taskDefinition).toMatchObject({ family: 'mcp-server', revision: 7 });
    expect(doc.secrets).toEqual([{ arn: SECRET, name: 'mcp/db' }]);
    expect(JSON.stringify(doc)).not.toContain('AQICAH-ciphertext');

    // Database: PITR point, engine version; consistency time is the earliest component time.
    expect(manifest.components[1]).toMatchObject({
      reference: 'mcp-db',
      latestRestorableTime: '2026-11-24T23:56:20.000Z',
      engine: 'postgres',
      engineVersion: '16.4',
    });
    expect(manifest.consistencyTime).toBe('2026-11-24T23:56:20.000Z');
    expect(manifest.components[2]).toMatchObject({ reference: 'mcp-cache', engine: 'valkey', engineVersion: '8.0.1' });

    // The daily snapshot was due: created with our tags, named after the slot.
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(1);
    expect(rds.commandCalls(CreateDBSnapshotCommand)[0].args[0].input).toEqual({
      DBInstanceIdentifier: 'mcp-db',
      DBSnapshotIdentifier: 'mcpops-mcp-server-db-20261125t0000z',
      Tags: [
        { Key: BACKUP_TAG_KEY, Value: 'mcp-server' },
        { Key: 'mcp-ops:backup-id', Value: '20261125T0000Z' },
      ],
    });
    // The daily cache export: newest available backup into the bucket, recorded and listed as a supplementary restore point.
    expect(ec.commandCalls(CopySnapshotCommand)[0].args[0].input).toEqual({
      SourceSnapshotName: 'automatic.mcp-cache-2026-11-24-03-00',
      TargetSnapshotName: 'mcpops-mcp-server-cache-20261125t0000z',
      TargetBucket: BUCKET,
    });
    const supplementary = parseSupplementary(manifest);
    expect(supplementary).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'database',
          kind: 'rds-snapshot',
          reference: 'mcpops-mcp-server-db-20261124t0000z',
        }),
        expect.objectContaining({
          name: 'cache',
          kind: 'elasticache-export',
          reference: 'automatic.mcp-cache-2026-11-24-03-00',
          s3Key: 'mcpops-mcp-server-cache-20261125t0000z-0001.rdb',
          sizeBytes: 1234,
          consistencyTime: '2026-11-24T03:00:00.000Z',
          engineVersion: '8.0.1',
        }),
      ]),
    );

    // Pruning after the commit: only our tagged snapshots past 72 h, keeping the newest 2.
    // (the snapshot started by this run is still "creating", so the newest 2 available are 24 and 21 Nov)
    expect(result.pruned).toEqual(['mcpops-mcp-server-db-20261120t0000z']);
    expect(rds.commandCalls(DeleteDBSnapshotCommand).map((c) => c.args[0].input.DBSnapshotIdentifier)).toEqual(
      result.pruned,
    );
  });

  test('every PUT on the wire carries If-None-Match: * and a SHA-256 checksum (the bucket policy denies PUTs without it; Object Lock needs a checksum)', async () => {
    const c = new S3Client({
      ...s3.clientConfig,
      ...s3ClientConfig(parseBackupEnv({ ...baseEnv, S3_ENDPOINT: s3.endpoint })),
    });
    const puts: Array<{ key: string; headers: Record<string, string> }> = [];
    c.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand') {
          const req = args.request as { headers: Record<string, string> };
          puts.push({
            key: (args.input as { Key: string }).Key,
            headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v])),
          });
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordPuts' },
    );
    const result = await runBackup(
      { slot: '2026-11-20T11:00:00Z' },
      deps({ s3: c, now: () => new Date('2026-11-20T11:00:05Z') }),
    );
    expect(result.status).toBe('created');
    // configuration object, cache export record, manifest (last)
    expect(puts.map((p) => p.key)).toEqual([
      'backups/20261120T1100Z/configuration.json.gz',
      'cache-exports/mcpops-mcp-server-cache-20261120t1100z.json',
      'manifests/20261120T1100Z.json',
    ]);
    for (const p of puts) {
      expect(p.headers['if-none-match']).toBe('*');
      expect(p.headers['x-amz-checksum-sha256']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
  });

  test('metrics: success per component, duration, bytes and age', async () => {
    const points: MetricPoint[] = [];
    await runBackup({ slot: '2026-11-25T01:00:00Z' }, deps({ now: () => new Date('2026-11-25T01:00:05Z') }, points));
    const success = points.filter((p) => p.name === 'BackupSuccess').map((p) => `${p.component}=${p.value}`);
    expect(success).toEqual(['configuration=1', 'database=1', 'cache=1', 'database-snapshot=1', 'run=1']);
    expect(points).toContainEqual({
      name: 'BackupBytes',
      unit: 'Bytes',
      value: expect.any(Number),
      component: 'configuration',
    });
    expect(points.filter((p) => p.name === 'BackupDurationMs').map((p) => p.component)).toEqual([
      'configuration',
      'database',
      'cache',
      'run',
    ]);
    expect(points).toContainEqual({ name: 'BackupAgeSeconds', unit: 'Seconds', value: 0 });
  });

  test('a rerun of the same slot returns the committed backup and does nothing', async () => {
    clockNow = new Date('2026-11-25T02:00:20Z');
    const first = await runBackup(scheduled('2026-11-25T02:00:00Z'), deps());
    const before = await listAll();
    setUpMocks();
    clockNow = new Date('2026-11-25T02:40:00Z');
    const points: MetricPoint[] = [];
    const again = await runBackup(scheduled('2026-11-25T02:00:00Z'), deps({}, points));
    expect(again.status).toBe('exists');
    expect(again.manifest).toEqual(first.manifest);
    expect(await listAll()).toEqual(before);
    for (const m of [rds, ec, ssm, ecs]) expect(m.calls()).toHaveLength(0);
    expect(points).toEqual([{ name: 'BackupAgeSeconds', unit: 'Seconds', value: 2400 - 20 }]);
  });

  test('an S3 failure mid-run leaves no manifest, earlier backups intact; the retry reuses the stored object without overwriting', async () => {
    const earlier = await runBackup(
      { slot: '2026-11-25T03:00:00Z' },
      deps({ now: () => new Date('2026-11-25T03:00:10Z') }),
    );
    const earlierKeys = await listAll('backups/20261125T0300Z/');
    const earlierBytes = await Promise.all(earlierKeys.map(getObject));
    const earlierManifest = await getObject(manifestKey(earlier.backupId));
    setUpMocks();

    const points: MetricPoint[] = [];
    const failing = deps({ s3: failingS3(/^manifests\//), now: () => new Date('2026-11-25T04:00:10Z') }, points);
    await expect(runBackup({ slot: '2026-11-25T04:00:00Z' }, failing)).rejects.toThrow(/internal error/);
    expect(await listAll('manifests/20261125T0400Z')).toEqual([]);
    // The component written before the failure is there, but without a manifest it does not count.
    expect(await listAll('backups/20261125T0400Z/')).toEqual(['backups/20261125T0400Z/configuration.json.gz']);
    expect(points.filter((p) => p.component === 'run' && p.name === 'BackupSuccess')).toEqual([
      { name: 'BackupSuccess', unit: 'Count', value: 0, component: 'run' },
    ]);
    expect(points).toContainEqual({ name: 'BackupAgeSeconds', unit: 'Seconds', value: 3600 });
    // Nothing was deleted by the failed run.
    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
    // Earlier backup untouched.
    expect(await listAll('backups/20261125T0300Z/')).toEqual(earlierKeys);
    expect(await Promise.all(earlierKeys.map(getObject))).toEqual(earlierBytes);
    expect(await getObject(manifestKey(earlier.backupId))).toEqual(earlierManifest);

    // Retry of the slot (S3 healthy again): the stored configuration is reused byte for byte, the manifest written.
    const storedConf = await getObject('backups/20261125T0400Z/configuration.json.gz');
    const retry = await runBackup(
      { slot: '2026-11-25T04:00:00Z' },
      deps({ now: () => new Date('2026-11-25T04:05:00Z') }),
    );
    expect(retry.status).toBe('created');
    expect(await getObject('backups/20261125T0400Z/configuration.json.gz')).toEqual(storedConf);
    expect(retry.manifest.components[0]).toMatchObject({
      sha256: createHash('sha256').update(storedConf).digest('hex'),
      consistencyTime: '2026-11-25T04:00:10.000Z',
    });
  });

  test('a concurrent run that commits first wins: S3 answers 412 to our conditional PUT and its manifest stands', async () => {
    const theirs = new S3Client(s3.clientConfig);
    const racing = new S3Client(s3.clientConfig);
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string; IfNoneMatch?: string };
        if (context.commandName === 'PutObjectCommand' && input.Key === manifestKey('20261125T0800Z')) {
          expect(input.IfNoneMatch).toBe('*');
          // The other run commits between our existence check and our PUT; real S3 then rejects ours.
          const other = JSON.stringify({
            schemaVersion: 1,
            backupId: '20261125T0800Z',
            slot: '2026-11-25T08:00:00.000Z',
            consistencyTime: '2026-11-25T07:59:00.000Z',
            createdAt: '2026-11-25T08:00:30.000Z',
            service: 'mcp-server',
            components: [
              {
                name: 'database',
                kind: 'pitr',
                reference: 'mcp-db',
                consistencyTime: '2026-11-25T07:59:00.000Z',
                latestRestorableTime: '2026-11-25T07:59:00.000Z',
              },
            ],
          });
          await theirs.send(new PutObjectCommand({ Bucket: BUCKET, Key: input.Key, Body: other }));
          throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
            name: 'PreconditionFailed',
            $metadata: { httpStatusCode: 412 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'race' },
    );
    const r = await runBackup(
      { slot: '2026-11-25T08:00:00Z' },
      deps({ s3: racing, now: () => new Date('2026-11-25T08:00:40Z') }),
    );
    expect(r.status).toBe('exists');
    expect(r.manifest.createdAt).toBe('2026-11-25T08:00:30.000Z');
    expect(JSON.parse((await getObject(manifestKey('20261125T0800Z'))).toString('utf8')).createdAt).toBe(
      '2026-11-25T08:00:30.000Z',
    );
  });

  test('a failing component (RDS) fails the run: no manifest, no snapshot pruning', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const points: MetricPoint[] = [];
    await expect(
      runBackup({ slot: '2026-11-25T05:00:00Z' }, deps({ now: () => new Date('2026-11-25T05:00:10Z') }, points)),
    ).rejects.toThrow('Rate exceeded');
    expect(await listAll('manifests/20261125T0500Z')).toEqual([]);
    expect(points.filter((p) => p.name === 'BackupSuccess').map((p) => `${p.component}=${p.value}`)).toEqual([
      'configuration=1',
      'database=0',
      'run=0',
    ]);
    expect(rds.commandCalls(DeleteDBSnapshotCommand)).toHaveLength(0);
  });

  test('a database without point-in-time recovery is a clear failure', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ DBInstanceIdentifier: 'mcp-db', BackupRetentionPeriod: 0 }] });
    await expect(
      runBackup({ slot: '2026-11-25T06:00:00Z' }, deps({ now: () => new Date('2026-11-25T06:00:10Z') })),
    ).rejects.toThrow(
      'DB instance mcp-db has no point-in-time recovery (BackupRetentionPeriod 0); enable automated backups',
    );
  });

  test('quota-aware cadence: no snapshot when the account is at its manual-snapshot quota, and the run still succeeds', async () => {
    rds
      .on(DescribeAccountAttributesCommand)
      .resolves({ AccountQuotas: [{ AccountQuotaName: 'ManualSnapshots', Used: 95, Max: 100 }] });
    const warnings: string[] = [];
    const r = await runBackup(
      { slot: '2026-11-26T00:00:00Z' },
      deps({
        now: () => new Date('2026-11-26T00:00:10Z'),
        logger: { info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined },
      }),
    );
    expect(r.status).toBe('created');
    expect(r.snapshotStarted).toBeUndefined();
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
    expect(warnings).toContain('manual DB snapshot skipped: quota');
  });

  test('no second snapshot or cache export inside the same daily window; an existing snapshot id is not an error', async () => {
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolves({ DBSnapshots: [ownSnapshot('mcpops-mcp-server-db-20261127t0000z', '2026-11-27T00:01:00Z')] });
    const r = await runBackup({ slot: '2026-11-27T07:00:00Z' }, deps({ now: () => new Date('2026-11-27T07:00:10Z') }));
    expect(r.snapshotStarted).toBeUndefined();
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);

    setUpMocks();
    rds.on(CreateDBSnapshotCommand).rejects(new DBSnapshotAlreadyExistsFault({ message: 'exists', $metadata: {} }));
    const r2 = await runBackup({ slot: '2026-11-28T00:00:00Z' }, deps({ now: () => new Date('2026-11-28T00:00:10Z') }));
    expect(r2.status).toBe('created');
    expect(r2.cacheExportStarted).toBe('mcpops-mcp-server-cache-20261128t0000z');
    setUpMocks();
    const r3 = await runBackup({ slot: '2026-11-28T01:00:00Z' }, deps({ now: () => new Date('2026-11-28T01:00:10Z') }));
    expect(r3.cacheExportStarted).toBeUndefined();
    expect(ec.commandCalls(CopySnapshotCommand)).toHaveLength(0);
  });

  test('a manual snapshot RDS refuses does not block the commit (PITR is the component): manifest written, the run reports failure, nothing pruned twice', async () => {
    rds
      .on(CreateDBSnapshotCommand)
      .rejects(
        Object.assign(
          new Error(
            'Cannot create a snapshot because the database instance mcp-db is not currently in the available state.',
          ),
          { name: 'InvalidDBInstanceStateFault', $metadata: {} },
        ),
      );
    const points: MetricPoint[] = [];
    const r = await runBackup(
      { slot: '2026-11-17T00:00:00Z' },
      deps({ now: () => new Date('2026-11-17T00:00:10Z') }, points),
    );
    expect(r.status).toBe('created');
    expect(r.snapshotStarted).toBeUndefined();
    expect(r.snapshotError).toMatch(/^InvalidDBInstanceStateFault: Cannot create a snapshot/);
    expect(r.manifest.components.find((c) => c.name === 'database')).toMatchObject({ kind: 'pitr' });
    expect(await listAll('manifests/20261117T0000Z')).toEqual(['manifests/20261117T0000Z.json']);
    const success = points.filter((p) => p.name === 'BackupSuccess').map((p) => `${p.component}=${p.value}`);
    expect(success).toEqual(expect.arrayContaining(['database=1', 'database-snapshot=0', 'run=0']));
    expect(success).not.toContain('run=1');

    setUpMocks();
    const r2 = await runBackup({ slot: '2026-11-17T01:00:00Z' }, deps({ now: () => new Date('2026-11-17T01:00:10Z') }));
    expect(r2.snapshotStarted).toBe('mcpops-mcp-server-db-20261117t0100z');
  });

  test('an export ElastiCache refuses does not block the commit: manifest written without it, the run reports failure, the next run retries it', async () => {
    ec.on(CopySnapshotCommand).rejects(
      Object.assign(new Error('ElastiCache has not been granted READ_ACP permissions on the S3 Bucket.'), {
        name: 'InvalidParameterValueException',
        $metadata: {},
      }),
    );
    const points: MetricPoint[] = [];
    const r = await runBackup(
      { slot: '2026-11-18T05:00:00Z' },
      deps({ now: () => new Date('2026-11-18T05:00:10Z') }, points),
    );
    expect(r.status).toBe('created');
    expect(r.cacheExportStarted).toBeUndefined();
    expect(r.cacheExportError).toBe(
      'InvalidParameterValueException: ElastiCache has not been granted READ_ACP permissions on the S3 Bucket.',
    );
    expect(await listAll('manifests/20261118T0500Z')).toEqual(['manifests/20261118T0500Z.json']);
    const cache = r.manifest.components.find((c) => c.name === 'cache')!;
    expect(cache.kind).toBe('rebuildable');
    // No export record, so the export is not counted against the cadence and the next run tries again.
    expect(await listAll('cache-exports/mcpops-mcp-server-cache-20261118t0500z')).toEqual([]);
    const success = points.filter((p) => p.name === 'BackupSuccess').map((p) => `${p.component}=${p.value}`);
    expect(success).toEqual(expect.arrayContaining(['cache=1', 'cache-export=0', 'run=0']));
    expect(success).not.toContain('run=1');

    setUpMocks();
    const points2: MetricPoint[] = [];
    const r2 = await runBackup(
      { slot: '2026-11-18T06:00:00Z' },
      deps({ now: () => new Date('2026-11-18T06:00:10Z') }, points2),
    );
    expect(r2.cacheExportStarted).toBe('mcpops-mcp-server-cache-20261118t0600z');
    expect(points2.filter((p) => p.name === 'BackupSuccess').map((p) => `${p.component}=${p.value}`)).toEqual(
      expect.arrayContaining(['cache-export=1', 'run=1']),
    );
  });

  test('a malformed event is rejected with a clear error and changes nothing', async () => {
    const before = await listAll();
    await expect(runBackup({ 'detail-type': 'Scheduled Event', time: 'not a time' }, deps())).rejects.toThrow(
      'backup: event field time must be an ISO 8601 time, got "not a time"',
    );
    await expect(runBackup('run please', deps())).rejects.toThrow(/must be a JSON object/);
    expect(await listAll()).toEqual(before);
    for (const m of [rds, ec, ssm, ecs]) expect(m.calls()).toHaveLength(0);
  });

  test('missing configuration is a clear error before anything happens', async () => {
    process.env = { ...saved, AWS_REGION: 'eu-west-1', SERVICE_NAME: 'mcp-server' };
    resetForTests();
    await expect(handler({})).rejects.toThrow(
      'backup configuration: BACKUP_BUCKET is not set (the backup bucket name)',
    );
    for (const m of [rds, ec, ssm, ecs]) expect(m.calls()).toHaveLength(0);
    resetForTests();
  });
});
