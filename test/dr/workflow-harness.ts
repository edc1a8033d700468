/**
 * Harness for executing the synthesized DR state machine locally: the real restore handler with
 * AWS clients mocked by aws-sdk-client-mock, S3 on a local s3rver, and backups written by the test.
 */
import { createHash } from 'crypto';
import { gzipSync } from 'zlib';
import { Template } from 'aws-cdk-lib/assertions';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import {
  CreateReplicationGroupCommand,
  DeleteReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { AwsClientStub } from 'aws-sdk-client-mock';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  BackupComponent,
  BackupManifest,
  MANIFEST_SCHEMA_VERSION,
  backupIdForSlot,
  componentPrefix,
  manifestKey,
  parseManifest,
} from '../../lib/backup/manifest';
import { handler } from '../../lambda/restore/index';
import { resetClients } from '../../lambda/restore/aws';
import { Definition, TaskImpl, definitionFromTemplate, localArn, runLocally, LocalRunResult } from './local-sfn';
import { PROBE_ARN } from './fixture';

/** An AWS SDK service error as the clients throw it (`name` is what the handler classifies). */
export function awsError(name: string, message = name): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/**
 * ElastiCache as the restore sees it when everything goes well: a replication group is created, is
 * `available` at once with a primary endpoint `<id>.<domain>:6379`, and can be deleted.
 */
export function fakeCacheRestore(ec: AwsClientStub<ElastiCacheClient>, domain = 'cache.local'): void {
  ec.on(CreateReplicationGroupCommand).callsFake((i) => ({
    ReplicationGroup: { ReplicationGroupId: i.ReplicationGroupId, Status: 'creating' },
  }));
  ec.on(DescribeReplicationGroupsCommand).callsFake((i) => ({
    ReplicationGroups: [
      {
        ReplicationGroupId: i.ReplicationGroupId,
        Status: 'available',
        NodeGroups: [{ PrimaryEndpoint: { Address: `${i.ReplicationGroupId}.${domain}`, Port: 6379 } }],
      },
    ],
  }));
  ec.on(DeleteReplicationGroupCommand).resolves({});
}

/** Everything a scenario needs from the synthesized stack. */
export interface SynthesizedWorkflow {
  readonly definition: Definition;
  readonly functionLogicalId: string;
  /** The function's environment with tokens rendered (`ref:<id>`). */
  readonly environment: Record<string, string>;
}

function renderValue(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  if (typeof o.Ref === 'string')
    return o.Ref === 'AWS::Partition'
      ? 'aws'
      : o.Ref === 'AWS::Region'
        ? 'eu-west-1'
        : o.Ref === 'AWS::AccountId'
          ? '111111111111'
          : `ref:${o.Ref}`;
  if (o['Fn::GetAtt']) return `getatt:${(o['Fn::GetAtt'] as string[]).join('.')}`;
  if (o['Fn::Join']) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(renderValue).join(sep);
  }
  return JSON.stringify(v);
}

export function synthesizedWorkflow(template: Template): SynthesizedWorkflow {
  const fns = template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { BACKUP_BUCKET: {} } } },
  });
  const ids = Object.keys(fns).filter((id) => id.includes('RestoreFunction'));
  if (ids.length !== 1) throw new Error(`expected one restore function, found ${ids.join(', ')}`);
  const vars = fns[ids[0]].Properties.Environment.Variables as Record<string, unknown>;
  return {
    definition: definitionFromTemplate(template),
    functionLogicalId: ids[0],
    environment: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, renderValue(v)])),
  };
}

/**
 * Writes a backup as the backup Lambda (lambda/backup/run.ts) does: a gzipped configuration
 * document, a manifest whose components are configuration (s3-object), database (pitr) and cache
 * (rebuildable), and supplementary restore points: the newest manual RDS snapshot and the newest
 * ElastiCache export (objects at the bucket root, as CopySnapshot writes them).
 */
export async function writeBackup(
  s3: S3Client,
  bucket: string,
  opts: {
    slot: Date;
    consistencyTime?: Date;
    snapshot?: boolean;
    cacheExport?: boolean;
    /** Age of the newest manual snapshot relative to the slot (snapshots are taken every few hours). @default 6 h */
    snapshotAgeMs?: number;
    configuration?: unknown;
    corruptConfiguration?: boolean;
    service?: string;
  },
): Promise<BackupManifest> {
  const backupId = backupIdForSlot(opts.slot);
  const consistency = (opts.consistencyTime ?? new Date(opts.slot.getTime() + 60_000)).toISOString();
  const service = opts.service ?? 'mcp';
  const config = gzipSync(
    Buffer.from(
      JSON.stringify(
        opts.configuration ?? {
          format: 'mcp-ops-configuration/1',
          service,
          capturedAt: consistency,
          ssmParameterPrefix: '/mcp/',
          ssmParameters: [{ name: '/mcp/flags', type: 'String', value: 'echo' }],
          taskDefinition: null,
          secrets: [],
        },
      ),
    ),
  );
  const configKey = `${componentPrefix(backupId)}configuration.json.gz`;
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: configKey,
      Body: opts.corruptConfiguration ? Buffer.concat([config, Buffer.from('x')]) : config,
    }),
  );
  const components: BackupComponent[] = [
    {
      name: 'configuration',
      kind: 's3-object',
      reference: `s3://${bucket}/${configKey}`,
      consistencyTime: consistency,
      s3Key: configKey,
      sizeBytes: config.length,
      sha256: createHash('sha256').update(config).digest('hex'),
    },
    {
      name: 'database',
      kind: 'pitr',
      reference: 'prod-db',
      consistencyTime: consistency,
      latestRestorableTime: consistency,
      engine: 'postgres',
      engineVersion: '16.4',
    },
    { name: 'cache', kind: 'rebuildable', reference: 'mcp-cache', consistencyTime: consistency, engine: 'valkey' },
  ];
  const supplementary: BackupComponent[] = [];
  if (opts.snapshot !== false) {
    const snapSlot = new Date(opts.slot.getTime() - (opts.snapshotAgeMs ?? 6 * 3_600_000));
    supplementary.push({
      name: 'database',
      kind: 'rds-snapshot',
      reference: `${service}-${backupIdForSlot(snapSlot).toLowerCase()}`,
      consistencyTime: new Date(snapSlot.getTime() + 60_000).toISOString(),
      engine: 'postgres',
      engineVersion: '16.4',
    });
  }
  if (opts.cacheExport !== false) {
    const key = `${service}-cache-export-${backupId}-0001.rdb`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'REDIS0011' }));
    supplementary.push({
      name: 'cache',
      kind: 'elasticache-export',
      reference: `${service}-cache-${backupId.toLowerCase()}`,
      consistencyTime: consistency,
      s3Key: key,
      sizeBytes: 9,
      engine: 'valkey',
    });
  }
  const manifest = parseManifest({
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    backupId,
    slot: opts.slot.toISOString(),
    consistencyTime: consistency,
    createdAt: new Date(Date.parse(consistency) + 120_000).toISOString(),
    service,
    components,
    ...(supplementary.length ? { supplementary } : {}),
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: manifestKey(backupId),
      Body: JSON.stringify(manifest, null, 2),
      ContentType: 'application/json',
    }),
  );
  return manifest;
}

