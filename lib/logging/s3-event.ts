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

/** S3 event keys are URL-encoded with `+` for spaces. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * Checks that `event` is an S3 notification whose every object lies under `prefix`; otherwise throws
 * an error starting with `owner` (e.g. `audit indexer: …`) and nothing is read.
 */
export function parseS3ObjectEvent(event: unknown, owner: string, prefix: string): S3ObjectCreatedEvent {
  const e = event as Partial<S3ObjectCreatedEvent> | null;
  if (!e || !Array.isArray(e.Records) || e.Records.length === 0) {
    throw new Error(
      `${owner}: expected an S3 event notification with Records, got ` + JSON.stringify(event)?.slice(0, 200),
    );
  }
  for (const r of e.Records) {
    if (r?.eventSource !== 'aws:s3' || !r.s3?.bucket?.name || typeof r.s3?.object?.key !== 'string') {
      throw new Error(`${owner}: every record must be an aws:s3 record with bucket and object key`);
    }
    if (!decodeS3Key(r.s3.object.key).startsWith(prefix)) {
      throw new Error(`${owner}: object ${r.s3.object.key} is outside ${prefix}; refusing to index it`);
    }
  }
  return e as S3ObjectCreatedEvent;
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
