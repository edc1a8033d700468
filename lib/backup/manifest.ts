/**
 * The backup manifest: the commit record of one backup run. Shared by the backup Lambda
 * (writes it last, only after every component succeeded) and the restore workflow (reads
 * only committed manifests). Pure: no CDK, no AWS SDK.
 *
 * Bucket layout:
 *   backups/<backupId>/<component file>   component objects (e.g. configuration.json.gz)
 *   manifests/<backupId>.json             the manifest; a backup without one does not exist
 */

/** Version of the manifest format. Readers reject other versions. */
export const MANIFEST_SCHEMA_VERSION = 1;

/** Prefix of manifest objects in the backup bucket. */
export const MANIFEST_PREFIX = 'manifests/';
/** Prefix of component objects in the backup bucket. */
export const BACKUP_PREFIX = 'backups/';

/** The parts of the service a backup covers. */
export type BackupComponentName = 'configuration' | 'database' | 'cache';

/**
 * How a component was captured:
 * - `pitr`: RDS point-in-time recovery; `reference` is the DB instance identifier, restorable up to `latestRestorableTime`.
 * - `rds-snapshot`: a manual RDS snapshot; `reference` is the snapshot identifier.
 * - `s3-object`: an object written to the backup bucket (`s3Key`, `sizeBytes`, `sha256`).
 * - `elasticache-export`: an ElastiCache backup exported to the bucket (`s3Key`; `reference` is the snapshot name).
 * - `rebuildable`: nothing stored; the component is rebuilt empty (a cache started cold).
 */
export type BackupComponentKind = 'pitr' | 'rds-snapshot' | 's3-object' | 'elasticache-export' | 'rebuildable';

/** One captured component. */
export interface BackupComponent {
  readonly name: BackupComponentName;
  readonly kind: BackupComponentKind;
  /** Identifier of what was captured: DB instance id, snapshot id, S3 URI or cache snapshot name. */
  readonly reference: string;
  /** Time the component's data represents (ISO 8601, UTC). */
  readonly consistencyTime: string;
  /** Key in the backup bucket, for components stored there. */
  readonly s3Key?: string;
  /** Size in bytes of the stored object. */
  readonly sizeBytes?: number;
  /** Hex SHA-256 of the stored object's bytes. */
  readonly sha256?: string;
  /** Engine, e.g. `postgres`, `valkey`, `redis`. */
  readonly engine?: string;
  /** Engine version, e.g. `16.4`. */
  readonly engineVersion?: string;
  /** For `pitr`: the latest restorable time RDS reported (ISO 8601). */
  readonly latestRestorableTime?: string;
}

/** The commit record of one backup run. */
export interface BackupManifest {
  readonly schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  /** Derived from the schedule slot, e.g. `20261125T0700Z`: the same slot always has the same id. */
  readonly backupId: string;
  /** Start of the schedule slot (ISO 8601, UTC). */
  readonly slot: string;
  /** The earliest consistencyTime of the components: what a restore from this backup gets back to. */
  readonly consistencyTime: string;
  /** When the manifest was written (ISO 8601, UTC). */
  readonly createdAt: string;
  /** Name of the service the backup belongs to. */
  readonly service: string;
  readonly components: readonly BackupComponent[];
  /**
   * Added in the backup Lambda (optional, same schemaVersion): restore points of a slower cadence
   * that the run confirmed exist (the newest available manual RDS snapshot, the newest completed
   * ElastiCache export). They are fallbacks and seeds for a restore, not part of this backup's
   * consistency point, so `consistencyTime` does not include them. Validate with
   * {@link parseSupplementary}.
   */
  readonly supplementary?: readonly BackupComponent[];
}

/** The S3 key of a backup's manifest. */
export function manifestKey(backupId: string): string {
  return `${MANIFEST_PREFIX}${backupId}.json`;
}

/** The S3 key prefix of a backup's component objects. */
export function componentPrefix(backupId: string): string {
  return `${BACKUP_PREFIX}${backupId}/`;
}

/**
 * The schedule slot a time falls in: the time rounded down to a whole multiple of
 * `intervalMinutes` since the epoch (UTC). Throws on an invalid date or interval.
 */
export function slotStart(time: Date, intervalMinutes: number): Date {
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) throw new Error('slotStart: time must be a valid Date');
  if (!Number.isInteger(intervalMinutes) || intervalMinutes < 1 || intervalMinutes > 1440) {
    throw new Error(`slotStart: intervalMinutes must be an integer from 1 to 1440, got ${intervalMinutes}`);
  }
  const ms = intervalMinutes * 60_000;
  return new Date(Math.floor(time.getTime() / ms) * ms);
}

