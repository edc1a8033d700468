/**
 * Pure logic of the disaster-recovery workflow: input validation, choice of the recovery
 * point, names of restored resources and execution names. No CDK, no AWS SDK: used by the
 * restore Lambda, the construct and the tests alike.
 */
import { BackupComponent, BackupManifest, backupIdForSlot, parseSupplementary } from '../backup/manifest';
import type { DatabaseRestoreMethod, RecoveryModeName } from './rto-model';

/** The workflow's input, as given to StartExecution. Every field is optional. */
export interface RecoveryRequest {
  /**
   * Time to recover to (ISO 8601 with a zone, e.g. `2026-11-25T06:30:00Z`).
   * @default the execution's start time
   */
  readonly targetTime?: string;
  /** @default 'drill' */
  readonly mode?: RecoveryModeName;
  /** @default {} */
  readonly options?: RecoveryOptions;
}

/** Options of a recovery. */
export interface RecoveryOptions {
  /**
   * Restore the cache from its exported backup. `false` starts the restored cache cold (empty).
   * @default true
   */
  readonly restoreCache?: boolean;
  /**
   * Go on when the expected data loss exceeds the RPO (an operator's explicit decision).
   * @default false
   */
  readonly acceptDataLoss?: boolean;
}

/** A validated request with every default filled in. */
export interface ValidatedRequest {
  readonly targetTime: string;
  readonly mode: RecoveryModeName;
  readonly restoreCache: boolean;
  readonly acceptDataLoss: boolean;
}

/** A request the workflow refuses before touching anything. The error name is the Step Functions error. */
export class InvalidRecoveryInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInput';
  }
}

/** No backup can serve the target (nothing in the window, or target before the oldest backup). */
export class NoRecoveryPoint extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoRecoveryPoint';
  }
}

/** The expected data loss exceeds the RPO and was not accepted. */
export class RpoExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RpoExceeded';
  }
}

/** Clock skew tolerated on a target time given "now" by an operator's laptop, in ms. */
export const FUTURE_TOLERANCE_MS = 60_000;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Validates the workflow input. `now` is the execution's start time. A target up to
 * {@link FUTURE_TOLERANCE_MS} ahead of `now` is taken as `now`; further ahead is refused.
 * Unknown fields are refused too, so a typo (`targettime`) never silently means "now".
 */
export function parseRecoveryRequest(raw: unknown, now: Date): ValidatedRequest {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidRecoveryInput('input must be a JSON object');
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !['targetTime', 'mode', 'options'].includes(k));
  if (unknown.length)
    throw new InvalidRecoveryInput(`unknown input field(s) ${unknown.join(', ')}; allowed: targetTime, mode, options`);
  let target = now;
  if (r.targetTime !== undefined) {
    if (
      typeof r.targetTime !== 'string' ||
      !ISO_WITH_ZONE.test(r.targetTime) ||
      Number.isNaN(Date.parse(r.targetTime))
    ) {
      throw new InvalidRecoveryInput(
        `targetTime must be an ISO 8601 time with a zone (e.g. 2026-11-25T06:30:00Z), got ${JSON.stringify(r.targetTime)}`,
      );
    }
    target = new Date(r.targetTime);
    if (target.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      throw new InvalidRecoveryInput(`targetTime ${r.targetTime} is in the future (now is ${now.toISOString()})`);
    }
    if (target.getTime() > now.getTime()) target = now;
  }
  const mode = r.mode ?? 'drill';
  if (mode !== 'drill' && mode !== 'recover')
    throw new InvalidRecoveryInput(`mode must be "drill" or "recover", got ${JSON.stringify(r.mode)}`);
  const options = (r.options ?? {}) as Record<string, unknown>;
  if (typeof options !== 'object' || Array.isArray(options))
    throw new InvalidRecoveryInput('options must be an object');
  const unknownOptions = Object.keys(options).filter((k) => !['restoreCache', 'acceptDataLoss'].includes(k));
  if (unknownOptions.length)
    throw new InvalidRecoveryInput(
      `unknown option(s) ${unknownOptions.join(', ')}; allowed: restoreCache, acceptDataLoss`,
    );
  for (const k of ['restoreCache', 'acceptDataLoss']) {
    if (options[k] !== undefined && typeof options[k] !== 'boolean')
      throw new InvalidRecoveryInput(`options.${k} must be true or false, got ${JSON.stringify(options[k])}`);
  }
  return {
    targetTime: target.toISOString(),
    mode,
    restoreCache: options.restoreCache !== false,
    acceptDataLoss: options.acceptDataLoss === true,
  };
}

