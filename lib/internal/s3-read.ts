/**
 * S3 reads of the Lambda handlers: a failed read names the bucket and the key. Pure: no CDK, no SDK.
 */

/** The minimal shape of an S3 GetObject answer the handlers read. */
export interface S3Body {
  readonly Body?: { transformToByteArray(): Promise<Uint8Array> };
}

/**
 * The error of a failed S3 read: the original error's name is kept (callers and state machines
 * branch on it, e.g. NoSuchKey, AccessDenied, throttling), the message names `s3://bucket/key`.
 */
export function s3ReadError(owner: string, bucket: string, key: string, err: unknown): Error {
  const cause = err instanceof Error ? err : new Error(String(err));
  const e = new Error(`${owner}: cannot read s3://${bucket}/${key}: ${cause.name}: ${cause.message}`, { cause });
  e.name = cause.name === 'Error' || cause.name === 'TypeError' ? 'S3ReadFailed' : cause.name;
  return e;
}

/**
 * Reads the object's bytes with `get` (a GetObject call); any failure (the call, a missing body, the
 * body stream) becomes {@link s3ReadError}.
 */
export async function readS3Bytes(
  owner: string,
  bucket: string,
  key: string,
  get: () => Promise<S3Body>,
): Promise<Buffer> {
  let out: S3Body;
  try {
    out = await get();
  } catch (err) {
    throw s3ReadError(owner, bucket, key, err);
  }
  if (!out?.Body) throw s3ReadError(owner, bucket, key, new Error('the object has no body'));
  try {
    return Buffer.from(await out.Body.transformToByteArray());
  } catch (err) {
    throw s3ReadError(owner, bucket, key, err);
  }
}
