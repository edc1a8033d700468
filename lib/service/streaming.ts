/**
 * Timing defaults for a service whose clients hold long-lived MCP streams (Streamable HTTP with SSE).
 * Pure: no CDK imports. Each value says why it is what it is; `checkStreamingTimings` enforces the
 * relations between them.
 */

/**
 * The server sends an SSE keep-alive comment this often (docs/operational-contract.md,
 * KEEPALIVE_INTERVAL_MS). Everything below is sized against it.
 */
export const KEEPALIVE_INTERVAL_SECONDS = 15;

/**
 * ALB idle timeout: an idle stream is cut after this. Well above the keep-alive interval (8×), so a
 * stream survives several lost or delayed keep-alives; the ALB default of 60 s is too close for streams
 * that may be quiet while a tool runs.
 */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 120;

/**
 * Deregistration delay: after a task leaves the target group, the ALB keeps its open connections for this
 * long while sending new requests elsewhere. Long enough for in-flight tool calls to finish; clients on
 * streams then reconnect to another task (MCP clients resume streams), so waiting the full idle timeout
 * would only slow deployments.
 */
export const DEFAULT_DEREGISTRATION_DELAY_SECONDS = 60;

/**
 * Container stopTimeout: time between SIGTERM and SIGKILL. The server's own shutdown grace
 * (SHUTDOWN_GRACE_MS, 20 s) must fit inside it. Fargate allows at most 120 s.
 */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

/** The reference server's shutdown grace on SIGTERM (SHUTDOWN_GRACE_MS), below the stop timeout. */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 20;

/**
 * Health-check grace period: ECS ignores failing load-balancer health checks for this long after a task
 * starts, covering container start, connection pools and the first readiness checks.
 */
export const DEFAULT_HEALTH_CHECK_GRACE_SECONDS = 60;

/** The timings of one service, in seconds. */
export interface StreamingTimings {
  readonly idleTimeoutSeconds: number;
  readonly deregistrationDelaySeconds: number;
  readonly stopTimeoutSeconds: number;
  readonly shutdownGraceSeconds: number;
  readonly keepAliveIntervalSeconds: number;
}

/**
 * Returns the problems with a set of timings (empty when consistent): the idle timeout must be at least
 * twice the keep-alive interval, the shutdown grace must end before the stop timeout, and each value must
 * be in the range AWS allows.
 */
export function streamingTimingProblems(t: StreamingTimings): string[] {
  const problems: string[] = [];
  const range = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max)
      problems.push(`${name} must be a whole number of seconds from ${min} to ${max}, got ${v}`);
  };
  range('idleTimeout', t.idleTimeoutSeconds, 1, 4000);
  range('deregistrationDelay', t.deregistrationDelaySeconds, 0, 3600);
  range('stopTimeout', t.stopTimeoutSeconds, 2, 120);
  range('shutdownGrace', t.shutdownGraceSeconds, 1, 119);
  range('keepAliveInterval', t.keepAliveIntervalSeconds, 1, 3600);
  if (problems.length) return problems;
  if (t.idleTimeoutSeconds < 2 * t.keepAliveIntervalSeconds) {
    problems.push(
      `idleTimeout (${t.idleTimeoutSeconds} s) must be at least twice the server's keep-alive interval (${t.keepAliveIntervalSeconds} s), or idle streams are cut`,
    );
  }
  if (t.shutdownGraceSeconds >= t.stopTimeoutSeconds) {
    problems.push(
      `the server's shutdown grace (${t.shutdownGraceSeconds} s) must be shorter than stopTimeout (${t.stopTimeoutSeconds} s), or streams are killed mid-drain`,
    );
  }
  return problems;
}
