import fc from 'fast-check';
import { planCapacity } from '../../lib/capacity/model';
import {
  alarmThresholds,
  DEFAULT_PERFORMANCE_BASELINE,
  describeEvaluation,
  errorRateGateWarning,
  expectedRequestsPerPeriod,
  formatMs,
  resolveBaseline,
  roundThreshold,
  type ThresholdOptions,
} from '../../lib/monitoring/baseline';
import { TEST_PLAN } from './fixture';

describe('resolveBaseline', () => {
  test('defaults are the operations guide: 100/500/1000 ms, 0.1 %, 1000 rps, factor 1.5', () => {
    expect(resolveBaseline()).toEqual({
      p50LatencyMs: 100,
      p95LatencyMs: 500,
      p99LatencyMs: 1000,
      errorRatePercent: 0.1,
      requestsPerSecond: 1000,
      degradationFactor: 1.5,
    });
    expect(resolveBaseline({})).toEqual(DEFAULT_PERFORMANCE_BASELINE);
  });

  test('partial props keep the other defaults; undefined fields are ignored', () => {
    expect(resolveBaseline({ p99LatencyMs: 2000, degradationFactor: undefined })).toMatchObject({
      p50LatencyMs: 100,
      p99LatencyMs: 2000,
      degradationFactor: 1.5,
    });
  });

  test.each([
    [{ p95LatencyMs: 50 }, 'McpMonitoring: baseline.p95LatencyMs must be ≥ baseline.p50LatencyMs (100), got 50'],
    [{ p99LatencyMs: 400 }, 'McpMonitoring: baseline.p99LatencyMs must be ≥ baseline.p95LatencyMs (500), got 400'],
    [{ p50LatencyMs: 0 }, 'McpMonitoring: baseline.p50LatencyMs must be a finite number > 0, got 0'],
    [{ p50LatencyMs: Number.NaN }, 'baseline.p50LatencyMs must be a finite number > 0, got NaN'],
    [{ errorRatePercent: 120 }, 'McpMonitoring: baseline.errorRatePercent must be a percentage > 0 and ≤ 100, got 120'],
    [{ errorRatePercent: -1 }, 'baseline.errorRatePercent must be a finite number > 0, got -1'],
    [
      { errorRatePercent: 80 },
      'baseline.errorRatePercent × baseline.degradationFactor must be < 100 % or the error-rate alarm can never fire, got 80 × 1.5',
    ],
    [
      { degradationFactor: 1 },
      'McpMonitoring: baseline.degradationFactor must be > 1 and ≤ 10 (1.5 = alarm at 50 % worse than baseline), got 1',
    ],
    [{ degradationFactor: 0.5 }, 'baseline.degradationFactor must be > 1'],
    [{ requestsPerSecond: 0 }, 'baseline.requestsPerSecond must be a finite number > 0, got 0'],
  ])('rejects %j', (props, message) => {
    expect(() => resolveBaseline(props)).toThrow(message);
  });

  test('any consistent baseline is accepted and returned unchanged', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0.001, max: 50, noNaN: true }),
        fc.double({ min: 1.01, max: 1.9, noNaN: true }),
        (p50, k95, k99, err, factor) => {
          const props = {
            p50LatencyMs: p50,
            p95LatencyMs: p50 * k95,
            p99LatencyMs: p50 * k95 * k99,
            errorRatePercent: err,
            degradationFactor: factor,
          };
          expect(resolveBaseline(props)).toMatchObject(props);
        },
      ),
    );
  });
});

