/**
 * Scheduled synthetic MCP probe. Each invocation runs one probe against the public endpoint
 * (see probe.ts) and records, in namespace `McpOps` (configurable):
 *   - `ProbeSuccess` {service}: 1 when every step passed, else 0 (always written). The probe alarm
 *     watches this series, by `service` alone, as before;
 *   - `ProbeSuccess` {service, protocol_version}: the same value per negotiated revision
 *     (`2026-07-28`, `2025-11-25`, …; `none` when the probe failed before a revision was agreed), so the
 *     dashboard shows which revision the endpoint serves and when it changes;
 *   - `ProbeLatencyMs` {service} and {service, protocol_version}: wall time of the whole probe, written
 *     only for successful probes so the latency graph is not polluted by timeouts and refusals;
 *   - `ProbeFailure` {service, reason}: 1 for a failed probe, with its failure reason (probe.ts,
 *     ProbeErrorType: `auth_rejected` for a 401/403 from the MCP endpoint, `token_error` for the token
 *     endpoint, `secret_error`, `connection`, `timeout`, …); not written for a success.
 * CloudWatch keeps each dimension combination as its own metric, so publishing the service-only series
 * beside the per-revision one is what keeps the existing alarm working:
 * ("CloudWatch treats each unique combination of dimensions as a separate metric"):
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
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
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { probeConfigFromEnv, type ProbeConfig } from './config';
import { authConfigKey, ProbeCredentials } from './credentials';
import { runProbe, type ProbeResult } from './probe';

export { ProbeConfigError, probeConfigFromEnv } from './config';
export type { ProbeConfig, ProbeAuthConfig } from './config';
export { runProbe, classifyError, PROBE_ERROR_TYPES, PROBE_USER_AGENT } from './probe';
export type { ProbeResult, ProbeErrorType, ProbeStage } from './probe';
export { ProbeCredentials } from './credentials';
export { TOKEN_EXPIRY_MARGIN_MS } from './oauth';

/** The `protocol_version` dimension value of a probe that failed before a revision was agreed. */
export const NO_PROTOCOL_VERSION = 'none';

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
  /** @default a SecretsManagerClient created on first use (only with OAuth configured) */
  readonly secretsManager?: SecretsManagerClient;
  /** Wall clock in epoch ms, for token expiry. @default Date.now */
  readonly epochMs?: () => number;
  /** @default process.env (read on every invocation) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default Powertools Logger with service = SERVICE_NAME */
  readonly logger?: ProbeLogger;
  /** Wall clock for metric timestamps. @default () => new Date() */
  readonly now?: () => Date;
}

/** Builds the PutMetricData input for one probe result. Pure; exported for tests. */
export function metricDataFor(config: ProbeConfig, result: ProbeResult, timestamp: Date): PutMetricDataCommandInput {
  const service = { Name: 'service', Value: config.serviceName };
  const byRevision = [service, { Name: 'protocol_version', Value: result.protocolVersion ?? NO_PROTOCOL_VERSION }];
  const datum = (MetricName: string, Dimensions: MetricDatum['Dimensions'], Value: number, Unit: StandardUnit) => ({
    MetricName,
    Dimensions,
    Value,
    Unit,
    Timestamp: timestamp,
  });
  const success = result.success ? 1 : 0;
  const data: MetricDatum[] = [
    datum('ProbeSuccess', [service], success, StandardUnit.None),
    datum('ProbeSuccess', byRevision, success, StandardUnit.None),
  ];
  if (result.success) {
    data.push(datum('ProbeLatencyMs', [service], result.latencyMs, StandardUnit.Milliseconds));
    data.push(datum('ProbeLatencyMs', byRevision, result.latencyMs, StandardUnit.Milliseconds));
  } else {
    data.push(
      datum(
        'ProbeFailure',
        [service, { Name: 'reason', Value: result.errorType ?? 'protocol' }],
        1,
        StandardUnit.Count,
      ),
    );
  }
  return { Namespace: config.namespace, MetricData: data };
}

/** Creates the Lambda handler with the given dependencies. */
export function createHandler(deps: HandlerDeps = {}) {
  let cloudWatch = deps.cloudWatch;
  let logger = deps.logger;
  // Kept for the life of the execution environment: the secret is read once, the token reused while fresh.
  let credentials: { key: string; value: ProbeCredentials } | undefined;
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
    if (config.auth) {
      const key = authConfigKey(config.auth);
      if (credentials?.key !== key) {
        credentials = {
          key,
          value: new ProbeCredentials(config.auth, { secretsManager: deps.secretsManager, now: deps.epochMs }),
        };
      }
    }
    const result = await runProbe(config, { tokens: config.auth ? credentials!.value : undefined });
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
      ...(result.tokenCached !== undefined ? { token_cached: result.tokenCached } : {}),
      ...(result.session
        ? { session_delete_status: result.session.deleteStatus, session_delete_error: result.session.deleteError }
        : {}),
      ...(result.success
        ? {}
        : {
            error_type: result.errorType,
            error: result.error,
            error_code: result.errorCode,
            ...(result.oauthError ? { oauth_error: result.oauthError } : {}),
          }),
    };
    if (result.success) log.info('MCP probe succeeded', fields);
    else log.warn(`MCP probe failed at ${result.stage}: ${result.errorType}`, fields);
    return result;
  };
}

/** The Lambda entry point. */
export const handler = createHandler();
