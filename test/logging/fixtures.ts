/**
 * Real log lines for the pipeline tests, written by Powertools Logger (what our Lambdas use, and
 * the same JSON shape as the reference server: timestamp, level, service, log_type, message, event…)
 * and captured from stdout/stderr exactly as the awslogs driver would ship them.
 */
import { Logger } from '@aws-lambda-powertools/logger';

/** A captured line and the time it was written (what CloudWatch Logs stores as the event). */
export interface CapturedLine {
  readonly timestamp: number;
  readonly message: string;
}

/** Start of the captured scenario: 2026-11-25T07:00:00.000Z. */
export const SCENARIO_START = Date.UTC(2026, 10, 25, 7, 0, 0);

/**
 * Runs `script` with Powertools loggers for application lines (`log_type: "app"`) and audit
 * entries (`log_type: "audit"`), with a fake clock the script advances, and returns every line
 * written to stdout or stderr (one JSON object per line).
 */
export function capturePowertoolsLines(
  script: (app: Logger, audit: Logger, advanceMs: (ms: number) => void) => void,
  serviceName = 'mcp-server',
): CapturedLine[] {
  const lines: CapturedLine[] = [];
  jest.useFakeTimers({ now: SCENARIO_START });
  const capture = (chunk: unknown): boolean => {
    for (const l of String(chunk).split('\n')) if (l.trim() !== '') lines.push({ timestamp: Date.now(), message: l });
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
  try {
    // INFO, as a deployed service logs (the test environment silences Powertools by default).
    const app = new Logger({ serviceName, logLevel: 'INFO', persistentKeys: { log_type: 'app' } });
    const audit = new Logger({ serviceName, logLevel: 'INFO', persistentKeys: { log_type: 'audit' } });
    script(app, audit, (ms) => jest.setSystemTime(Date.now() + ms));
  } finally {
    out.mockRestore();
    err.mockRestore();
    jest.useRealTimers();
  }
  return lines;
}

/** One request's parameters in the scenario. */
interface ScenarioRequest {
  readonly id: string;
  readonly tool?: string;
  readonly durationMs: number;
  readonly errorType?: string;
  readonly status: number;
  readonly denied?: boolean;
}

/**
 * The scenario every pipeline test runs on: tool calls that succeed and fail over three minutes,
 * a validation error, an auth denial, plus lines that must never be counted (DEBUG noise, an EMF
 * metrics line, a message quoting an audit entry, a crash stack trace, a nested log_type).
 */
export const SCENARIO_REQUESTS: readonly ScenarioRequest[] = [
  { id: 'req-1', tool: 'echo', durationMs: 12, status: 200 },
  { id: 'req-2', tool: 'search', durationMs: 250, status: 200, errorType: 'tool_error' },
  { id: 'req-3', durationMs: 2, status: 400, errorType: 'validation_error' },
  { id: 'req-4', tool: 'search', durationMs: 900, status: 200 },
  { id: 'req-5', tool: 'echo', durationMs: 1, status: 401, errorType: 'auth_error', denied: true },
  { id: 'req-6', tool: 'echo', durationMs: 20, status: 200 },
  { id: 'req-7', tool: 'search', durationMs: 30_000, status: 504, errorType: 'timeout' },
  { id: 'req-8', tool: 'echo', durationMs: 8, status: 200 },
];

/** Lines of the scenario, written by Powertools Logger. */
export function scenarioLines(): CapturedLine[] {
  return capturePowertoolsLines((app, audit, advance) => {
    app.info('server listening', { event: 'server_started', port: 8080 });
    SCENARIO_REQUESTS.forEach((r, i) => {
      if (i === 3 || i === 6) advance(60_000); // requests spread over three minutes
      const base = { request_id: r.id, session_id: null, client_id: 'inspector', method: 'tools/call' };
      app.info('request started', { event: 'request_started', ...base });
      app.debug('parsed body', { event: 'request_parsed', ...base });
      advance(r.durationMs);
      if (r.denied) {
        audit.info('tools/call tool:echo: denied', {
          event_type: 'auth_denied',
          principal: 'anonymous',
          action: 'tools/call',
          resource: `tool:${r.tool}`,
          result: 'denied',
          source_ip: '203.0.113.9',
          user_agent: 'curl/8',
          request_id: r.id,
        });
      } else if (r.tool) {
        const failed = r.errorType !== undefined;
        if (failed) {
          app.error('tool call failed', {
            event: 'tool_call_failed',
            ...base,
            tool: r.tool,
            duration_ms: r.durationMs - 1,
            error: 'upstream said no',
            error_type: r.errorType,
          });
        } else {
          app.info('tool call completed', {
            event: 'tool_call_completed',
            ...base,
            tool: r.tool,
            duration_ms: r.durationMs - 1,
            result_size: 42,
          });
        }
        audit.info(`tools/call tool:${r.tool}: ${failed ? 'failure' : 'success'}`, {
          event_type: 'tool_call',
          principal: 'alice',
          action: 'tools/call',
          resource: `tool:${r.tool}`,
          result: failed ? 'failure' : 'success',
          source_ip: '198.51.100.7',
          user_agent: 'mcp-inspector/1.0',
          request_id: r.id,
        });
      }
      if (r.errorType) {
        app.error('request failed', {
          event: 'request_failed',
          ...base,
          duration_ms: r.durationMs,
          status_code: r.status,
          error: 'something failed',
          error_type: r.errorType,
        });
      } else {
        app.info('request completed', {
          event: 'request_completed',
          ...base,
          duration_ms: r.durationMs,
          result_size: 128,
          status_code: r.status,
        });
      }
    });
    // Lines that must never count as requests, tool calls, errors or audit entries:
    app.info('metrics', {
      event: 'metrics',
      tool: 'echo',
      tools_executed_total: 1,
      error_type: 'timeout',
      mcp_errors_total: 1,
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: 'McpOps',
            Dimensions: [['service', 'tool']],
            Metrics: [{ Name: 'tools_executed_total', Unit: 'Count' }],
          },
        ],
      },
    });
    app.warn('client sent {"log_type":"audit"} in a tool argument', {
      event: 'suspicious_input',
      request_id: 'req-9',
      detail: '{"log_type":"audit","event":"tool_call_completed"}',
    });
    app.info('nested context', {
      event: 'context',
      context: { log_type: 'audit', event: 'request_failed', error_type: 'timeout' },
    });
    app.info('slow but not a request', { event: 'cache_refresh', duration_ms: 5000, tool: 'cache' });
  });
}

/** Non-JSON output the container can also produce (e.g. an uncaught exception before the logger exists). */
export const CRASH_LINES: readonly string[] = [
  'Error: listen EADDRINUSE: address already in use :::8080',
  '    at Server.setupListenHandle [as _listen2] (node:net:1817:16)',
];
