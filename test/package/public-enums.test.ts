/**
 * The enums that replaced the public API's string-literal unions (issue 16): exported from the package root, and
 * carrying exactly the strings the templates, the Lambdas and the metrics use, so that nothing synthesized or
 * parsed changed when the unions became enums.
 */
import * as publicApi from '../../lib';
import { BACKUP_ENV, parseBackupEnv } from '../../lib/backup/handler-config';
import { INDEX_ROTATIONS } from '../../lib/logging/opensearch-bulk';
import { TYPICAL_AWS_DURATIONS } from '../../lib/dr/rto-model';

const values = (e: object): string[] => Object.values(e).sort();

describe('enums of the public API', () => {
  test('are exported from the package root', () => {
    for (const name of [
      'CacheBackupMode',
      'OpenSearchIndexRotation',
      'TrafficCeilingSource',
      'RecoveryMetric',
      'RecoveryMode',
      'RecoveryScenario',
      'DatabaseRestoreMethod',
      'RecoveryPhase',
    ])
      expect(typeof (publicApi as Record<string, unknown>)[name]).toBe('object');
  });

  test('CacheBackupMode values are what the backup Lambda reads from its environment', () => {
    expect(values(publicApi.CacheBackupMode)).toEqual(['export', 'rebuildable']);
    for (const mode of Object.values(publicApi.CacheBackupMode)) {
      const cfg = parseBackupEnv({
        [BACKUP_ENV.bucket]: 'b',
        [BACKUP_ENV.service]: 'svc',
        [BACKUP_ENV.intervalMinutes]: '60',
        [BACKUP_ENV.cacheReplicationGroupId]: 'grp',
        [BACKUP_ENV.cacheMode]: mode,
      });
      expect(cfg.cache?.mode).toBe(mode);
    }
  });

  test('OpenSearchIndexRotation values are the log indexer’s rotations', () => {
    expect(values(publicApi.OpenSearchIndexRotation)).toEqual([...INDEX_ROTATIONS].sort());
  });

  test('RecoveryPhase values are the fields of the RTO model’s AWS durations', () => {
    expect(values(publicApi.RecoveryPhase)).toEqual(Object.keys({ trafficMove: 0, ...TYPICAL_AWS_DURATIONS }).sort());
  });

  test('the DR metric, mode, scenario and restore-method values are the strings the workflow publishes and plans with', () => {
    expect(values(publicApi.RecoveryMetric)).toEqual(
      ['DataLossSeconds', 'DrillAgeSeconds', 'RecoveryTimeSeconds', 'RunningExecutionSeconds'].sort(),
    );
    expect(values(publicApi.RecoveryMode)).toEqual(['drill', 'recover']);
    expect(values(publicApi.RecoveryScenario)).toEqual(['in-place', 'region-loss']);
    expect(values(publicApi.DatabaseRestoreMethod)).toEqual(['pitr', 'snapshot']);
    expect(values(publicApi.TrafficCeilingSource)).toEqual(['baseline', 'capacity']);
  });
});
