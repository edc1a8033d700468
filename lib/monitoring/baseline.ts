/**
 * The performance baseline and the alarm thresholds derived from it. Pure: no CDK imports, so
 * the maths is unit-tested directly and can be reused by tools and reports.
 *
 * The defaults are the operations guide's baseline: p50 100 ms, p95 500 ms, p99 1000 ms,
 * error rate 0.1 %, 1000 requests/s, and alarms at 50 % worse than baseline (factor 1.5).
 */
import type { CapacityPlan } from '../capacity/types';
import { checkInteger, checkNumber, checkThat } from '../internal/validate';

const OWNER = 'McpMonitoring';

/** The service's normal performance; alarms fire at `baseline × degradationFactor`. All fields optional. */
export interface PerformanceBaselineProps {
  /**
   * Normal median (p50) response time, in milliseconds. Must be > 0.
   * @default 100
   */
  readonly p50LatencyMs?: number;
  /**
   * Normal p95 response time, in milliseconds. Must be ≥ p50LatencyMs.
   * @default 500
   */
  readonly p95LatencyMs?: number;
  /**
   * Normal p99 response time, in milliseconds. Must be ≥ p95LatencyMs.
   * @default 1000
   */
  readonly p99LatencyMs?: number;
  /**
   * Normal share of requests that fail with a 5xx, in percent (0.1 = one request in a thousand).
   * Must be > 0, and `errorRatePercent × degradationFactor` must stay below 100 so the alarm can fire.
   * @default 0.1
   */
  readonly errorRatePercent?: number;
  /**
   * Normal traffic, in requests per second. Must be > 0. Used for the traffic ceiling when no
   * capacity plan is given.
   * @default 1000
   */
  readonly requestsPerSecond?: number;
  /**
   * How much worse than baseline a signal may get before it alarms: 1.5 = alarm at 50 % worse.
   * Must be > 1 and ≤ 10.
   * @default 1.5
   */
  readonly degradationFactor?: number;
}

/** A complete, validated baseline: {@link PerformanceBaselineProps} with every field resolved. */
export interface PerformanceBaseline {
  /** Normal median (p50) response time, in milliseconds. */
  readonly p50LatencyMs: number;
  /** Normal p95 response time, in milliseconds. */
  readonly p95LatencyMs: number;
  /** Normal p99 response time, in milliseconds. */
  readonly p99LatencyMs: number;
  /** Normal share of requests that fail with a 5xx, in percent. */
  readonly errorRatePercent: number;
  /** Normal traffic, in requests per second. */
  readonly requestsPerSecond: number;
  /** How much worse than baseline a signal may get before it alarms. */
  readonly degradationFactor: number;
}

/** The operations guide's baseline. */
export const DEFAULT_PERFORMANCE_BASELINE: PerformanceBaseline = Object.freeze({
  p50LatencyMs: 100,
  p95LatencyMs: 500,
  p99LatencyMs: 1000,
  errorRatePercent: 0.1,
  requestsPerSecond: 1000,
  degradationFactor: 1.5,
});

function show(v: unknown): string {
  return typeof v === 'number' || v === undefined ? String(v) : JSON.stringify(v);
}

/** Throws unless `v` is a finite number > 0 (exclusive bound, which checkNumber cannot express). */
function positive(prop: string, v: number): void {
  checkThat(
    OWNER,
    typeof v === 'number' && Number.isFinite(v) && v > 0,
    `${prop} must be a finite number > 0, got ${show(v)}`,
  );
}

/**
 * Fills the guide's defaults into a partial baseline and checks that it is consistent.
 * Throws an Error naming the offending field, the value given and what is allowed.
 */
export function resolveBaseline(props: PerformanceBaselineProps = {}): PerformanceBaseline {
  const b: PerformanceBaseline = { ...DEFAULT_PERFORMANCE_BASELINE, ...dropUndefined(props) };
  positive('baseline.p50LatencyMs', b.p50LatencyMs);
  positive('baseline.p95LatencyMs', b.p95LatencyMs);
  positive('baseline.p99LatencyMs', b.p99LatencyMs);
  checkThat(
    OWNER,
    b.p95LatencyMs >= b.p50LatencyMs,
    `baseline.p95LatencyMs must be ≥ baseline.p50LatencyMs (${b.p50LatencyMs}), got ${b.p95LatencyMs}`,
  );
  checkThat(
    OWNER,
    b.p99LatencyMs >= b.p95LatencyMs,
    `baseline.p99LatencyMs must be ≥ baseline.p95LatencyMs (${b.p95LatencyMs}), got ${b.p99LatencyMs}`,
  );
  positive('baseline.errorRatePercent', b.errorRatePercent);
  checkThat(
    OWNER,
    b.errorRatePercent <= 100,
    `baseline.errorRatePercent must be a percentage > 0 and ≤ 100, got ${b.errorRatePercent}`,
  );
  positive('baseline.requestsPerSecond', b.requestsPerSecond);
  checkThat(
    OWNER,
    typeof b.degradationFactor === 'number' &&
      Number.isFinite(b.degradationFactor) &&
      b.degradationFactor > 1 &&
      b.degradationFactor <= 10,
    `baseline.degradationFactor must be > 1 and ≤ 10 (1.5 = alarm at 50 % worse than baseline), got ${show(b.degradationFactor)}`,
  );
  checkThat(
    OWNER,
    b.errorRatePercent * b.degradationFactor < 100,
    `baseline.errorRatePercent × baseline.degradationFactor must be < 100 % or the error-rate alarm can never fire, got ${b.errorRatePercent} × ${b.degradationFactor}`,
  );
  return Object.freeze(b);
}

