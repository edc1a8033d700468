/**
 * CloudWatch Embedded Metric Format documents for the metrics of `docs/operational-contract.md`:
 * namespace `McpOps`, dimension `service`, plus `error_type` for errors and `tool` for tools.
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
} as const;

/** One finished MCP HTTP request. */
export interface RequestSample {
  readonly durationMs: number;
  /** Set when the request failed. */
  readonly errorType?: ErrorType;
  /** Tools executed by the request (a batch may run several). */
  readonly tools: readonly string[];
}

type Doc = Record<string, unknown>;

function emf(
  timestampMs: number,
  directives: Array<{ dims: string[]; metrics: Array<[string, string]> }>,
  values: Doc,
): Doc {
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: directives.map((d) => ({
        Namespace: METRIC_NAMESPACE,
        Dimensions: [d.dims],
        Metrics: d.metrics.map(([Name, Unit]) => ({ Name, Unit })),
      })),
    },
    ...values,
  };
}

/**
 * EMF documents for one finished request: requests and duration (dimension `service`), errors
 * (`service`, `error_type`) in the same document when it failed, and one document per executed
 * tool (`service`, `tool`), since a document holds one value per dimension key.
 */
export function requestMetricDocuments(service: string, sample: RequestSample, timestampMs: number): Doc[] {
  const directives: Array<{ dims: string[]; metrics: Array<[string, string]> }> = [
    {
      dims: ['service'],
      metrics: [
        [METRICS.requests, 'Count'],
        [METRICS.duration, 'Seconds'],
      ],
    },
  ];
  const values: Doc = {
    service,
    [METRICS.requests]: 1,
    [METRICS.duration]: Math.round(sample.durationMs * 1000) / 1e6,
  };
  if (sample.errorType !== undefined) {
    directives.push({ dims: ['service', 'error_type'], metrics: [[METRICS.errors, 'Count']] });
    values.error_type = sample.errorType;
    values[METRICS.errors] = 1;
  }
  const docs = [emf(timestampMs, directives, values)];
  const counts = new Map<string, number>();
  for (const tool of sample.tools) counts.set(tool, (counts.get(tool) ?? 0) + 1);
  for (const [tool, n] of counts) {
    docs.push(
      emf(timestampMs, [{ dims: ['service', 'tool'], metrics: [[METRICS.toolsExecuted, 'Count']] }], {
        service,
        tool,
        [METRICS.toolsExecuted]: n,
      }),
    );
  }
  return docs;
}

/** EMF document sampling the number of open MCP connections (requests in flight plus streams). */
export function activeConnectionsDocument(service: string, active: number, timestampMs: number): Doc {
  return emf(timestampMs, [{ dims: ['service'], metrics: [[METRICS.activeConnections, 'Count']] }], {
    service,
    [METRICS.activeConnections]: active,
  });
}
