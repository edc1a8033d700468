import type { OpenSearchIndexRotation as IndexerRotation } from './opensearch-bulk';

/**
 * Index rotation of the log indexer: which period's documents share one OpenSearch index, from each line's own
 * `timestamp` (UTC). The values are the names Firehose used for the same periods, and the strings the indexer
 * Lambda reads from `INDEX_ROTATION`.
 */
export enum OpenSearchIndexRotation {
  /** One index, the prefix itself (`mcp`). */
  NO_ROTATION = 'NoRotation',
  /** One index per hour (`mcp-2026.11.25.07`). */
  ONE_HOUR = 'OneHour',
  /** One index per day (`mcp-2026.11.25`), the default. */
  ONE_DAY = 'OneDay',
  /** One index per ISO week (`mcp-2026.w48`). */
  ONE_WEEK = 'OneWeek',
  /** One index per month (`mcp-2026.11`). */
  ONE_MONTH = 'OneMonth',
}

/**
 * The indexer's own string type lists the same values (lib/logging/opensearch-bulk.ts, imported by the Lambda):
 * this fails to compile when the two drift apart.
 */
type SameValues<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const ROTATIONS_MATCH_INDEXER: SameValues<`${OpenSearchIndexRotation}`, IndexerRotation> = true;