/** The RDS automated-backup restore window of the production instance. */
export interface PitrWindow {
  readonly earliest: string;
  readonly latest: string;
}

/** How the database is restored. */
/** A restore method as the plan carries it: the string value of a `DatabaseRestoreMethod`. */
export type DatabaseRestoreMethodName = `${DatabaseRestoreMethod}`;

/** The chosen recovery point. */
export interface RecoveryPoint {
  readonly method: DatabaseRestoreMethodName;
  /** For `pitr`: the time to restore to (ISO 8601). */
  readonly restoreTime?: string;
  /** For `snapshot`: the DB snapshot identifier. */
  readonly snapshotId?: string;
  /** The manifest configuration and cache are restored from (`null` when there is none at or before the target). */
  readonly backupId: string | null;
  /** What the database restore gets back to (ISO 8601). */
  readonly consistencyTime: string;
  /** target − consistencyTime, in whole seconds. */
  readonly dataLossSeconds: number;
  readonly configuration: BackupComponent | null;
  readonly cache: BackupComponent | null;
}

/** Input of {@link selectRecoveryPoint}. */
export interface SelectionInput {
  readonly targetTime: string;
  /** Committed, parsed manifests of this service, in any order. */
  readonly manifests: readonly BackupManifest[];
  /** Production's PITR window; absent when PITR is unavailable (instance gone, backups off). */
  readonly pitr?: PitrWindow;
  readonly rpoSeconds: number;
  readonly acceptDataLoss: boolean;
  /**
   * Whether the manifests' RDS snapshots can be restored here. A region-loss recovery runs in the recovery
   * Region, where production's manual snapshots do not exist (only the replicated automated backups do).
   * @default true
   */
  readonly allowSnapshots?: boolean;
}

const t = (iso: string): number => Date.parse(iso);

/** The valid supplementary restore points of a manifest; an invalid list is ignored (the manifest's own components still count). */
function supplementaryOf(m: BackupManifest): readonly BackupComponent[] {
  try {
    return parseSupplementary(m);
  } catch {
    return [];
  }
}

/**
 * Chooses the recovery point:
 * - point-in-time restore to the target when the target is inside production's restorable window;
 *   when the target is after the window's end (it lags a few minutes behind now), PITR to the window's
 *   end is taken if it loses less data than the best snapshot;
 * - else the newest RDS snapshot (a manifest component or supplementary point) whose consistency
 *   time is at or before the target (never after).
 * Configuration and cache come from the newest committed manifest at or before the target (the
 * cache from its ElastiCache export when that is at or before the target, else cold).
 * Throws {@link InvalidRecoveryInput} when the target is before the oldest backup, {@link NoRecoveryPoint}
 * when nothing can serve the target, and {@link RpoExceeded} when the
 * data loss exceeds the RPO and was not accepted.
 */
