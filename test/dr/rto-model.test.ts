import {
  AwsDurations,
  TYPICAL_AWS_DURATIONS,
  WorkflowTimings,
  estimateRecoveryTime,
  polledDuration,
} from '../../lib/dr/rto-model';

const wf: WorkflowTimings = {
  databasePollInterval: 30,
  cachePollInterval: 30,
  deploymentPollInterval: 30,
  lambdaStep: 1,
  stateTransition: 0.1,
};

describe('RTO model', () => {
  test('polledDuration rounds up to the next poll, at least one poll', () => {
    expect(polledDuration(0, 30)).toBe(30);
    expect(polledDuration(30, 30)).toBe(30);
    expect(polledDuration(31, 30)).toBe(60);
    expect(() => polledDuration(10, 0)).toThrow(/interval must be > 0/);
  });

  test('drill: database is the critical path; overhead = polling + steps', () => {
    const aws: AwsDurations = { ...TYPICAL_AWS_DURATIONS, databaseRestore: 901, cacheRestore: 480 };
    const e = estimateRecoveryTime('drill', aws, wf, 1800);
    expect(e.awsSeconds).toBe(901 + aws.readinessTask);
    expect(e.pollingLagSeconds).toBe(29); // seen at 930 s
    expect(e.pollingOverheadSeconds).toBe(30); // worst case: one interval
    expect(e.stepOverheadSeconds).toBeCloseTo(5 * 1 + 10 * 0.1, 6);
    expect(e.totalSeconds).toBeCloseTo(e.awsSeconds + e.workflowOverheadSeconds, 6);
    expect(e.withinRto).toBe(true);
  });

  test('a slow cache becomes the critical path', () => {
    const e = estimateRecoveryTime(
      'drill',
      { ...TYPICAL_AWS_DURATIONS, databaseRestore: 300, cacheRestore: 700 },
      wf,
      1800,
    );
    expect(e.awsSeconds).toBe(700 + TYPICAL_AWS_DURATIONS.readinessTask);
  });

  test('recover adds approval, deployment (polled) and probe; a long approval misses the RTO', () => {
    const e = estimateRecoveryTime('recover', TYPICAL_AWS_DURATIONS, wf, 1800);
    const d = estimateRecoveryTime('drill', TYPICAL_AWS_DURATIONS, wf, 1800);
    expect(e.awsSeconds - d.awsSeconds).toBe(
      TYPICAL_AWS_DURATIONS.approval + TYPICAL_AWS_DURATIONS.cutoverDeployment + TYPICAL_AWS_DURATIONS.probe,
    );
    const slow = estimateRecoveryTime('recover', { ...TYPICAL_AWS_DURATIONS, approval: 20 * 60 }, wf, 1800);
    expect(slow.withinRto).toBe(false);
    expect(slow.marginSeconds).toBeLessThan(0);
  });

  test('longer polling costs more overhead', () => {
    const fast = estimateRecoveryTime('drill', TYPICAL_AWS_DURATIONS, wf, 1800);
    const slow = estimateRecoveryTime('drill', TYPICAL_AWS_DURATIONS, { ...wf, databasePollInterval: 120 }, 1800);
    expect(slow.pollingOverheadSeconds).toBe(120);
    expect(slow.totalSeconds - fast.totalSeconds).toBe(90);
  });

  test('rejects negative durations', () => {
    expect(() => estimateRecoveryTime('drill', { ...TYPICAL_AWS_DURATIONS, databaseRestore: -1 }, wf, 1800)).toThrow(
      /databaseRestore must be a finite number/,
    );
  });
});
