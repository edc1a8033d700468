/**
 * The application-log indexer (only with `McpLogging`'s `openSearch` prop). The application Firehose
 * writes gzip'd NDJSON objects under `logs/` in the log bucket; S3 invokes this function for each
 * new object, and it bulk-indexes every line as one document into the OpenSearch domain
 * (`<INDEX_PREFIX>-YYYY.MM.DD` with the default daily rotation), over HTTPS with SigV4 (service `es`).
 *
 * Firehose cannot deliver CloudWatch Logs records to OpenSearch itself (one record carries several
 * log events), and both subscription-filter slots of the log group are taken, so indexing happens
 * from the S3 archive. Document ids are a hash of the object key and the line number, and the bulk
 * action is `index` (overwrite), so replaying an object never duplicates documents.
 *
 * Failures: items OpenSearch rejects with 429 or 5xx (and whole requests failing that way) are
 * retried with exponential backoff, up to MAX_ATTEMPTS and RETRY_DURATION_SECONDS; anything still
 * not indexed, or rejected for good (a mapping error), makes the invocation throw with the object
 * key, so Lambda's asynchronous retries and then the on-failure queue take over. Bad events are
 * rejected with a clear error and index nothing.
 */
import { createHash, createHmac, Hash, Hmac } from 'crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readS3Bytes } from '../../lib/internal/s3-read';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  backoffMs,
  BulkItemFailure,
  bulkBatches,
  bulkBody,
  bulkFailures,
  INDEX_ROTATIONS,
  isRetryableStatus,
  linesToDocuments,
  LogDocument,
  OpenSearchIndexRotation,
} from '../../lib/logging/opensearch-bulk';
import { decodeS3Key, eventTimeMs, gunzipIfGzipped, parseS3ObjectEvent } from '../../lib/logging/s3-event';

const logger = new Logger({
  serviceName: process.env.SERVICE_NAME ?? 'mcp-log-indexer',
  persistentKeys: { log_type: 'app' },
});

export type { S3ObjectCreatedEvent } from '../../lib/logging/s3-event';

/** What one invocation did. */
export interface LogIndexResult {
  readonly objects: number;
  readonly documents: number;
  /** `_bulk` requests sent, retries included. */
  readonly requests: number;
}

/** Credentials as SigV4 needs them. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Dependencies, injectable for tests. */
export interface LogIndexerDeps {
  readonly s3: S3Client;
  /** `https://<domain endpoint>` (http:// is accepted for 127.0.0.1 and localhost only, for tests). */
  readonly endpoint: string;
  /** Region of the domain (SigV4 credential scope). */
  readonly region: string;
  readonly credentials: Credentials | (() => Promise<Credentials>);
  readonly indexPrefix: string;
  readonly rotation: OpenSearchIndexRotation;
  /** How long to keep retrying failed items of one object, in ms. */
  readonly retryDurationMs: number;
  /** Attempts per `_bulk` batch, the first included. */
  readonly maxAttempts: number;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** In [0, 1): backoff jitter. */
  readonly random: () => number;
  /** Per-request limits (tests make batches small). */
  readonly bulkLimits?: { maxBytes: number; maxDocuments: number };
  /** A `_bulk` request taking longer than this is abandoned and retried like a 5xx. Default 60 s. */
  readonly requestTimeoutMs?: number;
}

/** Default attempts per `_bulk` batch. */
export const DEFAULT_MAX_ATTEMPTS = 8;

const LOGS_PREFIX = 'logs/';

/** The `_bulk` URL of an endpoint; refuses plain http except on the loopback interface. */
export function bulkUrl(endpoint: string): URL {
  const url = new URL(/^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`log indexer: OPENSEARCH_ENDPOINT must be https (got ${endpoint})`);
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/_bulk`;
  return url;
}

/** SHA-256 (and HMAC-SHA-256 with a secret) from node:crypto, in the shape SigV4 expects. */
export class Sha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** Sends one signed `_bulk` request; returns the HTTP status and the parsed body (undefined if not JSON). */
async function sendBulk(
  deps: LogIndexerDeps,
  signer: SignatureV4,
  url: URL,
  body: string,
): Promise<{ status: number; json: unknown; text: string }> {
  const host = url.host; // with the port when there is one: what fetch sends as Host
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      headers: { host, 'content-type': 'application/x-ndjson' },
      body,
    },
    { signingDate: new Date(deps.now()) },
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') headers[k] = String(v);
  const res = await deps.fetch(url, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(deps.requestTimeoutMs ?? 60_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Error with the object's address, so the on-failure queue record says what to replay. */
class IndexError extends Error {
  constructor(bucket: string, key: string, message: string) {
    super(`log indexer: s3://${bucket}/${key}: ${message}`);
    this.name = 'LogIndexError';
  }
}

