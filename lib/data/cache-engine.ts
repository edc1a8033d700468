/** The ElastiCache engine of the cache: Valkey or Redis OSS (the `Engine` of the replication group). */
export enum McpCacheEngine {
  /** Valkey, the default (ElastiCache's Redis OSS-compatible engine). */
  VALKEY = 'valkey',
  /** Redis OSS. */
  REDIS = 'redis',
}
