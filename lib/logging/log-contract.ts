/**
 * The parts of docs/operational-contract.md the log pipeline relies on, as data: metric filter
 * definitions and subscription-filter patterns. Pure: no CDK imports, so the patterns are tested
 * against real log lines with the evaluator in `filter-pattern.ts`.
 */

/**
 * Subscription-filter pattern that selects audit entries (`log_type: "audit"`) for the audit
 * Firehose. A line whose `log_type` is anything else, or that is not JSON, does not match.
 */
export const AUDIT_FILTER_PATTERN = '{ $.log_type = "audit" }';

/** Subscription-filter pattern for the application Firehose: every event, JSON or not (crash output included). */
export const ALL_EVENTS_FILTER_PATTERN = '';

/**
 * `error_type` values of a failed tool call that mean the tool ran (the name is one the server
 * registered): every contract error type except `validation_error`, `protocol_error`, `auth_error`
 * and `rate_limited`, which a client can cause for any tool name it makes up.
 */
export const TOOL_SIDE_ERROR_TYPES: readonly string[] = ['tool_error', 'timeout', 'dependency_error', 'internal_error'];

function toolSideErrorTypes(): string {
  return TOOL_SIDE_ERROR_TYPES.map((t) => `$.error_type = "${t}"`).join(' || ');
}

/** One metric filter on the application log group. */
export interface MetricFilterSpec {
  /** Construct id and a stable key for `McpLogging.metricFilters`. */
  readonly id: 'ToolsExecuted' | 'Errors' | 'RequestDuration' | 'ToolDuration';
  /** Metric name in the `McpOps` namespace. */
  readonly metricName: string;
  /** JSON filter pattern. */
  readonly filterPattern: string;
  /** Published value: a literal (`"1"`) or a `$.field` holding a number. */
  readonly metricValue: string;
  /** CloudWatch unit. */
  readonly unit: 'Count' | 'Milliseconds';
  /** Dimension name → `$.field` (at most 3 per metric filter). */
  readonly dimensions: Readonly<Record<string, string>>;
  /** What the metric means, for docs and dashboards. */
  readonly description: string;
}

/**
 * Metric filters on the application log group. Names carry a `log_` prefix so they never collide
 * with the EMF metrics the service publishes itself in the same namespace (`tools_executed_total`,
 * `mcp_errors_total`, …): both may be on the dashboard, and they must not add up.
 *
 * Every pattern requires `log_type = "app"`, so audit entries and Lambda platform lines never count.
 * Dimensions come from the line (`$.service`, `$.tool`, `$.error_type`): a line missing one
 * publishes no datapoint. Only values the server controls become dimensions: error types are a
 * closed set in the contract, and `tool` is taken only from calls that reached a registered tool
 * (completed calls, and failures the tool itself reported), never from a name a client made up.
 * That keeps every filter far below the 1000 dimension values per hour beyond which CloudWatch Logs
 * disables a metric filter.
 */
export const METRIC_FILTERS: readonly MetricFilterSpec[] = [
  {
    id: 'ToolsExecuted',
    metricName: 'log_tools_executed_total',
    filterPattern: '{ $.log_type = "app" && $.event = "tool_call_completed" && $.tool = "*" }',
    metricValue: '1',
    unit: 'Count',
    dimensions: { service: '$.service', tool: '$.tool' },
    description: 'Tool calls completed, by tool (from tool_call_completed lines)',
  },
  {
    id: 'Errors',
    metricName: 'log_errors_total',
    filterPattern:
      '{ $.log_type = "app" && ($.event = "request_failed" || $.event = "tool_call_failed") && $.error_type = "*" }',
    metricValue: '1',
    unit: 'Count',
    dimensions: { service: '$.service', error_type: '$.error_type' },
    description: 'Failed requests and failed tool calls, by error_type',
  },
  {
    id: 'RequestDuration',
    metricName: 'log_request_duration_ms',
    filterPattern:
      '{ $.log_type = "app" && ($.event = "request_completed" || $.event = "request_failed") && $.duration_ms >= 0 }',
    metricValue: '$.duration_ms',
    unit: 'Milliseconds',
    dimensions: { service: '$.service' },
    description: 'Request duration in milliseconds (completed and failed requests)',
  },
  {
    id: 'ToolDuration',
    metricName: 'log_tool_duration_ms',
    // Failed calls count only when the tool itself ran and failed (TOOL_SIDE_ERROR_TYPES): a call to an
    // unknown tool, or with invalid arguments, is a `validation_error` carrying whatever name the
    // client sent, and publishing those names as dimensions would let any client mint metrics until
    // CloudWatch disables the filter (1000 dimension values within an hour).
    filterPattern: `{ $.log_type = "app" && ($.event = "tool_call_completed" || ($.event = "tool_call_failed" && (${toolSideErrorTypes()}))) && $.tool = "*" && $.duration_ms >= 0 }`,
    metricValue: '$.duration_ms',
    unit: 'Milliseconds',
    dimensions: { service: '$.service', tool: '$.tool' },
    description: 'Tool call duration in milliseconds, by tool (completed calls, and calls the tool ran and failed)',
  },
];

/** The metric filter spec with the given id. */
export function metricFilterSpec(id: MetricFilterSpec['id']): MetricFilterSpec {
  const spec = METRIC_FILTERS.find((m) => m.id === id);
  if (!spec) throw new Error(`no metric filter ${id}`);
  return spec;
}
