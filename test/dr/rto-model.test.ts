import * as fc from 'fast-check';
import {
  AwsDurations,
  DurationTerm,
  PLANNING_ASSUMPTIONS,
  RTO_SOURCES,
  RecoverySizing,
  TYPICAL_AWS_DURATIONS,
  TYPICAL_SIZING,
  WorkflowTimings,
  awsDurationsFor,
  deploymentBatches,
  estimateRecoveryTime,
  largestDatabaseWithinRto,
  planRecoveryTime,
  polledDuration,
  workflowTimings,
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

describe('RTO model from sizes', () => {
  const wf30 = workflowTimings(30);
  const sized = (over: Partial<RecoverySizing> = {}): RecoverySizing => ({ ...TYPICAL_SIZING, ...over });
  const phaseSum = (terms: readonly DurationTerm[], phase: keyof AwsDurations): number =>
    terms.filter((t) => t.phase === phase).reduce((a, t) => a + t.seconds, 0);

  test('deployment batches follow maximumPercent (rounded down), a standby from 0 starts at once', () => {
    expect(deploymentBatches(4, 200, 4)).toBe(1);
    expect(deploymentBatches(4, 150, 4)).toBe(2);
    expect(deploymentBatches(3, 150, 3)).toBe(3); // floor(4.5) - 3 = 1 task of headroom
    expect(deploymentBatches(4, 100, 4)).toBe(4); // no headroom: one at a time
    expect(deploymentBatches(6, 100, 0)).toBe(1);
    expect(deploymentBatches(0, 200, 0)).toBe(0);
    expect(() => deploymentBatches(2, 250, 2)).toThrow(/maximumPercent must be from 100 to 200, got 250/);
  });

  test('PITR replays the log since the daily snapshot; a snapshot restore does not', () => {
    const pitr = awsDurationsFor(sized({ databaseMethod: 'pitr', writeGbPerHour: 2 }), 'drill');
    const snap = awsDurationsFor(sized({ databaseMethod: 'snapshot', writeGbPerHour: 2 }), 'drill');
    const replay = (2 * PLANNING_ASSUMPTIONS.logHoursWorstCase) / PLANNING_ASSUMPTIONS.logReplayGbPerSecond;
    expect(pitr.aws.databaseRestore - snap.aws.databaseRestore).toBeCloseTo(replay, 6);
  });

  test('Multi-AZ costs only in recover mode; size scales the volume term', () => {
    const s = sized({ multiAz: true, databaseSizeGb: 1000 });
    expect(awsDurationsFor(s, 'recover').aws.databaseRestore - awsDurationsFor(s, 'drill').aws.databaseRestore).toBe(
      PLANNING_ASSUMPTIONS.multiAzStandby,
    );
    const small = awsDurationsFor(sized({ databaseSizeGb: 100 }), 'drill').aws.databaseRestore;
    const big = awsDurationsFor(sized({ databaseSizeGb: 1100 }), 'drill').aws.databaseRestore;
    expect(big - small).toBeCloseTo(1000 * PLANNING_ASSUMPTIONS.snapshotVolumePerGb, 6);
  });

  test('in place: old tasks drain; region loss: password reset and DNS (propagation + TTL), no drain', () => {
    const inPlace = awsDurationsFor(sized({ scenario: 'in-place', deregistrationDelaySeconds: 60 }), 'recover');
    const lost = awsDurationsFor(sized({ scenario: 'region-loss', dnsTtlSeconds: 300 }), 'recover');
    expect(inPlace.terms.map((t) => t.what)).toContain('old tasks drain: deregistration delay 60 s');
    expect(inPlace.aws.trafficMove).toBe(0);
    expect(lost.terms.some((t) => t.what.startsWith('old tasks drain'))).toBe(false);
    expect(lost.aws.trafficMove).toBe(PLANNING_ASSUMPTIONS.route53Propagation + 300);
    expect(
      lost.aws.databaseRestore - awsDurationsFor(sized({ scenario: 'in-place' }), 'recover').aws.databaseRestore,
    ).toBeCloseTo(PLANNING_ASSUMPTIONS.passwordReset, 6);
    // The traffic move counts in the recovery time.
    const a = planRecoveryTime(sized({ scenario: 'region-loss', dnsTtlSeconds: 60 }), 'recover', wf30, 1800);
    const b = planRecoveryTime(sized({ scenario: 'region-loss', dnsTtlSeconds: 660 }), 'recover', wf30, 1800);
    expect(b.totalSeconds - a.totalSeconds).toBeCloseTo(600, 6);
  });

  test('every phase is the sum of its terms; every source is one of the cited AWS pages', () => {
    for (const scenario of ['in-place', 'region-loss'] as const)
      for (const mode of ['drill', 'recover'] as const) {
        const { aws, terms } = awsDurationsFor(sized({ scenario }), mode);
        for (const phase of Object.keys(aws) as Array<keyof AwsDurations>) {
          expect(phaseSum(terms, phase)).toBeCloseTo(aws[phase] ?? 0, 6);
        }
        for (const t of terms) {
          if (t.source !== undefined) expect(Object.values(RTO_SOURCES)).toContain(t.source);
        }
      }
  });

  test('property: the recovery time never shrinks when a driver grows', () => {
    const sizing = fc.record({
      scenario: fc.constantFrom<RecoverySizing['scenario']>('in-place', 'region-loss'),
      databaseSizeGb: fc.integer({ min: 0, max: 20000 }),
      databaseMethod: fc.constantFrom<RecoverySizing['databaseMethod']>('pitr', 'snapshot'),
      multiAz: fc.boolean(),
      writeGbPerHour: fc.double({ min: 0, max: 50, noNaN: true }),
      cacheSizeGb: fc.integer({ min: 0, max: 100 }),
      cacheSeeded: fc.boolean(),
      tasks: fc.integer({ min: 1, max: 50 }),
      maximumPercent: fc.integer({ min: 100, max: 200 }),
      healthCheckIntervalSeconds: fc.integer({ min: 5, max: 300 }),
      healthyThresholdCount: fc.integer({ min: 2, max: 10 }),
      deregistrationDelaySeconds: fc.integer({ min: 0, max: 3600 }),
      approvalWaitSeconds: fc.integer({ min: 0, max: 86400 }),
      dnsTtlSeconds: fc.integer({ min: 0, max: 86400 }),
    });
    const driver = fc.constantFrom<keyof RecoverySizing>(
      'databaseSizeGb',
      'writeGbPerHour',
      'cacheSizeGb',
      'tasks',
      'healthCheckIntervalSeconds',
      'deregistrationDelaySeconds',
      'approvalWaitSeconds',
      'dnsTtlSeconds',
    );
    fc.assert(
      fc.property(
        sizing,
        driver,
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom<'drill' | 'recover'>('drill', 'recover'),
        (drawn, key, more, mode) => {
          // More tasks may take fewer batches: ECS's headroom is floor(tasks × maximumPercent / 100) − tasks, so at
          // 106 % 18 tasks start one at a time and 284 tasks 17 at a time. The time grows with the task count only
          // where the headroom is fixed: 100 % (one at a time) and 200 % (McpService's default, all at once).
          const s = key === 'tasks' ? { ...drawn, maximumPercent: drawn.maximumPercent < 150 ? 100 : 200 } : drawn;
          const before = planRecoveryTime(s, mode, wf30, 1800);
          const after = planRecoveryTime({ ...s, [key]: (s[key] as number) + more }, mode, wf30, 1800);
          expect(after.totalSeconds).toBeGreaterThanOrEqual(before.totalSeconds - 1e-9);
          expect(before.totalSeconds).toBeCloseTo(before.awsSeconds + before.workflowOverheadSeconds, 6);
          // A drill never takes longer than the recovery of the same sizes (which adds approval, cut-over, probe).
          expect(planRecoveryTime(s, 'drill', wf30, 1800).totalSeconds).toBeLessThanOrEqual(
            planRecoveryTime(s, 'recover', wf30, 1800).totalSeconds + 1e-9,
          );
        },
      ),
    );
  });

  test('property: largestDatabaseWithinRto fits, one more GB does not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<RecoverySizing['scenario']>('in-place', 'region-loss'),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.integer({ min: 1200, max: 3600 }),
        (scenario, writeGbPerHour, rto) => {
          const s = sized({ scenario, writeGbPerHour });
          const gb = largestDatabaseWithinRto(s, 'recover', wf30, rto);
          if (gb === 0) {
            expect(planRecoveryTime({ ...s, databaseSizeGb: 0 }, 'recover', wf30, rto).withinRto).toBe(false);
            return;
          }
          expect(planRecoveryTime({ ...s, databaseSizeGb: gb }, 'recover', wf30, rto).withinRto).toBe(true);
          if (gb < 65536)
            expect(planRecoveryTime({ ...s, databaseSizeGb: gb + 1 }, 'recover', wf30, rto).withinRto).toBe(false);
        },
      ),
      { numRuns: 30 },
    );
  });

  test('the reference sizes meet the 30-minute RTO in both scenarios', () => {
    for (const scenario of ['in-place', 'region-loss'] as const) {
      expect(planRecoveryTime(sized({ scenario }), 'recover', wf30, 1800).withinRto).toBe(true);
    }
  });

  test('bad sizes: clear errors', () => {
    expect(() => awsDurationsFor(sized({ databaseSizeGb: -1 }), 'drill')).toThrow(
      /databaseSizeGb must be a finite number ≥ 0, got -1/,
    );
    expect(() => awsDurationsFor(sized({ tasks: 0 }), 'drill')).toThrow(/tasks must be an integer ≥ 1, got 0/);
    expect(() => awsDurationsFor(sized({ scenario: 'moon' as never }), 'drill')).toThrow(/scenario must be/);
    expect(() => awsDurationsFor(sized({ healthyThresholdCount: 1 }), 'drill')).toThrow(/healthyThresholdCount/);
  });
});
