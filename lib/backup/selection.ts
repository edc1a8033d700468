/**
 * Pure selection logic of the backup Lambda: which schedule slot an invocation belongs to,
 * whether this slot takes a manual RDS snapshot or exports the cache (inside the AWS quotas),
 * and which of our own snapshots may be pruned. No CDK, no AWS SDK: unit-tested directly and
 * shared by the construct (synth-time validation) and the handler.
 */
import { isServiceName } from '../internal/service-name';
import { backupIdForSlot, MANIFEST_PREFIX, slotOfBackupId, slotStart } from './manifest';

/** RDS: manual DB snapshots per account and region (default service quota). */
export const RDS_MANUAL_SNAPSHOT_QUOTA = 100;
/** ElastiCache: manual backups per node per 24 hours (service limit). */
export const ELASTICACHE_MANUAL_BACKUPS_PER_NODE_PER_DAY = 20;
/** Tag put on every RDS snapshot the backup Lambda creates; its value is the service name. */
export const BACKUP_TAG_KEY = 'mcp-ops:backup-service';
/** Prefix (bucket root) of ElastiCache exports' sidecar records. */
export const CACHE_EXPORT_RECORD_PREFIX = 'cache-exports/';

const HOUR_MS = 3_600_000;

/** Whether `name` follows the package's one service-name rule (lib/internal/service-name.ts). */
export function isValidServiceName(name: string): boolean {
  return isServiceName(name);
}

/** Identifier of the manual RDS snapshot of a slot: `mcpops-<service>-db-<backupId lowercased>`. */
export function rdsSnapshotId(service: string, backupId: string): string {
  return `${rdsSnapshotPrefix(service)}${backupId.toLowerCase()}`;
}

/** Prefix of every RDS snapshot identifier the Lambda creates for a service. */
export function rdsSnapshotPrefix(service: string): string {
  return `mcpops-${service}-db-`;
}

/** Name of the ElastiCache export of a slot: `mcpops-<service>-cache-<backupId lowercased>`. */
export function cacheExportName(service: string, backupId: string): string {
  return `${cacheExportPrefix(service)}${backupId.toLowerCase()}`;
}

/** Prefix of every ElastiCache export (target snapshot name, and S3 key at the bucket root). */
export function cacheExportPrefix(service: string): string {
  return `mcpops-${service}-cache-`;
}

/** S3 key of the record written when a cache export starts. */
export function cacheExportRecordKey(exportName: string): string {
  return `${CACHE_EXPORT_RECORD_PREFIX}${exportName}.json`;
}

/**
 * The slot time encoded in one of our snapshot or export names (`…-20261125t0700z`), or
 * undefined when the name is not ours or does not end in a backup id.
 */
export function slotOfOwnName(name: string, prefix: string): Date | undefined {
  if (!name.startsWith(prefix)) return undefined;
  try {
    return slotOfBackupId(name.slice(prefix.length).toUpperCase());
  } catch {
    return undefined;
  }
}

/** What invoked the Lambda. */
export interface ResolvedSlot {
  /** Start of the schedule slot. */
  readonly slot: Date;
  /** Backup id of the slot. */
  readonly backupId: string;
  /** `schedule` (EventBridge), `explicit` (`{"slot": …}`) or `manual` (`{}`: the current slot). */
  readonly source: 'schedule' | 'explicit' | 'manual';
}

/**
 * The slot an invocation belongs to. An EventBridge scheduled event carries `time`, the
 * scheduled time, which stays the same when EventBridge or Lambda retries: the same event
 * always maps to the same slot (idempotency). `{ "slot": "<ISO time>" }` names a slot
 * explicitly; `{}` means "now". Anything else is rejected with an error naming the field.
 * A slot more than one interval in the future is rejected.
 */
export function resolveSlot(event: unknown, now: Date, intervalMinutes: number): ResolvedSlot {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new Error(
      `backup: the event must be a JSON object (an EventBridge scheduled event, {"slot": "<ISO time>"} or {}), got ${describe(event)}`,
    );
  }
  const e = event as Record<string, unknown>;
  let time: Date;
  let source: ResolvedSlot['source'];
  if (e['detail-type'] !== undefined || e.source !== undefined) {
    if (e['detail-type'] !== 'Scheduled Event') {
      throw new Error(`backup: event detail-type must be "Scheduled Event", got ${describe(e['detail-type'])}`);
    }
    time = parseTime(e.time, 'time');
    source = 'schedule';
  } else if (e.slot !== undefined) {
    time = parseTime(e.slot, 'slot');
    source = 'explicit';
  } else {
    const unknown = Object.keys(e);
    if (unknown.length > 0)
      throw new Error(
        `backup: unknown event fields ${unknown.join(', ')}; expected a scheduled event, {"slot": "<ISO time>"} or {}`,
      );
    time = now;
    source = 'manual';
  }
  const slot = slotStart(time, intervalMinutes);
  if (slot.getTime() > now.getTime() + intervalMinutes * 60_000) {
    throw new Error(`backup: slot ${slot.toISOString()} is in the future (now ${now.toISOString()})`);
  }
  return { slot, backupId: backupIdForSlot(slot), source };
}

