/**
 * The record formats of the log pipeline, as pure functions (no CDK, no AWS SDK):
 * - CloudWatch Logs subscription payloads (gzip, then base64 where a Lambda receives them);
 * - what the Firehose streams write to S3: Firehose's native `Decompression` +
 *   `CloudWatchLogProcessing` (message extraction) + `AppendDelimiterToRecord` processors turn each
 *   log event of a DATA_MESSAGE into its message followed by `\n`, and drop CONTROL_MESSAGEs;
 *   {@link firehoseS3Output} implements the same transformation so the format is tested offline;
 * - batching audit entries into CloudWatch Logs `PutLogEvents` calls (the audit indexer Lambda).
 */
import { gunzipSync, gzipSync } from 'zlib';

/** One log event inside a subscription payload. */
export interface SubscriptionLogEvent {
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly message: string;
}

/** The JSON document CloudWatch Logs sends to a subscription destination (before gzip). */
export interface SubscriptionPayload {
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly SubscriptionLogEvent[];
  readonly policyLevel?: string;
}

/** Gzips a payload the way CloudWatch Logs does for a subscription destination. */
export function encodeSubscriptionPayload(payload: SubscriptionPayload): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(payload), 'utf8'));
}

/**
 * Decodes a subscription payload: accepts the gzip bytes (what Firehose receives as record data)
 * or their base64 text (what a Lambda receives in `awslogs.data` or a Firehose transformation record).
 * Throws a clear error for data that is not a gzip'd CloudWatch Logs payload.
 */
export function decodeSubscriptionPayload(data: Buffer | string): SubscriptionPayload {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'base64') : data;
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new Error('not a CloudWatch Logs subscription payload: data is not gzip-compressed');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(gunzipSync(bytes).toString('utf8'));
  } catch (err) {
    throw new Error(`not a CloudWatch Logs subscription payload: ${(err as Error).message}`);
  }
  const p = doc as Partial<SubscriptionPayload>;
  if (!p || (p.messageType !== 'DATA_MESSAGE' && p.messageType !== 'CONTROL_MESSAGE') || !Array.isArray(p.logEvents)) {
    throw new Error('not a CloudWatch Logs subscription payload: messageType or logEvents missing');
  }
  return p as SubscriptionPayload;
}

/**
 * The bytes Firehose writes to S3 (before its own GZIP compression) for one incoming record, with
 * the processors this package configures: CONTROL_MESSAGE → nothing; DATA_MESSAGE → each log
 * event's message, unchanged, followed by a newline (NDJSON when the service logs JSON lines).
 */
export function firehoseS3Output(recordData: Buffer | string): string {
  const payload = decodeSubscriptionPayload(recordData);
  if (payload.messageType !== 'DATA_MESSAGE') return '';
  return payload.logEvents.map((e) => `${e.message}\n`).join('');
}

/** An event for CloudWatch Logs `PutLogEvents`. */
export interface AuditLogEvent {
  readonly timestamp: number;
  readonly message: string;
}

/** PutLogEvents limits (CloudWatch Logs quotas). */
export const PUT_LOG_EVENTS_LIMITS = {
  maxEvents: 10_000,
  maxBatchBytes: 1_048_576,
  perEventOverheadBytes: 26,
  maxEventBytes: 1_048_576 - 26,
  maxSpanMs: 24 * 60 * 60 * 1000,
  /** Events older than this are rejected. */
  maxAgeMs: 14 * 24 * 60 * 60 * 1000,
  /** Events further in the future than this are rejected. */
  maxFutureMs: 2 * 60 * 60 * 1000,
} as const;

/** Result of turning NDJSON audit lines into PutLogEvents batches. */
export interface AuditBatches {
  /** Batches in chronological order, each within PutLogEvents limits. */
  readonly batches: AuditLogEvent[][];
  /** Lines that could not be indexed, with the reason (they stay in the WORM bucket). */
  readonly skipped: { line: string; reason: string }[];
}

/**
 * Parses NDJSON audit lines (as the audit Firehose wrote them to S3) into PutLogEvents batches:
 * the event timestamp is the entry's `timestamp` field (ISO 8601), else `fallbackTimestamp`;
 * events are sorted, and batches respect the count, byte and 24-hour-span limits. Blank lines are
 * ignored; lines outside the accepted time window (older than 14 days or more than 2 hours ahead
 * of `now`) or larger than one event may be are skipped and reported.
 */
export function auditLinesToBatches(ndjson: string, fallbackTimestamp: number, now: number): AuditBatches {
  const events: AuditLogEvent[] = [];
  const skipped: { line: string; reason: string }[] = [];
  for (const raw of ndjson.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    let timestamp = fallbackTimestamp;
    try {
      const doc = JSON.parse(line) as { timestamp?: unknown };
      if (typeof doc.timestamp === 'string') {
        const t = Date.parse(doc.timestamp);
        if (Number.isFinite(t)) timestamp = t;
      }
    } catch {
      // Not JSON: index it anyway with the fallback time; the audit group keeps what was written.
    }
    if (Buffer.byteLength(line, 'utf8') > PUT_LOG_EVENTS_LIMITS.maxEventBytes) {
      skipped.push({ line: line.slice(0, 200), reason: 'event larger than 1 MiB' });
      continue;
    }
    if (timestamp < now - PUT_LOG_EVENTS_LIMITS.maxAgeMs) {
      skipped.push({ line, reason: 'older than 14 days' });
      continue;
    }
    if (timestamp > now + PUT_LOG_EVENTS_LIMITS.maxFutureMs) {
      skipped.push({ line, reason: 'more than 2 hours in the future' });
      continue;
    }
    events.push({ timestamp, message: line });
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  const batches: AuditLogEvent[][] = [];
  let current: AuditLogEvent[] = [];
  let bytes = 0;
  for (const e of events) {
    const size = Buffer.byteLength(e.message, 'utf8') + PUT_LOG_EVENTS_LIMITS.perEventOverheadBytes;
    const full =
      current.length >= PUT_LOG_EVENTS_LIMITS.maxEvents ||
      bytes + size > PUT_LOG_EVENTS_LIMITS.maxBatchBytes ||
      (current.length > 0 && e.timestamp - current[0].timestamp > PUT_LOG_EVENTS_LIMITS.maxSpanMs);
    if (full && current.length > 0) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return { batches, skipped };
}

/**
 * Name of the audit log stream an S3 object is indexed into: `firehose/<yyyy>/<MM>/<dd>` from the
 * object key's date partition (`audit/year=yyyy/month=MM/day=dd/...`), else from `fallback` (UTC).
 */
export function auditStreamName(objectKey: string, fallback: Date): string {
  const m = /(?:^|\/)year=(\d{4})\/month=(\d{2})\/day=(\d{2})\//.exec(objectKey);
  if (m) return `firehose/${m[1]}/${m[2]}/${m[3]}`;
  const iso = fallback.toISOString();
  return `firehose/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
}