/** Options of {@link alarmThresholds} that do not come from the baseline. */
export interface ThresholdOptions {
  /**
   * The capacity plan, when the service was sized with the capacity model.
   * @default no plan: traffic ceiling from the baseline, no connections-per-task threshold
   */
  readonly capacity?: CapacityPlan;
  /**
   * Minimum requests per period for the error rate to count.
   * @default ⌈100 / error-rate threshold %⌉, at least 10 (see {@link AlarmThresholds.errorRateMinRequests})
   */
  readonly errorRateMinRequests?: number;
  /**
   * CPU alarm threshold override, percent (1–100).
   * @default min(95, capacity CPU target × factor) with a plan, else 80
   */
  readonly cpuUtilizationPercent?: number;
  /**
   * Memory alarm threshold override, percent (1–100).
   * @default 80
   */
  readonly memoryUtilizationPercent?: number;
  /**
   * Autoscaling maximum when no capacity plan is given.
   * @default capacity.maxTasks, else unknown
   */
  readonly maxTaskCount?: number;
  /**
   * Autoscaling minimum when no capacity plan is given.
   * @default capacity.minTasks, else unknown
   */
  readonly minTaskCount?: number;
  /** Alarm period in seconds, a whole number of minutes (for per-period request counts). */
  readonly periodSeconds: number;
}

/** Where the traffic ceiling of the "traffic above plan" alarm comes from (`AlarmThresholds.trafficCeilingSource`). */
export enum TrafficCeilingSource {
  /** The capacity plan's peak requests per second. */
  CAPACITY = 'capacity',
  /** The baseline's requests per second × the degradation factor (no capacity plan). */
  BASELINE = 'baseline',
}

/** Every numeric threshold of the alarms, with the inputs it came from. */
export interface AlarmThresholds {
  /** p50 TargetResponseTime threshold in seconds (the ALB metric's unit): p50LatencyMs × factor / 1000. */
  readonly latencyP50Seconds: number;
  /** p95 threshold in seconds. */
  readonly latencyP95Seconds: number;
  /** p99 threshold in seconds. */
  readonly latencyP99Seconds: number;
  /** Error-rate threshold in percent: errorRatePercent × factor. */
  readonly errorRatePercent: number;
  /**
   * Requests a period must carry before its error rate counts. Default: the smallest count at which
   * a single error stays at or under the threshold, ⌈100 / errorRatePercent⌉ (667 for 0.15 %), at least 10;
   * so one error can never page on its own.
   */
  readonly errorRateMinRequests: number;
  /** Requests per second above which traffic exceeds plan: capacity peakRps, else baseline rps × factor. */
  readonly trafficCeilingRps: number;
  /** The same ceiling as a request count per alarm period. */
  readonly trafficCeilingPerPeriod: number;
  /** Where the ceiling came from. */
  readonly trafficCeilingSource: TrafficCeilingSource;
  /** Service CPU alarm, percent: override, else min(95, capacity CPU target × factor), else 80. */
  readonly cpuUtilizationPercent: number;
  /** Service memory alarm, percent: override, else 80. */
  readonly memoryUtilizationPercent: number;
  /** Autoscaling maximum (capacity.maxTasks or maxTaskCount); undefined when unknown. */
  readonly maxTasks?: number;
  /** Autoscaling minimum (capacity.minTasks or minTaskCount); undefined when unknown. */
  readonly minTasks?: number;
  /**
   * Whether a "tasks at the autoscaling maximum" alarm makes sense: the maximum is known and above the
   * minimum. With minimum = maximum the service always runs at its maximum, so such an alarm would never be OK.
   */
  readonly tasksAtMaximumAlarm: boolean;
  /** Mean active connections per task above which a task carries more than planned: concurrencyPerTask × factor; undefined without capacity plan. */
  readonly connectionsPerTask?: number;
}

/** Rounds away floating-point noise (0.1 × 1.5 = 0.15000000000000002) so templates stay readable. */
export function roundThreshold(value: number): number {
  return Number(value.toPrecision(12));
}

