/**
 * Scheduled synthetic MCP probe. Each invocation runs one probe against the public endpoint
 * (see probe.ts) and records, in namespace `McpOps` (configurable) with dimension `service`:
 *   - `ProbeSuccess`: 1 when every step passed, else 0 (always written);
 *   - `ProbeLatencyMs`: wall time of the whole probe, written only for successful probes so the
 *     latency graph is not polluted by timeouts and refusals (failures show in ProbeSuccess).
 * A failing service is not an error of this function: it records 0 and returns the result.
 * Invalid configuration is: it throws (nothing is recorded, and the probe alarm, which treats
 * missing data as breaching, fires).
 */
import {
  CloudWatchClient,
  PutMetricDataCommand,
  StandardUnit,
  type MetricDatum,
  type PutMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { Logger } from '@aws-lambda-powertools/logger';
import { probeConfigFromEnv, type ProbeConfig } from './config';
import { runProbe, type ProbeResult } from './probe';

export { ProbeConfigError, probeConfigFromEnv } from './config';
export type { ProbeConfig } from './config';
export { runProbe, classifyError } from './probe';
export type { ProbeResult, ProbeErrorType, ProbeStage } from './probe';

/** The logging calls the handler makes (Powertools Logger in production, a capture in tests). */
export interface ProbeLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

function powertoolsLogger(serviceName: string): ProbeLogger {
  const logger = new Logger({ serviceName, persistentKeys: { log_type: 'app', component: 'mcp-probe' } });
  return {
    info: (m, e) => logger.info(m, e as never),
    warn: (m, e) => logger.warn(m, e as never),
    error: (m, e) => logger.error(m, e as never),
  };
}

/** Dependencies of the handler, injectable for tests. */
export interface HandlerDeps {
  /** @default a CloudWatchClient created on first use */
  readonly cloudWatch?: CloudWatchClient;
  /** @default process.env (read on every invocation) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default Powertools Logger with service = SERVICE_NAME */
  readonly logger?: ProbeLogger;
  /** Wall clock for metric timestamps. @default () => new Date() */
  readonly now?: () => Date;
}

/** Builds the PutMetricData input for one probe result. Pure; exported for tests. */
export function metricDataFor(config: ProbeConfig, result: ProbeResult, timestamp: Date): PutMetricDataCommandInput {
  const dimensions = [{ Name: 'service', Value: config.serviceName }];
  const data: MetricDatum[] = [
    {
      MetricName: 'ProbeSuccess',
      Dimensions: dimensions,
      Value: result.success ? 1 : 0,
      Unit: StandardUnit.None,
      Timestamp: timestamp,
    },
  ];
  if (result.success) {
    data.push({
      MetricName: 'ProbeLatencyMs',
      Dimensions: dimensions,
      Value: result.latencyMs,
      Unit: StandardUnit.Milliseconds,
      Timestamp: timestamp,
    });
  }
  return { Namespace: config.namespace, MetricData: data };
}

/** Creates the Lambda handler with the given dependencies. */
export function createHandler(deps: HandlerDeps = {}) {
  let cloudWatch = deps.cloudWatch;
  let logger = deps.logger;
  return async function probeHandler(): Promise<ProbeResult> {
    const env = deps.env ?? process.env;
    const log = (logger ??= powertoolsLogger(env.SERVICE_NAME || 'mcp-probe'));
    let config: ProbeConfig;
    try {
      config = probeConfigFromEnv(env);
    } catch (err) {
      log.error('probe configuration is invalid; nothing recorded', {
        event: 'probe_config_invalid',
        error: (err as Error).message,
      });
      throw err;
    }
    const startedAt = (deps.now ?? (() => new Date()))();
    const result = await runProbe(config);
    cloudWatch ??= new CloudWatchClient({});
    await cloudWatch.send(new PutMetricDataCommand(metricDataFor(config, result, startedAt)));
    const fields = {
      event: result.success ? 'probe_succeeded' : 'probe_failed',
      endpoint: config.endpointUrl,
      duration_ms: result.latencyMs,
      stage: result.stage,
      steps: result.steps,
      protocol_version: result.protocolVersion,
      tool: config.tool?.name,
      tool_count: result.toolCount,
      ...(result.success ? {} : { error_type: result.errorType, error: result.error, error_code: result.errorCode }),
    };
    if (result.success) log.info('MCP probe succeeded', fields);
    else log.warn(`MCP probe failed at ${result.stage}: ${result.errorType}`, fields);
    return result;
  };
}

/** The Lambda entry point. */
export const handler = createHandler();
