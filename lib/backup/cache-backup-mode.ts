/**
 * How `McpBackup` covers the cache (docs/backup.md#elasticache-export). The values are the strings the backup
 * Lambda reads from its environment (`BackupHandlerConfig.cache.mode`).
 */
export enum CacheBackupMode {
  /**
   * The cache is rebuildable: ElastiCache's own automatic daily backups stay in ElastiCache, and the backup
   * records the consistency point (the default).
   */
  REBUILDABLE = 'rebuildable',
  /**
   * Opt-in: the newest automatic daily backup is also exported to the backup bucket (needs the bucket policy
   * for ElastiCache's regional service principal; read docs/backup.md#elasticache-export first).
   */
  EXPORT = 'export',
}
