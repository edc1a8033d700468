/**
 * CloudWatch Embedded Metric Format documents for the metrics of `docs/operational-contract.md`:
 * namespace `McpOps`, dimension `service` on every metric, plus the bounded dimensions named
 * there (`method`, `protocol_version`, `tool`, `resource`, `error_type`, `client_id`).
 * Pure functions: the caller writes the documents through the logger.
 */
import { ErrorType } from './logger';

/** The metric namespace of the package. */
export const METRIC_NAMESPACE = 'McpOps';

/** Metric names of the contract. */
export const METRICS = {
  requests: 'mcp_requests_total',
  duration: 'mcp_request_duration_seconds',
  errors: 'mcp_errors_total',
  activeConnections: 'mcp_active_connections',
  toolsExecuted: 'tools_executed_total',
  resourcesAccessed: 'resources_accessed_total',
  userSessions: 'user_sessions_active',
  quotaRemaining: 'api_quota_remaining',
} as const;

/**
 * At most this many clients get their own `api_quota_remaining` series per sample: the ones with
 * the least quota left (the ones an operator needs to see).
 */
export const MAX_QUOTA_CLIENTS_PER_SAMPLE = 20;

/** One finished MCP HTTP request, with every label already bounded (see `protocol.ts`). */
export interface RequestSample {
  readonly durationMs: number;
  /** JSON-RPC method label, e.g. `tools/call`, `other`, `none`. */
  readonly method: string;
  /** Protocol revision label, e.g. `2026-07-28`, `other`, `none`. */
  readonly protocolVersion: string;
  /** Tool label of a `tools/call` (a registered tool name or `other`). */
  readonly tool?: string;
  /** Set when the request failed. */
  readonly errorType?: ErrorType;
  /** Tools executed by the request (a 2025-03-26 batch may run several). */
  readonly toolsExecuted: readonly string[];
  /** Resource label of a successful `resources/read`. */
  readonly resourceAccessed?: string;
}

type Doc = Record<string, unknown>;
interface Directive {
  readonly dims: string[][];
  readonly metrics: Array<[string, string]>;
}

function emf(timestampMs: number, directives: Directive[], values: Doc): Doc {
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: directives.map((d) => ({
        Namespace: METRIC_NAMESPACE,
        Dimensions: d.dims,
        Metrics: d.metrics.map(([Name, Unit]) => ({ Name, Unit })),
      })),
    },
    ...values,
  };
}

/**
 * The EMF document of one finished request. `mcp_requests_total` and
 * `mcp_request_duration_seconds` per `service`, per `service`+`method`, per
 * `service`+`protocol_version`, and for a tool call per `service`+`tool`; `mcp_errors_total` per
 * `service`+`error_type` when it failed; `tools_executed_total` per `service`+`tool` for each tool
 * that ran; `resources_accessed_total` per `service`+`resource` for a resource read.
 */
export function requestMetricDocument(service: string, sample: RequestSample, timestampMs: number): Doc {
  const requestDims = [['service'], ['service', 'method'], ['service', 'protocol_version']];
  if (sample.tool !== undefined) requestDims.push(['service', 'tool']);
  const directives: Directive[] = [
    {
      dims: requestDims,
      metrics: [
        [METRICS.requests, 'Count'],
        [METRICS.duration, 'Seconds'],
      ],
    },
  ];
  const values: Doc = {
    service,
    method: sample.method,
    protocol_version: sample.protocolVersion,
    [METRICS.requests]: 1,
    [METRICS.duration]: Math.round(sample.durationMs * 1000) / 1e6,
  };
  if (sample.tool !== undefined) values.tool = sample.tool;
  if (sample.errorType !== undefined) {
    directives.push({ dims: [['service', 'error_type']], metrics: [[METRICS.errors, 'Count']] });
    values.error_type = sample.errorType;
    values[METRICS.errors] = 1;
  }
  // One value per metric and document: a batch that ran several tools counts them under its first
  // tool label; MCP revisions since 2025-06-18 have no batches, so that is the rare case.
  if (sample.toolsExecuted.length > 0) {
    directives.push({ dims: [['service', 'tool']], metrics: [[METRICS.toolsExecuted, 'Count']] });
    values.tool ??= sample.toolsExecuted[0];
    values[METRICS.toolsExecuted] = sample.toolsExecuted.length;
  }
  if (sample.resourceAccessed !== undefined) {
    directives.push({ dims: [['service', 'resource']], metrics: [[METRICS.resourcesAccessed, 'Count']] });
    values.resource = sample.resourceAccessed;
    values[METRICS.resourcesAccessed] = 1;
  }
  return emf(timestampMs, directives, values);
}

/** The periodic samples of a task. */
export interface TaskSample {
  /** Open MCP requests and streams. */
  readonly activeConnections: number;
  /** Distinct principals active within the window; absent when not tracked. */
  readonly activePrincipals?: number;
  /** Remaining quota of each client with a partly used quota; absent when there is no rate limit. */
  readonly quotas?: ReadonlyArray<{ readonly client: string; readonly remaining: number }>;
}

/**
 * The periodic EMF documents of a task: `mcp_active_connections` and `user_sessions_active` per
 * `service`, and `api_quota_remaining` per `service`+`client_id` (and per `service`, so its
 * Minimum is the lowest quota of any client) for the {@link MAX_QUOTA_CLIENTS_PER_SAMPLE} clients
 * with the least quota left.
 */
export function taskMetricDocuments(service: string, sample: TaskSample, timestampMs: number): Doc[] {
  const metrics: Array<[string, string]> = [[METRICS.activeConnections, 'Count']];
  const values: Doc = { service, [METRICS.activeConnections]: sample.activeConnections };
  if (sample.activePrincipals !== undefined) {
    metrics.push([METRICS.userSessions, 'Count']);
    values[METRICS.userSessions] = sample.activePrincipals;
  }
  const docs = [emf(timestampMs, [{ dims: [['service']], metrics }], values)];
  const lowest = [...(sample.quotas ?? [])]
    .sort((a, b) => a.remaining - b.remaining || a.client.localeCompare(b.client))
    .slice(0, MAX_QUOTA_CLIENTS_PER_SAMPLE);
  for (const q of lowest) {
    docs.push(
      emf(
        timestampMs,
        [{ dims: [['service', 'client_id'], ['service']], metrics: [[METRICS.quotaRemaining, 'Count']] }],
        {
          service,
          client_id: q.client,
          [METRICS.quotaRemaining]: q.remaining,
        },
      ),
    );
  }
  return docs;
}
