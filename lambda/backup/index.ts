/**
 * The scheduled backup Lambda. Configuration comes from the environment (see
 * lib/backup/handler-config.ts); the run itself is in run.ts.
 *
 * `S3_ENDPOINT` is for tests only: when set, the S3 client talks path-style to that endpoint and
 * computes checksums only when an operation requires them (what s3rver supports). In AWS it is unset.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { RDSClient } from '@aws-sdk/client-rds';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ECSClient } from '@aws-sdk/client-ecs';
import { BackupHandlerConfig, parseBackupEnv } from '../../lib/backup/handler-config';
import { MCP_OPS_NAMESPACE } from '../../lib/internal/metrics';
import { BackupDeps, BackupResult, MetricPoint, MetricsSink, runBackup } from './run';

export { runBackup } from './run';
export type { BackupDeps, BackupResult, MetricPoint, MetricsSink } from './run';

/** The S3 client options for a configuration: the SDK defaults in AWS, s3rver-compatible settings when S3_ENDPOINT is set (tests). */
export function s3ClientConfig(config: BackupHandlerConfig): S3ClientConfig {
  if (!config.s3Endpoint) return {};
  return {
    endpoint: config.s3Endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** A sink that emits every point as CloudWatch EMF through Powertools Metrics (namespace McpOps, dimension service). */
export class EmfMetricsSink implements MetricsSink {
  private readonly metrics: Metrics;
  constructor(service: string) {
    this.metrics = new Metrics({ namespace: MCP_OPS_NAMESPACE, serviceName: service });
  }
  record(point: MetricPoint): void {
    const single = this.metrics.singleMetric();
    if (point.component) single.addDimension('component', point.component);
    single.addMetric(point.name, MetricUnit[point.unit], point.value);
  }
}

let cached: BackupDeps | undefined;

function defaultDeps(): BackupDeps {
  if (cached) return cached;
  const config = parseBackupEnv(process.env);
  const logger = new Logger({ serviceName: config.service, persistentKeys: { log_type: 'app' } });
  cached = {
    config,
    s3: new S3Client(s3ClientConfig(config)),
    rds: new RDSClient({}),
    elasticache: new ElastiCacheClient({}),
    ssm: new SSMClient({}),
    ecs: new ECSClient({}),
    now: () => new Date(),
    logger: {
      info: (m, e) => logger.info(m, e ?? {}),
      warn: (m, e) => logger.warn(m, e ?? {}),
      error: (m, e) => logger.error(m, e ?? {}),
    },
    metrics: new EmfMetricsSink(config.service),
  };
  return cached;
}

/** Resets the cached clients and configuration (tests change the environment between cases). */
export function resetForTests(): void {
  cached = undefined;
}

/** Lambda entry point: EventBridge scheduled event, `{"slot": "<ISO time>"}` or `{}`. */
export async function handler(event: unknown): Promise<BackupResult> {
  return runBackup(event, defaultDeps());
}