function parseTime(value: unknown, field: string): Date {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new Error(`backup: event field ${field} must be an ISO 8601 time, got ${describe(value)}`);
  }
  return new Date(value);
}

function describe(value: unknown): string {
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Start of the cadence window (every `everyHours` hours since the epoch, UTC) a time falls in. */
export function cadenceWindowStart(time: Date, everyHours: number): Date {
  assertHours(everyHours, 'everyHours');
  const ms = everyHours * HOUR_MS;
  return new Date(Math.floor(time.getTime() / ms) * ms);
}

function assertHours(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 168)
    throw new Error(`${field} must be an integer from 1 to 168, got ${value}`);
}

/** One of our manual snapshots (or exports), as the handler sees it. */
export interface OwnSnapshot {
  /** Snapshot identifier (ours start with {@link rdsSnapshotPrefix}). */
  readonly id: string;
  /** The slot it was taken for (from its name), or its creation time when the name has none. */
  readonly time: Date;
  /** e.g. `available`, `creating`, `failed`. */
  readonly status: string;
}

/** Input of {@link decideSnapshot}. */
export interface SnapshotDecisionInput {
  /** The run's slot. */
  readonly slot: Date;
  /** One manual snapshot per this many hours. */
  readonly everyHours: number;
  /** Our existing snapshots of this database. */
  readonly ownSnapshots: readonly OwnSnapshot[];
  /** The account's manual-snapshot usage and quota, from RDS DescribeAccountAttributes, when known. */
  readonly quota?: { readonly used: number; readonly max: number };
  /** Snapshots of the quota left free for other uses (people, other tools). */
  readonly reserve: number;
}

/** Outcome of a cadence decision. */
export interface CadenceDecision {
  readonly take: boolean;
  /** Why, in a few words, for the log. */
  readonly reason: string;
  /** True when the slot is due but the quota stopped it (worth a warning). */
  readonly blockedByQuota?: boolean;
}

/**
 * Whether this slot takes a manual RDS snapshot: one per cadence window (the first run of the
 * window that finds none takes it, so a failed run is made up by the next), never while one is
 * still being created, and only while the account stays `reserve` below its manual-snapshot quota.
 */
export function decideSnapshot(input: SnapshotDecisionInput): CadenceDecision {
  const windowStart = cadenceWindowStart(input.slot, input.everyHours).getTime();
  const windowEnd = windowStart + input.everyHours * HOUR_MS;
  const inWindow = input.ownSnapshots.find((s) => s.time.getTime() >= windowStart && s.time.getTime() < windowEnd);
  if (inWindow)
    return { take: false, reason: `snapshot ${inWindow.id} already covers this ${input.everyHours} h window` };
  const creating = input.ownSnapshots.find((s) => s.status === 'creating');
  if (creating) return { take: false, reason: `snapshot ${creating.id} is still being created` };
  if (input.quota) {
    const limit = input.quota.max - input.reserve;
    if (input.quota.used + 1 > limit) {
      return {
        take: false,
        blockedByQuota: true,
        reason: `manual snapshot quota: ${input.quota.used} of ${input.quota.max} used, ${input.reserve} kept in reserve`,
      };
    }
  }
  return {
    take: true,
    reason: `no snapshot yet in the ${input.everyHours} h window starting ${new Date(windowStart).toISOString()}`,
  };
}

/** Input of {@link decideCacheExport}. */
export interface CacheExportDecisionInput {
  /** The run's slot. */
  readonly slot: Date;
  /** One export per this many hours. */
  readonly everyHours: number;
  /** Our earlier exports (from their records), any age. */
  readonly exports: readonly OwnSnapshot[];
  /** Manual backups allowed per node per 24 h. @default 20 */
  readonly perDayLimit?: number;
  /** Of those, left free for people and other tools. */
  readonly reserve: number;
}

