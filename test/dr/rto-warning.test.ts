import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { PLANNING_ASSUMPTIONS } from '../../lib/dr/rto-model';
import { drFixture } from './fixture';

const WARNING = Match.stringLikeRegexp('planned in-place recovery takes');

describe('McpDisasterRecovery: the RTO model at synth', () => {
  test('the fixture (100 GB, 2 tasks, 30 s polls) plans within the RTO: no warning', () => {
    const { stack, dr } = drFixture();
    expect(dr.plannedRecovery).toMatchObject({
      mode: 'recover',
      scenario: 'in-place',
      withinRto: true,
      rtoSeconds: 1800,
    });
    // Sizes read from the synthesized resources: the instance's allocated storage, the service's desired count.
    expect(dr.plannedRecovery.terms.map((t) => t.what)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^100 GB volume from the snapshot/),
        expect.stringMatching(/^2 task\(s\) in 1 batch\(es\)/),
      ]),
    );
    expect(Annotations.fromStack(stack).findWarning('*', WARNING)).toEqual([]);
  });

  test('a large, busy database makes the planned recovery miss the RTO: a synth warning with the longest terms', () => {
    const { stack, dr } = drFixture({ rtoSizing: { databaseSizeGb: 2000, writeGbPerHour: 5 } });
    expect(dr.plannedRecovery.withinRto).toBe(false);
    const replay = (5 * PLANNING_ASSUMPTIONS.logHoursWorstCase) / PLANNING_ASSUMPTIONS.logReplayGbPerSecond;
    expect(dr.plannedRecovery.terms.find((t) => t.what.startsWith('replay 120 GB'))?.seconds).toBe(replay);
    Annotations.fromStack(stack).hasWarning(
      '/DrStack/DisasterRecovery',
      Match.stringLikeRegexp(
        'planned in-place recovery takes .* min, more than the RTO of 30.0 min .*database 2000 GB pitr Multi-AZ.*replay 120 GB',
      ),
    );
  });

  test('a longer RTO absorbs the same sizes', () => {
    const { stack } = drFixture({
      rtoSizing: { databaseSizeGb: 2000, writeGbPerHour: 5 },
      rto: Duration.hours(1),
    });
    expect(Annotations.fromStack(stack).findWarning('*', WARNING)).toEqual([]);
  });

  test('invalid rtoSizing: a synth-time error naming the prop', () => {
    expect(() => drFixture({ rtoSizing: { tasks: 0 } })).toThrow(
      /McpDisasterRecovery: rtoSizing: RTO model: tasks must be an integer ≥ 1, got 0/,
    );
  });
});