describe('alarmThresholds', () => {
  const defaults = alarmThresholds(resolveBaseline(), { periodSeconds: 60 });

  test('guide defaults: latency in seconds at × 1.5, 0.15 % errors gated at 667 requests, 1500 rps ceiling without a plan', () => {
    expect(defaults).toEqual({
      latencyP50Seconds: 0.15,
      latencyP95Seconds: 0.75,
      latencyP99Seconds: 1.5,
      errorRatePercent: 0.15,
      errorRateMinRequests: 667,
      trafficCeilingRps: 1500,
      trafficCeilingPerPeriod: 90000,
      trafficCeilingSource: 'baseline',
      cpuUtilizationPercent: 80,
      memoryUtilizationPercent: 80,
      maxTasks: undefined,
      minTasks: undefined,
      tasksAtMaximumAlarm: false,
      connectionsPerTask: undefined,
    });
  });

  test('the default minimum request count keeps a single error at or under the threshold, and (above the floor of 10) two errors above it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 40, noNaN: true }),
        fc.double({ min: 1.01, max: 2.4, noNaN: true }),
        (err, factor) => {
          const t = alarmThresholds(resolveBaseline({ errorRatePercent: err, degradationFactor: factor }), {
            periodSeconds: 60,
          });
          expect(t.errorRateMinRequests).toBeGreaterThanOrEqual(10);
          // One error among the minimum number of requests never exceeds the threshold.
          expect(100 / t.errorRateMinRequests).toBeLessThanOrEqual(t.errorRatePercent * (1 + 1e-9));
          // Unless the floor of 10 requests applies, two errors among the minimum number of requests exceed it.
          if (t.errorRateMinRequests > 10) expect(200 / t.errorRateMinRequests).toBeGreaterThan(t.errorRatePercent);
        },
      ),
    );
  });

  test('with a capacity plan: ceiling = peak rps per period, CPU = target × factor capped at 95, connections = plan × factor, max tasks', () => {
    const plan = TEST_PLAN;
    expect(plan.input.peakRps).toBe(200);
    expect(plan.targetCpuUtilizationPercent).toBe(60);
    const t = alarmThresholds(resolveBaseline(), { periodSeconds: 60, capacity: plan });
    expect(t).toMatchObject({
      trafficCeilingRps: 200,
      trafficCeilingPerPeriod: 12000,
      trafficCeilingSource: 'capacity',
      cpuUtilizationPercent: 90,
      maxTasks: plan.maxTasks,
      connectionsPerTask: roundThreshold(plan.derived.concurrencyPerTask * 1.5),
    });
    const steep = alarmThresholds(resolveBaseline({ degradationFactor: 2 }), { periodSeconds: 300, capacity: plan });
    expect(steep).toMatchObject({
      cpuUtilizationPercent: 95,
      trafficCeilingPerPeriod: 60000,
      connectionsPerTask: plan.derived.concurrencyPerTask * 2,
    });
  });

  test('overrides win over derived values', () => {
    const t = alarmThresholds(resolveBaseline(), {
      periodSeconds: 60,
      capacity: TEST_PLAN,
      cpuUtilizationPercent: 70,
      memoryUtilizationPercent: 85,
      errorRateMinRequests: 50,
    });
    expect(t).toMatchObject({ cpuUtilizationPercent: 70, memoryUtilizationPercent: 85, errorRateMinRequests: 50 });
    expect(alarmThresholds(resolveBaseline(), { periodSeconds: 60, maxTaskCount: 4 }).maxTasks).toBe(4);
  });

  test('tasks at maximum: only when the maximum is known and above the minimum (min = max always runs at the maximum)', () => {
    const t = (o: Partial<ThresholdOptions>) => alarmThresholds(resolveBaseline(), { periodSeconds: 60, ...o });
    expect(t({ maxTaskCount: 4 })).toMatchObject({ maxTasks: 4, minTasks: undefined, tasksAtMaximumAlarm: true });
    expect(t({ maxTaskCount: 4, minTaskCount: 2 })).toMatchObject({
      maxTasks: 4,
      minTasks: 2,
      tasksAtMaximumAlarm: true,
    });
    expect(t({ maxTaskCount: 4, minTaskCount: 4 })).toMatchObject({ tasksAtMaximumAlarm: false });
    expect(t({ minTaskCount: 2 })).toMatchObject({ maxTasks: undefined, tasksAtMaximumAlarm: false });
    expect(t({ capacity: TEST_PLAN })).toMatchObject({
      minTasks: TEST_PLAN.minTasks,
      maxTasks: TEST_PLAN.maxTasks,
      tasksAtMaximumAlarm: TEST_PLAN.minTasks < TEST_PLAN.maxTasks,
    });
    expect(TEST_PLAN.minTasks).toBeLessThan(TEST_PLAN.maxTasks);
    const fixed = planCapacity({
      peakRps: 10,
      meanLatencyMs: 100,
      cpuSecondsPerRequest: 0.01,
      memoryPerConnectionMiB: 10,
      maxTasksFactor: 1,
    });
    expect(fixed.minTasks).toBe(fixed.maxTasks);
    expect(t({ capacity: fixed })).toMatchObject({ tasksAtMaximumAlarm: false });
    expect(() => t({ maxTaskCount: 2, minTaskCount: 3 })).toThrow(
      'McpMonitoring: minTaskCount (3) must be ≤ the autoscaling maximum (2)',
    );
  });

  test('error-rate gate: a warning when the expected traffic per period can never reach the minimum request count', () => {
    const b = resolveBaseline();
    const at = (rps: number) =>
      errorRateGateWarning(
        alarmThresholds(resolveBaseline({ requestsPerSecond: rps }), { periodSeconds: 60 }),
        resolveBaseline({ requestsPerSecond: rps }),
        60,
      );
    // 667 requests per minute are needed: 11.1 rps.
    expect(at(1000)).toBeUndefined();
    expect(at(11.2)).toBeUndefined();
    expect(at(11)).toBe(
      'the error-rate alarm counts only periods with at least errorRateMinRequests = 667 requests, but baseline.requestsPerSecond 11 ' +
        'gives at most 660 requests per 60 s period, so it can never fire; lower errorRateMinRequests (one error among that many requests then exceeds the threshold) or lengthen period',
    );
    // With a plan, its peak decides.
    const low = planCapacity({
      peakRps: 10,
      meanLatencyMs: 100,
      cpuSecondsPerRequest: 0.01,
      memoryPerConnectionMiB: 10,
    });
    expect(errorRateGateWarning(alarmThresholds(b, { periodSeconds: 60, capacity: low }), b, 60, low)).toContain(
      "the capacity plan's peak of 10 rps gives at most 600 requests per 60 s period",
    );
    expect(
      errorRateGateWarning(alarmThresholds(b, { periodSeconds: 300, capacity: low }), b, 300, low),
    ).toBeUndefined();
    expect(
      errorRateGateWarning(
        alarmThresholds(b, { periodSeconds: 60, capacity: low, errorRateMinRequests: 100 }),
        b,
        60,
        low,
      ),
    ).toBeUndefined();
    expect(expectedRequestsPerPeriod(b, 60, TEST_PLAN)).toBe(12000);
  });

  test.each([
    [{ periodSeconds: 90 }, 'McpMonitoring: period must be a whole number of minutes, got 90 s'],
    [{ periodSeconds: 30 }, 'period must be a whole number of minutes, got 30 s'],
    [
      { periodSeconds: 60, cpuUtilizationPercent: 150 },
      'McpMonitoring: cpuUtilizationPercent must be a number from 1 to 100, got 150',
    ],
    [
      { periodSeconds: 60, memoryUtilizationPercent: 0 },
      'memoryUtilizationPercent must be a number from 1 to 100, got 0',
    ],
    [
      { periodSeconds: 60, errorRateMinRequests: 0.5 },
      'McpMonitoring: errorRateMinRequests must be an integer from 1 to 1000000000, got 0.5',
    ],
    [{ periodSeconds: 60, maxTaskCount: 0 }, 'McpMonitoring: maxTaskCount must be an integer from 1 to 5000, got 0'],
  ])('rejects %j', (options, message) => {
    expect(() => alarmThresholds(resolveBaseline(), options)).toThrow(message);
  });
});

describe('formatting helpers', () => {
  test('roundThreshold removes floating-point noise', () => {
    expect(0.1 * 1.5).not.toBe(0.15);
    expect(roundThreshold(0.1 * 1.5)).toBe(0.15);
  });
  test('formatMs', () => {
    expect(formatMs(150)).toBe('150 ms');
    expect(formatMs(1500)).toBe('1.5 s');
    expect(formatMs(0.1 * 1.5 * 1000)).toBe('150 ms');
  });
  test('describeEvaluation', () => {
    expect(describeEvaluation(2, 3, 60)).toBe('2 of 3 one-minute periods');
    expect(describeEvaluation(3, 3, 60)).toBe('3 consecutive one-minute periods');
    expect(describeEvaluation(1, 1, 300)).toBe('one 5-minute period');
  });
});