export function selectRecoveryPoint(input: SelectionInput): RecoveryPoint {
  const target = t(input.targetTime);
  const usable = input.manifests
    .filter((m) => t(m.consistencyTime) <= target)
    .sort((a, b) => t(b.consistencyTime) - t(a.consistencyTime) || (a.backupId < b.backupId ? 1 : -1));
  const oldest = [...input.manifests].sort((a, b) => t(a.consistencyTime) - t(b.consistencyTime))[0];
  const earliestKnown = Math.min(
    oldest ? t(oldest.consistencyTime) : Infinity,
    input.pitr ? t(input.pitr.earliest) : Infinity,
  );
  if (earliestKnown === Infinity)
    throw new NoRecoveryPoint('no committed backup and no point-in-time window: nothing to restore from');
  if (target < earliestKnown) {
    throw new InvalidRecoveryInput(
      `target ${input.targetTime} is before the oldest backup (${new Date(earliestKnown).toISOString()})`,
    );
  }
  const newest = usable[0] ?? null;
  // Every restore point a manifest names: its components, then its supplementary (slower-cadence)
  // points, e.g. the newest manual RDS snapshot and the newest ElastiCache export the backup run saw.
  const pointsOf = (m: BackupManifest | null): BackupComponent[] => (m ? [...m.components, ...supplementaryOf(m)] : []);
  const atOrBefore = (c: BackupComponent): boolean => t(c.consistencyTime) <= target;

  type Candidate = {
    method: DatabaseRestoreMethodName;
    restoreTime?: string;
    snapshotId?: string;
    consistency: number;
  };
  const candidates: Candidate[] = [];
  if (input.pitr && target >= t(input.pitr.earliest)) {
    const point = Math.min(target, t(input.pitr.latest));
    candidates.push({ method: 'pitr', restoreTime: new Date(point).toISOString(), consistency: point });
  }
  // A `pitr` database component is served by the PITR candidate above (any time in the window is
  // restorable, and the window's point is never older); snapshots add candidates. Any manifest may
  // name a snapshot taken at or before the target, so all of them are looked at.
  const snapshot = (input.allowSnapshots === false ? [] : input.manifests)
    .flatMap(pointsOf)
    .filter((c) => c.name === 'database' && c.kind === 'rds-snapshot' && atOrBefore(c))
    .sort((a, b) => t(b.consistencyTime) - t(a.consistencyTime))[0];
  if (snapshot)
    candidates.push({ method: 'snapshot', snapshotId: snapshot.reference, consistency: t(snapshot.consistencyTime) });
  const newestPoints = pointsOf(newest);
  const configuration = newestPoints.find((c) => c.name === 'configuration') ?? null;
  const caches = newestPoints.filter((c) => c.name === 'cache');
  const cache =
    caches.find((c) => c.kind === 'elasticache-export' && atOrBefore(c)) ??
    caches.find((c) => c.kind !== 'elasticache-export') ??
    null;
  if (candidates.length === 0) {
    throw new NoRecoveryPoint(
      `no database backup at or before ${input.targetTime}: no committed manifest with a restorable database and the target is outside the point-in-time window`,
    );
  }
  // Least data loss wins; PITR first on a tie (pushed first, stable sort).
  const best = candidates.sort((a, b) => b.consistency - a.consistency)[0];
  const dataLossSeconds = Math.max(0, Math.round((target - best.consistency) / 1000));
  if (dataLossSeconds > input.rpoSeconds && !input.acceptDataLoss) {
    throw new RpoExceeded(
      `expected data loss ${dataLossSeconds} s exceeds the RPO of ${input.rpoSeconds} s (recovery point ${new Date(best.consistency).toISOString()}); start again with options.acceptDataLoss=true to accept it`,
    );
  }
  return {
    method: best.method,
    ...(best.restoreTime ? { restoreTime: best.restoreTime } : {}),
    ...(best.snapshotId ? { snapshotId: best.snapshotId } : {}),
    backupId: newest?.backupId ?? null,
    consistencyTime: new Date(best.consistency).toISOString(),
    dataLossSeconds,
    configuration,
    cache,
  };
}

/** What the restored cache starts from. */
/**
 * The production DB instance a manifest set names: the `reference` of the newest manifest's database
 * component (the backup Lambda records the instance identifier there). A region-loss recovery finds the
 * replicated automated backups by it, since the production stack cannot tell the recovery stack by export.
 */