/** Indexes one batch, retrying retryable failures; returns the number of requests sent. */
async function indexBatch(
  deps: LogIndexerDeps,
  signer: SignatureV4,
  url: URL,
  bucket: string,
  key: string,
  batch: LogDocument[],
  deadline: number,
): Promise<number> {
  let pending = batch;
  let permanent: BulkItemFailure[] = [];
  let requests = 0;
  let lastProblem = '';
  for (let attempt = 1; ; attempt++) {
    requests++;
    let res: { status: number; json: unknown; text: string } | undefined;
    try {
      res = await sendBulk(deps, signer, url, bulkBody(pending));
    } catch (err) {
      lastProblem = `request failed: ${(err as Error).message}`;
    }
    if (res) {
      if (res.status >= 200 && res.status < 300) {
        let failures: BulkItemFailure[];
        try {
          failures = bulkFailures(pending, res.json);
        } catch (err) {
          throw new IndexError(bucket, key, `${(err as Error).message} (HTTP ${res.status})`);
        }
        permanent = permanent.concat(failures.filter((f) => !f.retryable));
        const retry = failures.filter((f) => f.retryable);
        if (retry.length === 0) break;
        lastProblem = `${retry.length} items rejected (${retry[0].status} ${retry[0].reason})`;
        pending = retry.map((f) => f.doc);
      } else if (isRetryableStatus(res.status)) {
        lastProblem = `_bulk answered HTTP ${res.status}: ${res.text.slice(0, 200)}`;
      } else {
        throw new IndexError(
          bucket,
          key,
          `_bulk answered HTTP ${res.status} (not retryable): ${res.text.slice(0, 300)}`,
        );
      }
    }
    const wait = backoffMs(attempt, deps.random());
    if (attempt >= deps.maxAttempts || deps.now() + wait > deadline) {
      const lines = pending.map((d) => d.line);
      throw new IndexError(
        bucket,
        key,
        `${pending.length} documents (lines ${lines.slice(0, 20).join(', ')}${lines.length > 20 ? ', …' : ''}) not indexed after ${attempt} attempts: ${lastProblem}`,
      );
    }
    logger.warn('retrying _bulk', {
      event: 'log_index_retry',
      object_key: key,
      attempt,
      documents: pending.length,
      wait_ms: wait,
      problem: lastProblem,
    });
    await deps.sleep(wait);
  }
  if (permanent.length > 0) {
    const sample = permanent
      .slice(0, 5)
      .map((f) => `line ${f.doc.line}: ${f.status} ${f.reason}`)
      .join('; ');
    throw new IndexError(bucket, key, `${permanent.length} documents rejected and not retryable (${sample})`);
  }
  return requests;
}

/** Indexes the objects of one S3 event into OpenSearch. */
export async function indexLogObjects(event: unknown, deps: LogIndexerDeps): Promise<LogIndexResult> {
  const valid = parseS3ObjectEvent(event, 'log indexer', LOGS_PREFIX);
  const url = bulkUrl(deps.endpoint);
  const signer = new SignatureV4({
    service: 'es',
    region: deps.region,
    credentials: deps.credentials,
    sha256: Sha256,
    applyChecksum: true,
  });
  let documents = 0;
  let requests = 0;
  for (const record of valid.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeS3Key(record.s3.object.key);
    const raw = await readS3Bytes('log indexer', bucket, key, () =>
      deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
    );
    let bytes: Buffer;
    try {
      bytes = gunzipIfGzipped(raw);
    } catch (err) {
      throw new IndexError(bucket, key, `not valid gzip: ${(err as Error).message}`);
    }
    const fallbackTime = eventTimeMs(record, deps.now());
    const docs = linesToDocuments(bytes.toString('utf8'), {
      bucket,
      key,
      indexPrefix: deps.indexPrefix,
      rotation: deps.rotation,
      fallbackTime,
    });
    const deadline = deps.now() + deps.retryDurationMs;
    for (const batch of bulkBatches(docs, deps.bulkLimits)) {
      requests += await indexBatch(deps, signer, url, bucket, key, batch, deadline);
    }
    documents += docs.length;
    logger.info('log object indexed', {
      event: 'log_object_indexed',
      object_key: key,
      documents: docs.length,
      indices: [...new Set(docs.map((d) => d.index))],
    });
  }
  return { objects: valid.Records.length, documents, requests };
}

/** Reads the function's configuration from its environment (set by McpLogging). */
export function depsFromEnv(
  env: NodeJS.ProcessEnv,
  base: Pick<LogIndexerDeps, 's3' | 'credentials' | 'fetch' | 'now' | 'sleep' | 'random'>,
): LogIndexerDeps {
  const endpoint = env.OPENSEARCH_ENDPOINT;
  if (!endpoint) throw new Error('log indexer: OPENSEARCH_ENDPOINT is not set');
  const region = env.OPENSEARCH_REGION || env.AWS_REGION;
  if (!region) throw new Error('log indexer: OPENSEARCH_REGION (or AWS_REGION) is not set');
  const rotation = (env.INDEX_ROTATION ?? 'OneDay') as OpenSearchIndexRotation;
  if (!INDEX_ROTATIONS.includes(rotation))
    throw new Error(`log indexer: INDEX_ROTATION must be one of ${INDEX_ROTATIONS.join(', ')}, got ${rotation}`);
  const retrySeconds = Number(env.RETRY_DURATION_SECONDS ?? '300');
  if (!Number.isFinite(retrySeconds) || retrySeconds < 0)
    throw new Error(`log indexer: RETRY_DURATION_SECONDS must be a number ≥ 0, got ${env.RETRY_DURATION_SECONDS}`);
  const maxAttempts = Number(env.MAX_ATTEMPTS ?? DEFAULT_MAX_ATTEMPTS);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new Error(`log indexer: MAX_ATTEMPTS must be an integer ≥ 1, got ${env.MAX_ATTEMPTS}`);
  bulkUrl(endpoint); // fail fast on a non-https endpoint
  return {
    ...base,
    endpoint,
    region,
    indexPrefix: env.INDEX_PREFIX || 'mcp',
    rotation,
    retryDurationMs: retrySeconds * 1000,
    maxAttempts,
  };
}

let deps: LogIndexerDeps | undefined;

/** Lambda entry point. */
export async function handler(event: unknown): Promise<LogIndexResult> {
  deps ??= depsFromEnv(process.env, {
    s3: new S3Client({}),
    credentials: defaultProvider(),
    fetch: globalThis.fetch,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
  });
  return indexLogObjects(event, deps);
}