/**
 * Whether this slot exports the cache's newest backup: one export per cadence window, and never
 * more in any 24 hours than the ElastiCache per-node daily limit minus `reserve`.
 */
export function decideCacheExport(input: CacheExportDecisionInput): CadenceDecision {
  const windowStart = cadenceWindowStart(input.slot, input.everyHours).getTime();
  const windowEnd = windowStart + input.everyHours * HOUR_MS;
  const inWindow = input.exports.find((s) => s.time.getTime() >= windowStart && s.time.getTime() < windowEnd);
  if (inWindow)
    return { take: false, reason: `export ${inWindow.id} already covers this ${input.everyHours} h window` };
  const dayAgo = input.slot.getTime() - 24 * HOUR_MS;
  const lastDay = input.exports.filter((s) => s.time.getTime() > dayAgo).length;
  const limit = (input.perDayLimit ?? ELASTICACHE_MANUAL_BACKUPS_PER_NODE_PER_DAY) - input.reserve;
  if (lastDay + 1 > limit) {
    return {
      take: false,
      blockedByQuota: true,
      reason: `${lastDay} exports in the last 24 h; limit ${limit} (quota minus reserve ${input.reserve})`,
    };
  }
  return {
    take: true,
    reason: `no export yet in the ${input.everyHours} h window starting ${new Date(windowStart).toISOString()}`,
  };
}

/** Input of {@link selectSnapshotsToPrune}. */
export interface PruneInput {
  /** Our snapshots (already filtered to our prefix and tag). */
  readonly snapshots: readonly OwnSnapshot[];
  /** The Lambda's clock. */
  readonly now: Date;
  /** Keep every snapshot younger than this (ms). */
  readonly retentionMs: number;
  /** Always keep the newest N available snapshots, whatever their age. */
  readonly keepNewest: number;
  /**
   * Clock skew tolerated between the Lambda's clock and the snapshot times (ms): a snapshot is
   * pruned only when older than retention + skew, and a snapshot dated in the future is kept.
   * @default 15 minutes
   */
  readonly clockSkewMs?: number;
  /** Delete at most this many per run (oldest first). @default 10 */
  readonly maxDeletes?: number;
}

/**
 * Which of our snapshots to delete: only `available` ones, never one of the newest
 * `keepNewest`, never one inside retention (+ clock skew), never one dated in the future;
 * oldest first, at most `maxDeletes`.
 */
export function selectSnapshotsToPrune(input: PruneInput): string[] {
  if (Number.isNaN(input.now.getTime())) throw new Error('selectSnapshotsToPrune: now must be a valid Date');
  if (!Number.isInteger(input.keepNewest) || input.keepNewest < 1)
    throw new Error(`selectSnapshotsToPrune: keepNewest must be an integer ≥ 1, got ${input.keepNewest}`);
  if (!(input.retentionMs > 0))
    throw new Error(`selectSnapshotsToPrune: retentionMs must be > 0, got ${input.retentionMs}`);
  const skew = input.clockSkewMs ?? 15 * 60_000;
  const maxDeletes = input.maxDeletes ?? 10;
  const available = input.snapshots
    .filter((s) => s.status === 'available' && !Number.isNaN(s.time.getTime()))
    .sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));
  const cutoff = input.now.getTime() - input.retentionMs - skew;
  return available
    .slice(input.keepNewest)
    .filter((s) => s.time.getTime() < cutoff)
    .reverse()
    .slice(0, maxDeletes)
    .map((s) => s.id);
}

/** The newest committed backup id among bucket keys under `manifests/`, or undefined. */
export function newestManifestBackupId(keys: readonly string[]): string | undefined {
  let newest: string | undefined;
  for (const key of keys) {
    if (!key.startsWith(MANIFEST_PREFIX) || !key.endsWith('.json')) continue;
    const id = key.slice(MANIFEST_PREFIX.length, -'.json'.length);
    try {
      slotOfBackupId(id);
    } catch {
      continue;
    }
    if (newest === undefined || id > newest) newest = id;
  }
  return newest;
}

/** Manual snapshots held at steady state: one per cadence window inside retention, plus the one being taken, at least keepNewest. */
export function steadyStateSnapshotCount(retentionHours: number, everyHours: number, keepNewest: number): number {
  return Math.max(keepNewest, Math.ceil(retentionHours / everyHours) + 1);
}

/** Exports per 24 hours at a cadence. */
export function exportsPerDay(everyHours: number): number {
  return Math.ceil(24 / everyHours);
}