export function sourceDatabaseOf(manifests: readonly BackupManifest[]): string | undefined {
  const newest = [...manifests].sort((a, b) => t(b.consistencyTime) - t(a.consistencyTime))[0];
  const db = [...(newest?.components ?? [])].find((c) => c.name === 'database' && c.kind !== 'rds-snapshot');
  return db?.reference || undefined;
}

export function cacheSource(
  cache: BackupComponent | null,
  restoreCache: boolean,
): { kind: 'export'; s3Key: string } | { kind: 'cold' } {
  if (restoreCache && cache?.kind === 'elasticache-export' && cache.s3Key)
    return { kind: 'export', s3Key: cache.s3Key };
  return { kind: 'cold' };
}

/** Rules for RDS instance and ElastiCache replication-group identifiers that restored names keep to. */
const RESOURCE_PREFIX = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * The prefix of every restored resource of a service, `<service>-dr`. Restored resources are the
 * only ones the workflow may delete, and IAM scopes deletes to this prefix.
 */
export function restoredPrefix(serviceName: string): string {
  const base = serviceName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 20)
    .replace(/-$/, '');
  if (!RESOURCE_PREFIX.test(base))
    throw new Error(`restoredPrefix: serviceName must start with a letter, got ${JSON.stringify(serviceName)}`);
  return `${base}-dr`;
}

/** 32-bit FNV-1a hash in base 36: short, stable, no crypto needed. */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36).padStart(7, '0');
}

/**
 * The identifier of everything restored by one execution: `<service>-dr-<hash of the execution name>`.
 * At most 32 characters, lowercase letters, digits and single hyphens: valid for RDS instances
 * (63) and ElastiCache replication groups (40). The same execution always gets the same id, so a
 * retried step finds what an earlier attempt created.
 */
export function restoreId(serviceName: string, executionName: string): string {
  if (!executionName) throw new Error('restoreId: executionName must not be empty');
  return `${restoredPrefix(serviceName)}-${shortHash(executionName)}`;
}

/**
 * Deterministic execution name: `<mode>-<YYYYMMDDTHHMMZ>[-<suffix>]`, from the minute of `time`
 * (the scheduled time of a drill, or the target of a recovery). Starting twice with the same
 * name is refused by Step Functions, so a duplicated trigger does not run twice.
 */
export function executionName(mode: RecoveryModeName, time: Date, suffix?: string): string {
  if (Number.isNaN(time.getTime())) throw new Error('executionName: time must be a valid Date');
  const minute = new Date(Math.floor(time.getTime() / 60_000) * 60_000);
  const clean = suffix?.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
  return `${mode}-${backupIdForSlot(minute)}${clean ? `-${clean}` : ''}`;
}

/**
 * Refuses an execution name that does not start with `<mode>-` (as {@link executionName} makes them):
 * a console start with a generated UUID name, or a name that says `drill` for a recovery. Step
 * Functions refuses a second start under the same name, so a deterministic name is what keeps a
 * repeated start from running twice.
 */
export function checkExecutionName(name: string, mode: RecoveryModeName): void {
  if (typeof name !== 'string' || !name.startsWith(`${mode}-`) || name.length <= mode.length + 1) {
    throw new InvalidRecoveryInput(
      `execution name must start with "${mode}-" (deterministic, e.g. ${mode}-20261125T0630Z-INC123, so a repeated start is refused), got ${JSON.stringify(name)}`,
    );
  }
}

/** RDS instance states that will never become `available` without an operator. */
export const DB_TERMINAL_FAILURE_STATES: readonly string[] = [
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'incompatible-option-group',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'storage-full',
  'deleting',
];

/** ElastiCache replication-group states that will never become `available`. */
export const CACHE_TERMINAL_FAILURE_STATES: readonly string[] = ['create-failed', 'deleting'];

/** `available`, `failed` (terminal) or `pending` (poll again) for a resource status. */
export function classifyStatus(status: string, terminal: readonly string[]): 'available' | 'failed' | 'pending' {
  if (status === 'available') return 'available';
  if (terminal.includes(status)) return 'failed';
  return 'pending';
}