/** Derives every alarm threshold from a validated baseline (and the capacity plan when given). */
export function alarmThresholds(baseline: PerformanceBaseline, options: ThresholdOptions): AlarmThresholds {
  const f = baseline.degradationFactor;
  const period = options.periodSeconds;
  checkThat(
    OWNER,
    Number.isInteger(period) && period >= 60 && period % 60 === 0,
    `period must be a whole number of minutes, got ${period} s`,
  );
  checkNumber(OWNER, 'cpuUtilizationPercent', options.cpuUtilizationPercent, 1, 100);
  checkNumber(OWNER, 'memoryUtilizationPercent', options.memoryUtilizationPercent, 1, 100);
  checkInteger(OWNER, 'errorRateMinRequests', options.errorRateMinRequests, 1, 1_000_000_000);
  checkInteger(OWNER, 'maxTaskCount', options.maxTaskCount, 1, 5000);
  checkInteger(OWNER, 'minTaskCount', options.minTaskCount, 1, 5000);
  const capacity = options.capacity;
  const errorRatePercent = roundThreshold(baseline.errorRatePercent * f);
  const trafficCeilingRps = roundThreshold(capacity ? capacity.input.peakRps : baseline.requestsPerSecond * f);
  const cpuFromPlan = capacity ? Math.min(95, roundThreshold(capacity.targetCpuUtilizationPercent * f)) : undefined;
  const maxTasks = capacity?.maxTasks ?? options.maxTaskCount;
  const minTasks = capacity?.minTasks ?? options.minTaskCount;
  checkThat(
    OWNER,
    maxTasks === undefined || minTasks === undefined || minTasks <= maxTasks,
    `minTaskCount (${minTasks}) must be ≤ the autoscaling maximum (${maxTasks})`,
  );
  const connections =
    capacity && capacity.derived.concurrencyPerTask > 0
      ? roundThreshold(capacity.derived.concurrencyPerTask * f)
      : undefined;
  return {
    latencyP50Seconds: roundThreshold((baseline.p50LatencyMs * f) / 1000),
    latencyP95Seconds: roundThreshold((baseline.p95LatencyMs * f) / 1000),
    latencyP99Seconds: roundThreshold((baseline.p99LatencyMs * f) / 1000),
    errorRatePercent,
    errorRateMinRequests:
      options.errorRateMinRequests ?? Math.max(10, Math.ceil(roundThreshold(100 / errorRatePercent))),
    trafficCeilingRps,
    trafficCeilingPerPeriod: Math.ceil(roundThreshold(trafficCeilingRps * period)),
    trafficCeilingSource: capacity ? TrafficCeilingSource.CAPACITY : TrafficCeilingSource.BASELINE,
    cpuUtilizationPercent: options.cpuUtilizationPercent ?? cpuFromPlan ?? 80,
    memoryUtilizationPercent: options.memoryUtilizationPercent ?? 80,
    maxTasks,
    minTasks,
    tasksAtMaximumAlarm: maxTasks !== undefined && (minTasks === undefined || minTasks < maxTasks),
    connectionsPerTask: connections,
  };
}

/**
 * Requests one alarm period carries at the most the service is expected to see: the capacity plan's
 * peak, else the baseline's normal traffic.
 */
export function expectedRequestsPerPeriod(
  baseline: PerformanceBaseline,
  periodSeconds: number,
  capacity?: CapacityPlan,
): number {
  return Math.floor(roundThreshold((capacity ? capacity.input.peakRps : baseline.requestsPerSecond) * periodSeconds));
}

/**
 * A warning when the error-rate alarm cannot fire at the traffic the service is expected to carry:
 * periods with fewer than `errorRateMinRequests` requests count as 0 %, so a service whose peak (or,
 * without a plan, baseline) traffic stays below that many requests per period has no error-rate alarm.
 * Undefined when the alarm is reachable.
 */
export function errorRateGateWarning(
  thresholds: AlarmThresholds,
  baseline: PerformanceBaseline,
  periodSeconds: number,
  capacity?: CapacityPlan,
): string | undefined {
  const expected = expectedRequestsPerPeriod(baseline, periodSeconds, capacity);
  if (expected >= thresholds.errorRateMinRequests) return undefined;
  const source = capacity
    ? `the capacity plan's peak of ${capacity.input.peakRps} rps`
    : `baseline.requestsPerSecond ${baseline.requestsPerSecond}`;
  return (
    `the error-rate alarm counts only periods with at least errorRateMinRequests = ${thresholds.errorRateMinRequests} requests, ` +
    `but ${source} gives at most ${expected} requests per ${periodSeconds} s period, so it can never fire; ` +
    'lower errorRateMinRequests (one error among that many requests then exceeds the threshold) or lengthen period'
  );
}

/** Milliseconds in words for alarm descriptions: 150 → "150 ms", 1500 → "1.5 s". */
export function formatMs(ms: number): string {
  const r = roundThreshold(ms);
  return r >= 1000 ? `${roundThreshold(r / 1000)} s` : `${r} ms`;
}

/** "2 of 3 one-minute periods" / "3 consecutive 5-minute periods". */
export function describeEvaluation(datapoints: number, evaluationPeriods: number, periodSeconds: number): string {
  const minutes = periodSeconds / 60;
  const unit = minutes === 1 ? 'one-minute' : `${minutes}-minute`;
  if (datapoints === evaluationPeriods) {
    return datapoints === 1 ? `one ${unit} period` : `${datapoints} consecutive ${unit} periods`;
  }
  return `${datapoints} of ${evaluationPeriods} ${unit} periods`;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
