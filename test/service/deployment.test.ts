import * as fc from 'fast-check';
import { rollingDeployment } from '../../lib/service/deployment';
import {
  streamingTimingProblems,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_DEREGISTRATION_DELAY_SECONDS,
  DEFAULT_STOP_TIMEOUT_SECONDS,
  DEFAULT_SHUTDOWN_GRACE_SECONDS,
  KEEPALIVE_INTERVAL_SECONDS,
} from '../../lib/service/streaming';

describe('rollingDeployment', () => {
  test('125 % for 4 or more tasks, as the guide says', () => {
    expect(rollingDeployment(4)).toEqual({ minHealthyPercent: 100, maxHealthyPercent: 125, batchSize: 1 });
    expect(rollingDeployment(8)).toEqual({ minHealthyPercent: 100, maxHealthyPercent: 125, batchSize: 2 });
  });

  test('raises the maximum for small services so one task can start (ECS rounds down)', () => {
    expect(rollingDeployment(1).maxHealthyPercent).toBe(200);
    expect(rollingDeployment(2).maxHealthyPercent).toBe(150);
    expect(rollingDeployment(3).maxHealthyPercent).toBe(134);
  });

  test('property: a batch is ≥ 1 task, ≤ 25 % of the tasks when there are ≥ 4, and ECS rounding admits it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (n) => {
        const d = rollingDeployment(n);
        const extraTasksEcsAllows = Math.floor((n * d.maxHealthyPercent) / 100) - n;
        expect(d.minHealthyPercent).toBe(100);
        expect(extraTasksEcsAllows).toBeGreaterThanOrEqual(1);
        expect(extraTasksEcsAllows).toBe(d.batchSize);
        if (n >= 4) expect(d.batchSize).toBeLessThanOrEqual(n * 0.25);
      }),
    );
  });

  test('rejects nonsense', () => {
    expect(() => rollingDeployment(0)).toThrow(/desiredTasks must be an integer ≥ 1, got 0/);
    expect(() => rollingDeployment(2.5)).toThrow(/desiredTasks/);
    expect(() => rollingDeployment(4, 0)).toThrow(/maxBatchFraction must be in \(0, 1\]/);
  });
});

describe('streaming timings', () => {
  const defaults = {
    idleTimeoutSeconds: DEFAULT_IDLE_TIMEOUT_SECONDS,
    deregistrationDelaySeconds: DEFAULT_DEREGISTRATION_DELAY_SECONDS,
    stopTimeoutSeconds: DEFAULT_STOP_TIMEOUT_SECONDS,
    shutdownGraceSeconds: DEFAULT_SHUTDOWN_GRACE_SECONDS,
    keepAliveIntervalSeconds: KEEPALIVE_INTERVAL_SECONDS,
  };

  test('the defaults are consistent: idle timeout well above keep-alive, drain inside stop timeout', () => {
    expect(streamingTimingProblems(defaults)).toEqual([]);
    expect(defaults.idleTimeoutSeconds).toBeGreaterThanOrEqual(4 * defaults.keepAliveIntervalSeconds);
    expect(defaults.shutdownGraceSeconds).toBeLessThan(defaults.stopTimeoutSeconds);
  });

  test('an idle timeout close to the keep-alive interval is rejected', () => {
    expect(streamingTimingProblems({ ...defaults, idleTimeoutSeconds: 20 })).toEqual([
      expect.stringMatching(/idleTimeout \(20 s\) must be at least twice the server's keep-alive interval \(15 s\)/),
    ]);
  });

  test('a stop timeout shorter than the drain is rejected, and so is one Fargate does not allow', () => {
    expect(streamingTimingProblems({ ...defaults, stopTimeoutSeconds: 10 })[0]).toMatch(
      /shutdown grace \(20 s\) must be shorter than stopTimeout \(10 s\)/,
    );
    expect(streamingTimingProblems({ ...defaults, stopTimeoutSeconds: 300 })[0]).toMatch(
      /stopTimeout must be a whole number of seconds from 2 to 120, got 300/,
    );
  });
});
