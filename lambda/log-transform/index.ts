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
import { gunzipSync } from 'zlib';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand, ResourceAlreadyExistsException } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { auditLinesToBatches, auditStreamName } from '../../lib/logging/records';

const logger = new Logger({ serviceName: process.env.SERVICE_NAME ?? 'mcp-audit-indexer', persistentKeys: { log_type: 'app' } });

/** The part of an S3 event notification this function reads. */
export interface S3ObjectCreatedEvent {
  readonly Records: ReadonlyArray<{
    readonly eventSource?: string;
    readonly eventName?: string;
    readonly eventTime?: string;
    readonly s3: { readonly bucket: { readonly name: string }; readonly object: { readonly key: string; readonly size?: number } };
  }>;
}

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

function validate(event: unknown): S3ObjectCreatedEvent {
  const e = event as Partial<S3ObjectCreatedEvent> | null;
  if (!e || !Array.isArray(e.Records) || e.Records.length === 0) {
    throw new Error('audit indexer: expected an S3 event notification with Records, got ' + JSON.stringify(event)?.slice(0, 200));
  }
  for (const r of e.Records) {
    if (r?.eventSource !== 'aws:s3' || !r.s3?.bucket?.name || typeof r.s3?.object?.key !== 'string') {
      throw new Error('audit indexer: every record must be an aws:s3 record with bucket and object key');
    }
    if (!decodeKey(r.s3.object.key).startsWith(AUDIT_PREFIX)) {
      throw new Error(`audit indexer: object ${r.s3.object.key} is outside ${AUDIT_PREFIX}; refusing to index it`);
    }
  }
  return e as S3ObjectCreatedEvent;
}

/** S3 event keys are URL-encoded with `+` for spaces. */
function decodeKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** Indexes the objects of one S3 event into the audit log group. */
export async function indexAuditObjects(event: unknown, deps: IndexerDeps): Promise<IndexResult> {
  const valid = validate(event);
  let indexed = 0;
  let skipped = 0;
  for (const record of valid.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeKey(record.s3.object.key);
    const obj = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!obj.Body) throw new Error(`audit indexer: s3://${bucket}/${key} has no body`);
    let bytes = Buffer.from(await obj.Body.transformToByteArray());
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const eventTime = record.eventTime ? Date.parse(record.eventTime) : NaN;
    const fallback = Number.isFinite(eventTime) ? eventTime : deps.now();
    const { batches, skipped: rejected } = auditLinesToBatches(bytes.toString('utf8'), fallback, deps.now());
    for (const s of rejected) logger.warn('audit entry not indexed', { event: 'audit_index_skipped', object_key: key, reason: s.reason });
    skipped += rejected.length;
    if (batches.length === 0) continue;
    const logStreamName = auditStreamName(key, new Date(fallback));
    try {
      await deps.logs.send(new CreateLogStreamCommand({ logGroupName: deps.logGroupName, logStreamName }));
    } catch (err) {
      if (!(err instanceof ResourceAlreadyExistsException) && (err as { name?: string }).name !== 'ResourceAlreadyExistsException') throw err;
    }
    for (const logEvents of batches) {
      const out = await deps.logs.send(new PutLogEventsCommand({ logGroupName: deps.logGroupName, logStreamName, logEvents }));
      const info = out.rejectedLogEventsInfo;
      if (info && (info.tooOldLogEventEndIndex !== undefined || info.tooNewLogEventStartIndex !== undefined || info.expiredLogEventEndIndex !== undefined)) {
        logger.warn('CloudWatch Logs rejected audit entries', { event: 'audit_index_rejected', object_key: key, rejected: info });
      }
      indexed += logEvents.length;
    }
    logger.info('audit object indexed', { event: 'audit_object_indexed', object_key: key, log_stream: logStreamName, entries: batches.reduce((n, b) => n + b.length, 0) });
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
