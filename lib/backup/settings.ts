/**
 * Synth-time checks of the backup settings. Pure (no CDK): the construct converts its props to
 * numbers and calls {@link checkBackupSettings}; each error names the prop, the value and what is allowed.
 */
import {
  exportsPerDay,
  ELASTICACHE_MANUAL_BACKUPS_PER_NODE_PER_DAY,
  RDS_MANUAL_SNAPSHOT_QUOTA,
  steadyStateSnapshotCount,
} from './selection';

const OWNER = 'McpBackup';

/** The interval in minutes of an EventBridge `rate(…)` expression, or undefined for anything else (cron). */
export function rateExpressionMinutes(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2].startsWith('minute') ? 1 : m[2].startsWith('hour') ? 60 : 1440;
  return n * unit;
}

/** Numbers the construct derived from its props. */
export interface BackupSettings {
  readonly intervalMinutes: number;
  readonly rpoMinutes: number;
  readonly retentionDays: number;
  readonly objectLockDays: number;
  readonly hasDatabase: boolean;
  readonly snapshotEveryHours: number;
  readonly snapshotRetentionHours: number;
  readonly keepNewestSnapshots: number;
  readonly snapshotQuotaReserve: number;
  /** The region's manual-snapshot quota the settings must fit in. */
  readonly manualSnapshotQuota: number;
  readonly hasCacheExport: boolean;
  readonly cacheExportEveryHours: number;
  readonly cacheExportQuotaReserve: number;
}

function int(prop: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${OWNER}: ${prop} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/** Throws on the first setting that is out of range or inconsistent with another. */
export function checkBackupSettings(s: BackupSettings): void {
  int('schedule interval (minutes)', s.intervalMinutes, 5, 1440);
  if (1440 % s.intervalMinutes !== 0) {
    throw new Error(
      `${OWNER}: schedule interval must divide a day evenly (slots are aligned to UTC midnight), got ${s.intervalMinutes} minutes`,
    );
  }
  int('rpo (minutes)', s.rpoMinutes, 5, 10080);
  if (s.intervalMinutes > s.rpoMinutes) {
    throw new Error(
      `${OWNER}: the schedule (every ${s.intervalMinutes} min) must run at least once per rpo (${s.rpoMinutes} min)`,
    );
  }
  int('retention (days)', s.retentionDays, 1, 3650);
  int('objectLock.period (days)', s.objectLockDays, 1, 3650);
  if (s.objectLockDays > s.retentionDays) {
    throw new Error(
      `${OWNER}: objectLock.period (${s.objectLockDays} days) must not exceed retention (${s.retentionDays} days): locked objects could not expire`,
    );
  }
  if (s.hasDatabase) {
    int('snapshotInterval (hours)', s.snapshotEveryHours, 1, 168);
    int('keepNewestSnapshots', s.keepNewestSnapshots, 1, 50);
    int('snapshotRetention (hours)', s.snapshotRetentionHours, 1, 24 * 3650);
    int('snapshotQuotaReserve', s.snapshotQuotaReserve, 0, s.manualSnapshotQuota - 1);
    const held = steadyStateSnapshotCount(s.snapshotRetentionHours, s.snapshotEveryHours, s.keepNewestSnapshots);
    const budget = s.manualSnapshotQuota - s.snapshotQuotaReserve;
    if (held > budget) {
      throw new Error(
        `${OWNER}: a snapshot every ${s.snapshotEveryHours} h kept ${s.snapshotRetentionHours} h holds ${held} manual snapshots, ` +
          `more than the ${budget} the RDS quota (${s.manualSnapshotQuota} per region) leaves after snapshotQuotaReserve ${s.snapshotQuotaReserve}; ` +
          'take snapshots less often or keep them for less time (point-in-time recovery is the primary path)',
      );
    }
  }
  if (s.hasCacheExport) {
    int('cacheExportInterval (hours)', s.cacheExportEveryHours, 1, 168);
    int('cacheExportQuotaReserve', s.cacheExportQuotaReserve, 0, ELASTICACHE_MANUAL_BACKUPS_PER_NODE_PER_DAY - 1);
    const limit = ELASTICACHE_MANUAL_BACKUPS_PER_NODE_PER_DAY - s.cacheExportQuotaReserve;
    if (exportsPerDay(s.cacheExportEveryHours) > limit) {
      throw new Error(
        `${OWNER}: a cache export every ${s.cacheExportEveryHours} h is ${exportsPerDay(s.cacheExportEveryHours)} per day, ` +
          `more than the ${limit} ElastiCache allows per node per day after cacheExportQuotaReserve ${s.cacheExportQuotaReserve}`,
      );
    }
  }
}

export { RDS_MANUAL_SNAPSHOT_QUOTA };
