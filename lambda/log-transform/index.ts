/**
 * The audit indexer. The audit Firehose writes audit entries (NDJSON, gzip) to the WORM audit
 * bucket under `audit/`; S3 invokes this function for each new object, and it copies the entries
 * into the audit log group (one stream per day, `firehose/yyyy/MM/dd`), so they can be searched
 * with Logs Insights for the audit log group's retention. The bucket is the system of record; this
 * index is rebuildable from it (re-invoke the function with the object's S3 event).
 *
 * Bad events (not an S3 event, objects outside `audit/`) are rejected with a clear error and change
 * nothing. Failures throw, so Lambda's asynchronous retries and the on-failure queue take over.
 */
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { auditLinesToBatches, auditStreamName } from '../../lib/logging/records';
import { decodeS3Key, eventTimeMs, gunzipIfGzipped, parseS3ObjectEvent } from '../../lib/logging/s3-event';
import { readS3Bytes } from '../../lib/internal/s3-read';

const logger = new Logger({
  serviceName: process.env.SERVICE_NAME ?? 'mcp-audit-indexer',
  persistentKeys: { log_type: 'app' },
});

export type { S3ObjectCreatedEvent } from '../../lib/logging/s3-event';

/** What one invocation did. */
export interface IndexResult {
  readonly objects: number;
  readonly indexed: number;
  readonly skipped: number;
}

/** Dependencies, injectable for tests. */
export interface IndexerDeps {
  readonly s3: S3Client;
  readonly logs: CloudWatchLogsClient;
  readonly logGroupName: string;
  readonly now: () => number;
}

const AUDIT_PREFIX = 'audit/';

/** Indexes the objects of one S3 event into the audit log group. */
export async function indexAuditObjects(event: unknown, deps: IndexerDeps): Promise<IndexResult> {
  const valid = parseS3ObjectEvent(event, 'audit indexer', AUDIT_PREFIX);
  let indexed = 0;
  let skipped = 0;
  for (const record of valid.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeS3Key(record.s3.object.key);
    const raw = await readS3Bytes('audit indexer', bucket, key, () =>
      deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
    );
    let bytes: Buffer;
    try {
      bytes = gunzipIfGzipped(raw);
    } catch (err) {
      throw new Error(`audit indexer: s3://${bucket}/${key} is not valid gzip: ${(err as Error).message}`);
    }
    const fallback = eventTimeMs(record, deps.now());
    const { batches, skipped: rejected } = auditLinesToBatches(bytes.toString('utf8'), fallback, deps.now());
    for (const s of rejected)
      logger.warn('audit entry not indexed', { event: 'audit_index_skipped', object_key: key, reason: s.reason });
    skipped += rejected.length;
    if (batches.length === 0) continue;
    const logStreamName = auditStreamName(key, new Date(fallback));
    try {
      await deps.logs.send(new CreateLogStreamCommand({ logGroupName: deps.logGroupName, logStreamName }));
    } catch (err) {
      if (
        !(err instanceof ResourceAlreadyExistsException) &&
        (err as { name?: string }).name !== 'ResourceAlreadyExistsException'
      )
        throw err;
    }
    for (const logEvents of batches) {
      const out = await deps.logs.send(
        new PutLogEventsCommand({ logGroupName: deps.logGroupName, logStreamName, logEvents }),
      );
      const info = out.rejectedLogEventsInfo;
      if (
        info &&
        (info.tooOldLogEventEndIndex !== undefined ||
          info.tooNewLogEventStartIndex !== undefined ||
          info.expiredLogEventEndIndex !== undefined)
      ) {
        logger.warn('CloudWatch Logs rejected audit entries', {
          event: 'audit_index_rejected',
          object_key: key,
          rejected: info,
        });
      }
      indexed += logEvents.length;
    }
    logger.info('audit object indexed', {
      event: 'audit_object_indexed',
      object_key: key,
      log_stream: logStreamName,
      entries: batches.reduce((n, b) => n + b.length, 0),
    });
  }
  return { objects: valid.Records.length, indexed, skipped };
}

let deps: IndexerDeps | undefined;

/** Lambda entry point. */
export async function handler(event: unknown): Promise<IndexResult> {
  const logGroupName = process.env.AUDIT_LOG_GROUP_NAME;
  if (!logGroupName) throw new Error('audit indexer: AUDIT_LOG_GROUP_NAME is not set');
  deps ??= { s3: new S3Client({}), logs: new CloudWatchLogsClient({}), logGroupName, now: Date.now };
  return indexAuditObjects(event, deps);
}
