/**
 * The backup Lambda: bundle size (as McpOpsFunction bundles it), cold import time of the bundle in
 * a fresh node process, and the wall time of one full backup run against s3rver on 127.0.0.1 with
 * RDS, ElastiCache, SSM and ECS answered by aws-sdk-client-mock (figures only, never asserted).
 */
import { mockClient } from 'aws-sdk-client-mock';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeAccountAttributesCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  DescribeSnapshotsCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { runBackup } from '../lambda/backup/run';
import { parseBackupEnv } from '../lib/backup/handler-config';
import { startLocalS3 } from '../test/support/s3-server';
import { bundleFigures, median, printTable } from './util';

export const title = 'Backup Lambda: bundle size, cold import, one backup run (s3rver + mocked AWS APIs)';

const RUNS = 10;

export async function run(): Promise<void> {
  const { bytes, gzippedBytes: gzipped, coldImportMs: coldMs } = await bundleFigures('backup', 7);

  const s3 = await startLocalS3(['bench-backups']);
  const rds = mockClient(RDSClient);
  const ec = mockClient(ElastiCacheClient);
  const ssm = mockClient(SSMClient);
  const ecs = mockClient(ECSClient);
  const mocks = [rds, ec, ssm, ecs];
  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [
      { LatestRestorableTime: new Date(), BackupRetentionPeriod: 7, Engine: 'postgres', EngineVersion: '16.13' },
    ],
  });
  rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  rds
    .on(DescribeAccountAttributesCommand)
    .resolves({ AccountQuotas: [{ AccountQuotaName: 'ManualSnapshots', Used: 0, Max: 100 }] });
  ec.on(DescribeReplicationGroupsCommand).resolves({
    ReplicationGroups: [{ Engine: 'valkey', MemberClusters: ['c-001'] }],
  });
  ec.on(DescribeCacheClustersCommand).resolves({ CacheClusters: [{ EngineVersion: '8.0.1' }] });
  ec.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  ssm.on(GetParametersByPathCommand).resolves({
    Parameters: Array.from({ length: 50 }, (_, i) => ({
      Name: `/mcp/p${i}`,
      Type: 'String',
      Value: 'x'.repeat(200),
      Version: 1,
    })),
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: { family: 'mcp', revision: 1, containerDefinitions: [{ name: 'mcp', image: 'mcp:1' }] },
  });
  const times: number[] = [];
  try {
    const config = parseBackupEnv({
      BACKUP_BUCKET: 'bench-backups',
      SERVICE_NAME: 'bench',
      SSM_PARAMETER_PREFIX: '/mcp',
      TASK_DEFINITION: 'mcp',
      DB_INSTANCE_ID: 'db',
      CACHE_REPLICATION_GROUP_ID: 'c',
      DB_SNAPSHOT_EVERY_HOURS: '168',
      BACKUP_INTERVAL_MINUTES: '5',
    });
    const base = Date.UTC(2026, 0, 5);
    for (let i = 0; i < RUNS + 1; i++) {
      const slot = new Date(base + i * 5 * 60_000);
      const start = process.hrtime.bigint();
      await runBackup(
        { slot: slot.toISOString() },
        {
          config,
          s3: new S3Client(s3.clientConfig),
          rds: new RDSClient({ region: 'eu-west-1' }),
          elasticache: new ElastiCacheClient({ region: 'eu-west-1' }),
          ssm: new SSMClient({ region: 'eu-west-1' }),
          ecs: new ECSClient({ region: 'eu-west-1' }),
          now: () => new Date(slot.getTime() + 1000),
          logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
          metrics: { record: () => undefined },
        },
      );
      if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e6); // first run is warm-up
    }
  } finally {
    for (const m of mocks) m.restore();
    await s3.stop();
  }
  printTable([
    ['bundle size (minified)', `${(bytes / 1024).toFixed(0)} KiB`],
    ['bundle size (gzip)', `${(gzipped / 1024).toFixed(0)} KiB`],
    ['cold import (median of 7)', `${coldMs.toFixed(0)} ms`],
    [`backup run, s3rver (median of ${RUNS})`, `${median(times).toFixed(1)} ms`],
  ]);
}
