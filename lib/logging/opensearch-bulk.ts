/**
 * The OpenSearch side of the log indexer, as pure functions (no CDK, no AWS SDK, no I/O):
 * - turning the NDJSON of one application-log object (what the application Firehose writes under
 *   `logs/`) into documents, one per line, with deterministic ids;
 * - index names with the rotation of `McpLoggingOpenSearchProps.indexRotation`;
 * - `_bulk` request bodies (split to stay under a size limit) and reading `_bulk` responses
 *   (which items failed, and whether retrying them can help);
 * - the retry backoff.
 */
import { createHash } from 'crypto';

/** Index rotation of the OpenSearch indexer (the names Firehose used for the same periods). */
export type OpenSearchIndexRotation = 'NoRotation' | 'OneHour' | 'OneDay' | 'OneWeek' | 'OneMonth';

/** Every rotation, for validation. */
export const INDEX_ROTATIONS: readonly OpenSearchIndexRotation[] = [
  'NoRotation',
  'OneHour',
  'OneDay',
  'OneWeek',
  'OneMonth',
];

/** One document to index. */
export interface LogDocument {
  /** Deterministic `_id`: the same object line always gets the same id, so re-indexing overwrites. */
  readonly id: string;
  /** 1-based line number in the object (blank lines count). */
  readonly line: number;
  /** Target index, from the line's own `timestamp` (else the fallback time) and the rotation. */
  readonly index: string;
  /** The document: the line's JSON object unchanged, or `{ message, timestamp }` for a line that is not a JSON object. */
  readonly source: Record<string, unknown>;
}

/** Name of the index a document written at `time` goes to (UTC). */
export function indexName(prefix: string, rotation: OpenSearchIndexRotation, time: Date): string {
  const iso = time.toISOString();
  const y = iso.slice(0, 4),
    m = iso.slice(5, 7),
    d = iso.slice(8, 10),
    h = iso.slice(11, 13);
  switch (rotation) {
    case 'NoRotation':
      return prefix;
    case 'OneHour':
      return `${prefix}-${y}.${m}.${d}.${h}`;
    case 'OneDay':
      return `${prefix}-${y}.${m}.${d}`;
    case 'OneWeek': {
      const { year, week } = isoWeek(time);
      return `${prefix}-${year}.w${String(week).padStart(2, '0')}`;
    }
    case 'OneMonth':
      return `${prefix}-${y}.${m}`;
    default:
      throw new Error(`unknown index rotation ${JSON.stringify(rotation)}; allowed: ${INDEX_ROTATIONS.join(', ')}`);
  }
}

/** ISO 8601 week-numbering year and week of a UTC date. */
export function isoWeek(time: Date): { year: number; week: number } {
  const d = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
  const day = d.getUTCDay() || 7; // Monday = 1 … Sunday = 7
  d.setUTCDate(d.getUTCDate() + 4 - day); // the Thursday of this week decides the year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return { year: d.getUTCFullYear(), week: Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7) };
}

/** `_id` of line `line` of `s3://bucket/key`: hex SHA-256 of the object's address and the line number. */
export function documentId(bucket: string, key: string, line: number): string {
  return createHash('sha256').update(`s3://${bucket}/${key}#${line}`, 'utf8').digest('hex');
}

/**
 * The documents of one object's NDJSON text: one per non-blank line, in order. A JSON object is
 * indexed unchanged; anything else (a crash line, a bare value) becomes `{ message, timestamp }`
 * with the fallback time. The index date is the line's `timestamp` (ISO 8601) when it parses, else
 * `fallbackTime`.
 */
