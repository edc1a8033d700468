/**
 * S3 ObjectCreated notifications as the log pipeline's indexers (audit indexer, OpenSearch log
 * indexer) receive them: validation, key decoding and object decompression. Pure: no CDK, no SDK.
 */
import { gunzipSync } from 'zlib';

/** The part of an S3 event notification the indexers read. */
export interface S3ObjectCreatedEvent {
  readonly Records: ReadonlyArray<{
    readonly eventSource?: string;
    readonly eventName?: string;
    readonly eventTime?: string;
    readonly s3: {
      readonly bucket: { readonly name: string };
      readonly object: { readonly key: string; readonly size?: number };
    };
  }>;
}

/** S3 event keys are URL-encoded with `+` for spaces. A malformed encoding is an error naming the key. */
export function decodeS3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    throw new Error(`S3 event: object key ${JSON.stringify(key)} is not URL-encoded as S3 encodes event keys`);
  }
}

/**
 * Checks that `event` is an S3 notification whose every object lies under `prefix`; otherwise throws
 * an error starting with `owner` (e.g. `audit indexer: …`) and nothing is read.
 */
export function parseS3ObjectEvent(event: unknown, owner: string, prefix: string): S3ObjectCreatedEvent {
  const e = (typeof event === 'object' && event !== null ? event : null) as Partial<S3ObjectCreatedEvent> | null;
  if (!e || !Array.isArray(e.Records) || e.Records.length === 0) {
    throw new Error(`${owner}: expected an S3 event notification with Records, got ${describe(event)}`);
  }
  for (const [i, r] of e.Records.entries()) {
    const rec = (typeof r === 'object' && r !== null ? r : {}) as Partial<S3ObjectCreatedEvent['Records'][number]>;
    const bucket = rec.s3?.bucket?.name;
    const key = rec.s3?.object?.key;
    if (
      rec.eventSource !== 'aws:s3' ||
      typeof bucket !== 'string' ||
      bucket === '' ||
      typeof key !== 'string' ||
      key === ''
    ) {
      throw new Error(
        `${owner}: Records[${i}] must be an aws:s3 record with a bucket name and an object key, got ${describe(r)}`,
      );
    }
    let decoded: string;
    try {
      decoded = decodeS3Key(key);
    } catch (err) {
      throw new Error(`${owner}: Records[${i}]: ${(err as Error).message}`);
    }
    if (!decoded.startsWith(prefix)) {
      throw new Error(`${owner}: object ${key} is outside ${prefix}; refusing to index it`);
    }
  }
  return e as S3ObjectCreatedEvent;
}

/** At most 200 characters of a value, for messages. */
function describe(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  return (text ?? String(value)).slice(0, 200);
}

/** The object's bytes, gunzipped when they start with the gzip magic number (Firehose GZIP output). */
export function gunzipIfGzipped(bytes: Buffer): Buffer {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

/** The record's event time in ms, or `fallback` when it is missing or unparseable. */
export function eventTimeMs(record: S3ObjectCreatedEvent['Records'][number], fallback: number): number {
  const t = record.eventTime ? Date.parse(record.eventTime) : NaN;
  return Number.isFinite(t) ? t : fallback;
}