/** The backup id of a slot: `YYYYMMDDTHHMMZ`. Sorts in time order. */
export function backupIdForSlot(slot: Date): string {
  const iso = slot.toISOString(); // 2026-11-25T07:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
}

/** Parses a backup id back into its slot time; throws on anything else. */
export function slotOfBackupId(backupId: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/.exec(backupId);
  if (!m) throw new Error(`invalid backup id "${backupId}": expected YYYYMMDDTHHMMZ`);
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
  if (backupIdForSlot(d) !== backupId) throw new Error(`invalid backup id "${backupId}": not a real UTC time`);
  return d;
}

const COMPONENT_NAMES: readonly string[] = ['configuration', 'database', 'cache'];
const COMPONENT_KINDS: readonly string[] = ['pitr', 'rds-snapshot', 's3-object', 'elasticache-export', 'rebuildable'];

function isoTime(value: unknown, field: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new Error(`manifest: ${field} must be an ISO 8601 time, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Validates an object read from the bucket as a manifest. Throws an error naming the
 * first field that is wrong; never returns a partially valid manifest.
 */
export function parseManifest(value: unknown): BackupManifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('manifest: must be a JSON object');
  const m = value as Record<string, unknown>;
  if (m.schemaVersion !== MANIFEST_SCHEMA_VERSION) {
    throw new Error(
      `manifest: schemaVersion must be ${MANIFEST_SCHEMA_VERSION}, got ${JSON.stringify(m.schemaVersion)}`,
    );
  }
  if (typeof m.backupId !== 'string') throw new Error('manifest: backupId must be a string');
  slotOfBackupId(m.backupId);
  isoTime(m.slot, 'slot');
  isoTime(m.consistencyTime, 'consistencyTime');
  isoTime(m.createdAt, 'createdAt');
  if (typeof m.service !== 'string' || m.service.length === 0)
    throw new Error('manifest: service must be a non-empty string');
  if (!Array.isArray(m.components) || m.components.length === 0)
    throw new Error('manifest: components must be a non-empty array');
  m.components.forEach((c: unknown, i: number) => {
    const at = `components[${i}]`;
    if (typeof c !== 'object' || c === null) throw new Error(`manifest: ${at} must be an object`);
    const comp = c as Record<string, unknown>;
    if (!COMPONENT_NAMES.includes(comp.name as string))
      throw new Error(`manifest: ${at}.name must be one of ${COMPONENT_NAMES.join(', ')}`);
    if (!COMPONENT_KINDS.includes(comp.kind as string))
      throw new Error(`manifest: ${at}.kind must be one of ${COMPONENT_KINDS.join(', ')}`);
    if (typeof comp.reference !== 'string' || comp.reference.length === 0)
      throw new Error(`manifest: ${at}.reference must be a non-empty string`);
    isoTime(comp.consistencyTime, `${at}.consistencyTime`);
    if (comp.kind === 's3-object' || comp.kind === 'elasticache-export') {
      if (typeof comp.s3Key !== 'string' || comp.s3Key.length === 0)
        throw new Error(`manifest: ${at}.s3Key is required for kind ${comp.kind}`);
    }
    if (comp.kind === 's3-object') {
      if (typeof comp.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(comp.sha256))
        throw new Error(`manifest: ${at}.sha256 must be 64 lowercase hex digits`);
      if (typeof comp.sizeBytes !== 'number' || !Number.isInteger(comp.sizeBytes) || comp.sizeBytes < 0)
        throw new Error(`manifest: ${at}.sizeBytes must be a whole number ≥ 0`);
    }
    if (comp.kind === 'pitr') isoTime(comp.latestRestorableTime, `${at}.latestRestorableTime`);
  });
  return value as BackupManifest;
}

/**
 * The validated `supplementary` restore points of a manifest (empty when absent). Each entry is
 * checked with the same rules as `components`; throws naming the first wrong field.
 */
export function parseSupplementary(manifest: BackupManifest): readonly BackupComponent[] {
  const extra = (manifest as { supplementary?: unknown }).supplementary;
  if (extra === undefined) return [];
  if (!Array.isArray(extra)) throw new Error('manifest: supplementary must be an array');
  if (extra.length === 0) return [];
  try {
    parseManifest({ ...manifest, components: extra });
  } catch (err) {
    throw new Error(String((err as Error).message).replace('manifest: components', 'manifest: supplementary'));
  }
  return extra as BackupComponent[];
}