export function linesToDocuments(
  ndjson: string,
  o: {
    bucket: string;
    key: string;
    indexPrefix: string;
    rotation: OpenSearchIndexRotation;
    fallbackTime: number;
  },
): LogDocument[] {
  const docs: LogDocument[] = [];
  const lines = ndjson.split('\n');
  lines.forEach((raw, i) => {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '') return;
    let source: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
        source = parsed as Record<string, unknown>;
    } catch {
      // not JSON: wrapped below
    }
    let time = o.fallbackTime;
    if (source && typeof source.timestamp === 'string') {
      const t = Date.parse(source.timestamp);
      if (Number.isFinite(t)) time = t;
    }
    source ??= { message: text, timestamp: new Date(o.fallbackTime).toISOString() };
    const line = i + 1;
    docs.push({
      id: documentId(o.bucket, o.key, line),
      line,
      index: indexName(o.indexPrefix, o.rotation, new Date(time)),
      source,
    });
  });
  return docs;
}

/** Limits of one `_bulk` request (OpenSearch Service accepts 10 MiB payloads on its smallest instance types). */
export const BULK_LIMITS = { maxBytes: 5 * 1024 * 1024, maxDocuments: 5000 } as const;

/** The NDJSON body of a `_bulk` request: an `index` action (overwrite by `_id`) then the document, per item; ends with a newline. */
export function bulkBody(docs: readonly LogDocument[]): string {
  return docs
    .map((d) => `${JSON.stringify({ index: { _index: d.index, _id: d.id } })}\n${JSON.stringify(d.source)}\n`)
    .join('');
}

/** Splits documents into `_bulk` batches within `limits` (a single document larger than the byte limit gets a batch of its own). */
export function bulkBatches(
  docs: readonly LogDocument[],
  limits: { maxBytes: number; maxDocuments: number } = BULK_LIMITS,
): LogDocument[][] {
  const batches: LogDocument[][] = [];
  let current: LogDocument[] = [];
  let bytes = 0;
  for (const d of docs) {
    const size = Buffer.byteLength(bulkBody([d]), 'utf8');
    if (current.length > 0 && (current.length >= limits.maxDocuments || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(d);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** One item of a `_bulk` request that was not indexed. */
export interface BulkItemFailure {
  readonly doc: LogDocument;
  readonly status: number;
  readonly reason: string;
  /** 429 and 5xx: retrying can succeed. Other statuses (mapping errors, …) will fail again. */
  readonly retryable: boolean;
}

/** Whether an HTTP status (of the request or of one item) is worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Reads a `_bulk` response for the documents sent, in order: the items that failed (status ≥ 300),
 * or none when `errors` is false. Throws on a response that is not a `_bulk` response for this request.
 */
export function bulkFailures(sent: readonly LogDocument[], response: unknown): BulkItemFailure[] {
  const r = response as { errors?: unknown; items?: unknown } | null;
  if (!r || typeof r.errors !== 'boolean' || !Array.isArray(r.items)) {
    throw new Error(`not a _bulk response: ${JSON.stringify(response)?.slice(0, 200)}`);
  }
  if (r.items.length !== sent.length) {
    throw new Error(`_bulk response has ${r.items.length} items for ${sent.length} documents sent`);
  }
  if (!r.errors) return [];
  const failures: BulkItemFailure[] = [];
  r.items.forEach((item: unknown, i: number) => {
    const result = (item as Record<string, { status?: number; error?: unknown }> | null)?.index;
    const status = typeof result?.status === 'number' ? result.status : 0;
    if (status >= 200 && status < 300) return;
    const error = result?.error as { type?: string; reason?: string } | string | undefined;
    const reason =
      typeof error === 'string' ? error : [error?.type, error?.reason].filter(Boolean).join(': ') || `status ${status}`;
    failures.push({ doc: sent[i], status, reason, retryable: isRetryableStatus(status) });
  });
  return failures;
}

/** Exponential backoff: `baseMs · 2^(attempt-1)`, capped at `maxMs`, scaled by `0.5 + jitter/2` (jitter in [0, 1)). */
export function backoffMs(attempt: number, jitter: number, baseMs = 200, maxMs = 20_000): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.5 + Math.min(Math.max(jitter, 0), 1) / 2));
}
