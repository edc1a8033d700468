/**
 * JSON-lines logger following `docs/operational-contract.md`: one JSON object per line with
 * `timestamp`, `level`, `service`, `log_type` and `message`; application lines add `event`,
 * audit entries add the audit fields. Metric lines (CloudWatch Embedded Metric Format) go
 * through the same sink but ignore `LOG_LEVEL`, so raising the level never loses metrics.
 */
import { LOG_LEVELS, LogLevel } from './config';

/** Receives one complete log line (a JSON document, no trailing newline). */
export type LogSink = (line: string) => void;

/**
 * Writes lines to stdout, the lines of one turn of the event loop in one write: a request logs
 * three or four lines (started, completed, audit, metrics) and stdout is synchronous on Linux for
 * files and pipes, so one write instead of four is a measurable part of a small request's cost.
 * Lines still buffered when the process exits are written on `exit`, so `process.exit` after a
 * last log line (a config error, a crash) loses nothing.
 */
export const stdoutSink: LogSink = (() => {
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    process.stdout.write(text);
  };
  let exitHooked = false;
  return (line: string): void => {
    pending.push(line);
    if (!exitHooked) {
      // On first use, not at import: a module that never logs to stdout adds no listener.
      exitHooked = true;
      process.once('exit', flush);
    }
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
})();

/** Error classes of the contract's `error_type` field. */
export type ErrorType =
  | 'validation_error'
  | 'protocol_error'
  | 'tool_error'
  | 'timeout'
  | 'auth_error'
  | 'rate_limited'
  | 'dependency_error'
  | 'internal_error';

/** Fields of an application line besides the common ones. */
export interface AppFields {
  readonly request_id?: string;
  readonly session_id?: string | null;
  readonly client_id?: string | null;
  readonly method?: string;
  readonly tool?: string;
  readonly duration_ms?: number;
  readonly result_size?: number;
  readonly status_code?: number;
  readonly error?: string;
  readonly error_type?: ErrorType;
  readonly [extra: string]: unknown;
}

/** One audit entry (`log_type: "audit"`). */
export interface AuditEntry {
  readonly event_type: string;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly result: 'success' | 'failure' | 'denied';
  readonly source_ip: string;
  readonly user_agent: string;
  readonly request_id: string;
  readonly [extra: string]: unknown;
}

/** Structured logger of the server. */
export class Logger {
  private readonly minRank: number;

  constructor(
    private readonly service: string,
    level: LogLevel,
    private readonly sink: LogSink = stdoutSink,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.minRank = LOG_LEVELS.indexOf(level);
  }

  /** True when lines of `level` are written. */
  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.minRank;
  }

  debug(event: string, message: string, fields: AppFields = {}): void {
    this.app('DEBUG', event, message, fields);
  }
  info(event: string, message: string, fields: AppFields = {}): void {
    this.app('INFO', event, message, fields);
  }
  warn(event: string, message: string, fields: AppFields = {}): void {
    this.app('WARN', event, message, fields);
  }
  error(event: string, message: string, fields: AppFields = {}): void {
    this.app('ERROR', event, message, fields);
  }

  /** Writes an application line (`log_type: "app"`) when `level` is enabled. */
  app(level: LogLevel, event: string, message: string, fields: AppFields = {}): void {
    if (!this.enabled(level)) return;
    this.write({ ...this.common(level, 'app', message), event, ...fields });
  }

  /** Writes an audit entry; audit entries are written at every `LOG_LEVEL`. */
  audit(entry: AuditEntry, message = `${entry.action} ${entry.resource}: ${entry.result}`): void {
    this.write({ ...this.common('INFO', 'audit', message), ...entry });
  }

  /**
   * Writes an EMF document (the caller builds `_aws` and the values); written at every `LOG_LEVEL`.
   * The line is also a valid application line (`log_type: "app"`, `event: "metrics"`).
   */
  metrics(document: Record<string, unknown>): void {
    this.write({ ...this.common('INFO', 'app', 'metrics'), event: 'metrics', ...document });
  }

  private common(level: LogLevel, logType: 'app' | 'audit', message: string): Record<string, unknown> {
    return { timestamp: this.now().toISOString(), level, service: this.service, log_type: logType, message };
  }

  private write(doc: Record<string, unknown>): void {
    let line: string;
    try {
      line = JSON.stringify(doc);
    } catch {
      line = JSON.stringify({
        ...this.common('ERROR', 'app', 'log line could not be serialized'),
        event: 'log_serialization_failed',
      });
    }
    try {
      this.sink(line);
    } catch {
      // A failing sink (closed stdout) must never take a request down.
    }
  }
}

/** Message of an unknown thrown value, cut to `max` characters. */
export function errorMessage(err: unknown, max = 500): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > max ? `${msg.slice(0, max)}…` : msg;
}