let bucketCounter = 0;
/** A new empty bucket on the local server. */
export async function newBucket(s3: S3Client): Promise<string> {
  const name = `backups-${++bucketCounter}-${process.pid}`;
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** What the approver does with an approval request. */
export type Approver = (message: Record<string, unknown>) => 'approve' | 'reject';

/** The stopped-task description `ecs:runTask.sync` returns. */
export type ReadinessOutcome = { exitCode: number } | 'task-failed';

export interface ScenarioOptions {
  readonly workflow: SynthesizedWorkflow;
  readonly bucket: string;
  readonly s3Endpoint: string;
  readonly input: unknown;
  readonly executionName: string;
  readonly approver?: Approver;
  readonly readiness?: ReadinessOutcome;
  /** What the probe Lambda returns (or throws). */
  readonly probe?: () => Promise<unknown>;
  /** The Region the Lambda runs in. @default 'eu-west-1' */
  readonly region?: string;
  /** Further Task resources (e.g. the probe function of a synthesized stack, by its `arn:local:` ARN). */
  readonly resources?: Record<string, TaskImpl>;
  /** Runs after the execution, while the Lambda's environment (AWS_REGION…) is still in place. */
  readonly afterRun?: () => Promise<void>;
}

/** Runs one execution of the workflow with the real handler. */
export async function runScenario(o: ScenarioOptions): Promise<LocalRunResult> {
  const saved = { ...process.env };
  Object.assign(process.env, o.workflow.environment, {
    BACKUP_BUCKET: o.bucket,
    S3_ENDPOINT: o.s3Endpoint,
    AWS_REGION: o.region ?? 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  resetClients();
  const region = o.region ?? 'eu-west-1';
  const sns = new SNSClient({ region });
  const sfn = new SFNClient({ region });
  const ecs = new ECSClient({ region });
  const publish: TaskImpl = async (p) =>
    sns.send(
      new PublishCommand({
        TopicArn: p.TopicArn as string,
        Subject: p.Subject as string,
        Message: typeof p.Message === 'string' ? p.Message : JSON.stringify(p.Message),
      }),
    );
  const resources: Record<string, TaskImpl> = {
    ...o.resources,
    [localArn(o.workflow.functionLogicalId)]: async (payload) => {
      if (process.env.DR_DEBUG) console.log(JSON.stringify(payload).slice(0, 3000));
      return handler(payload as never);
    },
    [PROBE_ARN]: o.probe ?? (async () => ({ success: true })),
    'arn:aws:states:::sns:publish': publish,
    'arn:aws:states:::sns:publish.waitForTaskToken': async (p) => {
      await publish(p);
      const message = (typeof p.Message === 'string' ? JSON.parse(p.Message) : p.Message) as Record<string, unknown>;
      const token = message.taskToken as string;
      const decision = (o.approver ?? (() => 'approve'))(message);
      if (decision === 'approve') {
        const output = JSON.stringify({ approved: true, approver: 'oncall' });
        await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output }));
        return JSON.parse(output);
      }
      await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'ApprovalRejected', cause: 'not now' }));
      const err = new Error('not now');
      err.name = 'ApprovalRejected';
      throw err;
    },
    'arn:aws:states:::ecs:runTask.sync': async (p) => {
      const started = await ecs.send(new RunTaskCommand(p as never));
      const outcome = o.readiness ?? { exitCode: 0 };
      if (outcome === 'task-failed') {
        const err = new Error('Task failed to start');
        err.name = 'States.TaskFailed';
        throw err;
      }
      const name = (p.Overrides as { ContainerOverrides: Array<{ Name: string }> }).ContainerOverrides[0].Name;
      return {
        TaskArn: started.tasks?.[0]?.taskArn,
        LastStatus: 'STOPPED',
        StopCode: 'EssentialContainerExited',
        StoppedReason: 'Essential container in task exited',
        Containers: [{ Name: name, ExitCode: outcome.exitCode, LastStatus: 'STOPPED' }],
      };
    },
  };
  try {
    const result = await runLocally({
      definition: o.workflow.definition,
      resources,
      input: o.input,
      executionName: o.executionName,
    });
    await o.afterRun?.();
    return result;
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    resetClients();
  }
}
