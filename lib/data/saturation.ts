/**
 * The data tier's saturation thresholds: the numbers behind the McpDataTier alarms (lib/data/data-tier-alarms.ts),
 * each with the reason it has, in words for the alarm descriptions. Pure: no CDK imports. Documented in
 * docs/monitoring.md ("Data tier").
 *
 * Sources:
 * - RDS metrics and units (CPUUtilization %, FreeStorageSpace and FreeableMemory bytes, Read/WriteLatency seconds,
 *   DatabaseConnections count): https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html
 * - storage autoscaling starts when free space is at most 10 % of the allocation for 5 minutes and 6 hours have
 *   passed since the last storage change, and grows by at least 10 GiB or 10 %:
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
 * - a CPU alarm above 80 % for 5 minutes, which short bursts do not trip (AWS Prescriptive Guidance):
 *   https://docs.aws.amazon.com/prescriptive-guidance/latest/amazon-rds-monitoring-alerting/cloudwatch-alarms.html
 * - ElastiCache metrics per node every 60 s; EngineCPUUtilization is the engine thread (Valkey and Redis OSS are
 *   single-threaded), threshold 90 % of the available CPU:
 *   https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.html,
 *   https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.WhichShouldIMonitor.html,
 *   https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html
 * - maxclients 65000 and maxmemory-policy volatile-lru:
 *   https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/RedisConfiguration.html
 */
import { ConnectionLimits, connectionLimits, instanceClassMemoryGiB } from '../capacity/connections';

/** How many periods of what length an alarm looks at, and how many must breach. */
export interface EvaluationWindow {
  /** Period, seconds. */
  readonly periodSeconds: number;
  /** Periods looked at (N). */
  readonly evaluationPeriods: number;
  /** Breaching periods that raise the alarm (M of N). */
  readonly datapointsToAlarm: number;
}

/**
 * Utilisation and latency: 4 of 5 one-minute periods. A breach held for 4 minutes alarms; one noisy minute (a
 * vacuum, a checkpoint, a backup) never does, and neither does one good minute in a saturated stretch reset it.
 */
export const SUSTAINED: EvaluationWindow = { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 4 };
/** Limits about to be hit (connections): 2 of 3 one-minute periods, like the golden signals. */
export const NEAR_LIMIT: EvaluationWindow = { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 2 };
/**
 * Free storage: 3 of 3 five-minute periods (minimum). Storage autoscaling acts after 5 minutes at or below 10 %;
 * 15 minutes below the line means it could not (at maxAllocatedStorage, or within 6 hours of the last change).
 */
export const STORAGE: EvaluationWindow = { periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 3 };

/** The window in words: `4 of 5 one-minute periods`. */
export function describeWindow(w: EvaluationWindow): string {
  const minutes = w.periodSeconds / 60;
  const unit = minutes === 1 ? 'one-minute' : `${minutes}-minute`;
  return w.datapointsToAlarm === w.evaluationPeriods
    ? `${w.evaluationPeriods} consecutive ${unit} periods`
    : `${w.datapointsToAlarm} of ${w.evaluationPeriods} ${unit} periods`;
}

/** ElastiCache's fixed client limit for Valkey and Redis OSS (`maxclients`, not modifiable). */
export const CACHE_MAX_CLIENTS = 65000;

/** What the database thresholds are computed from. */
export interface DatabaseSaturationInput {
  /** RDS instance class, e.g. `db.m7g.large`. */
  readonly instanceClass: string;
  /** Allocated storage at creation, GiB (autoscaling may grow it). */
  readonly allocatedStorageGiB: number;
  /** max_connections when the parameter group sets it. @default RDS's default formula for the class */
  readonly maxConnections?: number;
}

/** The database alarms' thresholds. */
export interface DatabaseThresholds {
  /** CPUUtilization above this, percent. */
  readonly cpuPercent: number;
  /** FreeStorageSpace below this, bytes: 10 % of the allocated storage at creation. */
  readonly freeStorageBytes: number;
  /** The same in GiB. */
  readonly freeStorageGiB: number;
  /** Read and write latency above this, seconds. */
  readonly latencySeconds: number;
  /** FreeableMemory below this, bytes (10 % of the class's memory), when the class's memory is known. */
  readonly freeableMemoryBytes?: number;
  /** The class's memory, GiB, when known. */
  readonly memoryGiB?: number;
  /** The connection limits (max_connections, reserve, budget), when they can be computed. */
  readonly connections?: ConnectionLimits;
  /** DatabaseConnections above this (the budget) is a warning, when the limits are known. */
  readonly connectionsBudget?: number;
  /** DatabaseConnections at or above this (95 % of the non-superuser slots) is critical, when the limits are known. */
  readonly connectionsNearLimit?: number;
  /** Why a threshold could not be derived (a class whose memory the table does not know). */
  readonly notes: string[];
}

/** Database CPU: the prescriptive guidance's 80 %. */
export const DATABASE_CPU_PERCENT = 80;
/**
 * Read and write latency: 20 ms average per I/O. gp3 volumes serve single-digit milliseconds; an average above
 * 20 ms for minutes means the volume's IOPS or throughput are exhausted or the instance is starved.
 */
export const DATABASE_LATENCY_SECONDS = 0.02;
/** Share of the class's memory below which freeable memory warns. */
export const FREEABLE_MEMORY_FRACTION = 0.1;
/** Share of the allocated storage below which free storage is critical (autoscaling's own trigger). */
export const FREE_STORAGE_FRACTION = 0.1;
/** Share of the non-superuser connection slots at which connections are about to be refused. */
export const CONNECTIONS_NEAR_LIMIT_FRACTION = 0.95;

/** The database thresholds for an instance class and allocation. Throws for an allocation that is not ≥ 1 GiB. */
export function databaseThresholds(input: DatabaseSaturationInput): DatabaseThresholds {
  if (!(Number.isFinite(input.allocatedStorageGiB) && input.allocatedStorageGiB >= 1)) {
    throw new Error(
      `data tier: allocatedStorageGiB must be a number ≥ 1, got ${JSON.stringify(input.allocatedStorageGiB)}`,
    );
  }
  const notes: string[] = [];
  const memoryGiB = instanceClassMemoryGiB(input.instanceClass);
  let connections: ConnectionLimits | undefined;
  if (memoryGiB !== undefined || input.maxConnections !== undefined) {
    connections = connectionLimits({ instanceClass: input.instanceClass, maxConnections: input.maxConnections });
  } else {
    notes.push(
      `${input.instanceClass}: memory unknown to the class table and no maxConnections given, so no connection alarms (set database.maxConnections)`,
    );
  }
  if (memoryGiB === undefined) {
    notes.push(`${input.instanceClass}: memory unknown to the class table, so no freeable-memory alarm`);
  }
  const freeStorageGiB = input.allocatedStorageGiB * FREE_STORAGE_FRACTION;
  return {
    cpuPercent: DATABASE_CPU_PERCENT,
    freeStorageBytes: Math.round(freeStorageGiB * 2 ** 30),
    freeStorageGiB,
    latencySeconds: DATABASE_LATENCY_SECONDS,
    ...(memoryGiB !== undefined
      ? { memoryGiB, freeableMemoryBytes: Math.round(memoryGiB * FREEABLE_MEMORY_FRACTION * 2 ** 30) }
      : {}),
    ...(connections
      ? {
          connections,
          connectionsBudget: connections.budget,
          connectionsNearLimit: Math.ceil(connections.usableConnections * CONNECTIONS_NEAR_LIMIT_FRACTION),
        }
      : {}),
    notes,
  };
}

/** What the cache thresholds are computed from. */
export interface CacheSaturationInput {
  /** Read replicas beside the primary. */
  readonly replicas: number;
}

/** The cache alarms' thresholds. */
export interface CacheThresholds {
  /** EngineCPUUtilization above this, percent (of the engine's thread). */
  readonly engineCpuPercent: number;
  /** DatabaseMemoryUsagePercentage above this, percent of maxmemory. */
  readonly memoryPercent: number;
  /** Evictions per minute above this. */
  readonly evictionsPerMinute: number;
  /** CurrConnections above this: 80 % of maxclients. */
  readonly connectionsNearLimit: number;
  /** ReplicationLag above this, seconds; undefined without replicas (only replicas publish it). */
  readonly replicationLagSeconds?: number;
}

/** Engine CPU: AWS's 90 % of the available CPU, on the engine's own thread. */
export const CACHE_ENGINE_CPU_PERCENT = 90;
/** Memory: 80 % of maxmemory leaves room before volatile-lru starts evicting. */
export const CACHE_MEMORY_PERCENT = 80;
/** Replication lag: 5 s, far above a healthy replica's milliseconds; failover now would lose that much. */
export const CACHE_REPLICATION_LAG_SECONDS = 5;
/** Share of maxclients at which new connections are about to be refused. */
export const CACHE_CONNECTIONS_NEAR_LIMIT_FRACTION = 0.8;

/** The cache thresholds. */
export function cacheThresholds(input: CacheSaturationInput): CacheThresholds {
  return {
    engineCpuPercent: CACHE_ENGINE_CPU_PERCENT,
    memoryPercent: CACHE_MEMORY_PERCENT,
    evictionsPerMinute: 0,
    connectionsNearLimit: Math.floor(CACHE_MAX_CLIENTS * CACHE_CONNECTIONS_NEAR_LIMIT_FRACTION),
    ...(input.replicas > 0 ? { replicationLagSeconds: CACHE_REPLICATION_LAG_SECONDS } : {}),
  };
}

/** Member cluster ids of a cluster-mode-disabled replication group: `<group>-001`, `<group>-002`, … */
export function cacheMemberSuffixes(nodes: number): string[] {
  return Array.from({ length: nodes }, (_, i) => `-${String(i + 1).padStart(3, '0')}`);
}

/** Bytes as GiB in words, e.g. `5 GiB` or `0.8 GiB`. */
export function gib(bytes: number): string {
  const v = bytes / 2 ** 30;
  return `${Number.isInteger(v) ? v : v.toFixed(v < 10 ? 1 : 0)} GiB`;
}
