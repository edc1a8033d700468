/**
 * Between Node's `http` request/response and the web-standard `fetch` face of the SDK's MCP
 * handler (`createMcpHandler(...).fetch`). `@modelcontextprotocol/node`'s `toNodeHandler` does the
 * same; this one also lets the server see what it answers (status, every JSON-RPC message of a
 * JSON or SSE response) for its logs, audit entries and metrics, reuses the body bytes it has
 * already read instead of serializing the parsed body again, and keys the per-request state on the
 * `Request` object the SDK hands to the server factory.
 */
import type * as http from 'http';

/** The web `Request` for an MCP POST whose body has already been read (`raw`). */
export function webRequest(req: http.IncomingMessage, raw: Buffer, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  // The body is the decoded bytes, whole: the framing headers of the original no longer apply.
  headers.delete('transfer-encoding');
  headers.delete('content-encoding');
  headers.set('content-length', String(raw.byteLength));
  const host = typeof req.headers.host === 'string' ? req.headers.host : 'localhost';
  return new Request(`http://${host}${req.url ?? '/'}`, { method: 'POST', headers, body: raw, signal });
}

/**
 * Writes `response` to `res`. JSON bodies are read whole (they are one JSON-RPC message), handed
 * to `observe` and sent with a Content-Length; SSE bodies are streamed as they come, with
 * backpressure, and each complete event's JSON-RPC message goes to `observe`. Stops (and cancels
 * the SDK's stream) when `signal` aborts, i.e. when the client went away or shutdown closed it.
 */
export async function writeWebResponse(
  response: Response,
  res: http.ServerResponse,
  signal: AbortSignal,
  observe: (message: unknown) => void,
  /** False when only errors matter (list results): a JSON body without `"error"` is then not parsed. */
  observeResults = true,
): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  const type = response.headers.get('content-type') ?? '';
  if (response.body === null) {
    res.end();
    return;
  }
  if (type.startsWith('application/json')) {
    const bytes = Buffer.from(await response.arrayBuffer());
    if (observeResults || bytes.includes('"error"')) observeJson(bytes.toString('utf8'), observe);
    res.setHeader('content-length', bytes.byteLength);
    res.end(bytes);
    return;
  }
  const isSse = type.startsWith('text/event-stream');
  // Results to observe: parse events as they stream. Errors only (list answers, short): keep the
  // chunks and parse them at the end, and only if an error is in them at all.
  const sse = isSse && observeResults ? new SseMessages(observe, true) : undefined;
  const kept: Uint8Array[] | undefined = isSse && !observeResults ? [] : undefined;
  // Headers go out with the first chunk (one write, not two): the SDK sends that chunk at once.
  const reader = response.body.getReader();
  const cancel = (): void => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) break;
      sse?.push(value);
      kept?.push(value);
      if (!res.write(value)) await drained(res, signal);
    }
  } catch {
    // The stream was cancelled (client gone, shutdown) or failed: nothing more to send.
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  if (!res.destroyed) res.end();
  if (kept && kept.length > 0) {
    const all = Buffer.concat(kept);
    if (all.includes('"error"')) new SseMessages(observe, false).push(all);
  }
}

function drained(res: http.ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

function observeJson(text: string, observe: (message: unknown) => void): void {
  try {
    observe(JSON.parse(text));
  } catch {
    // Not JSON: nothing to observe.
  }
}

/** Splits an SSE byte stream into events and hands each event's `data` (a JSON-RPC message) on. */
class SseMessages {
  private readonly decoder = new TextDecoder();
  private buffer = '';

  constructor(
    private readonly observe: (message: unknown) => void,
    private readonly observeResults: boolean,
  ) {}

  push(chunk: Uint8Array): void {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    for (let end = eventEnd(this.buffer); end !== undefined; end = eventEnd(this.buffer)) {
      const event = this.buffer.slice(0, end.index);
      this.buffer = this.buffer.slice(end.index + end.length);
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
        .join('\n');
      // Only responses matter to the observer; progress notifications are not parsed.
      if (data !== '' && ((this.observeResults && data.includes('"result"')) || data.includes('"error"')))
        observeJson(data, this.observe);
    }
  }
}

function eventEnd(buffer: string): { index: number; length: number } | undefined {
  const m = /\r?\n\r?\n/.exec(buffer);
  return m ? { index: m.index, length: m[0].length } : undefined;
}

/** Why {@link readJsonBody} refused a body. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/**
 * Reads a JSON request body of at most `limit` bytes: the Content-Length is checked before
 * anything is read, a chunked body is cut off at the limit. Only `application/json` (or `+json`),
 * UTF-8, without Content-Encoding.
 * @throws BodyError 413 too large, 415 wrong type, charset or encoding, 400 not JSON
 */
export async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<{ raw: Buffer; body: unknown }> {
  const [type, ...params] = (req.headers['content-type'] ?? '').split(';').map((s) => s.trim());
  if (!JSON_TYPE.test(type)) throw new BodyError(415, 'Unsupported Media Type: Content-Type must be application/json');
  const charset = params
    .find((p) => /^charset=/i.test(p))
    ?.slice(8)
    .replace(/"/g, '')
    .toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    throw new BodyError(415, `Unsupported charset ${charset}: the body must be UTF-8`);
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity')
    throw new BodyError(415, `Unsupported Content-Encoding ${encoding}`);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw new BodyError(413, `larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > limit) throw new BodyError(413, `larger than ${limit} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof BodyError) throw err;
    throw new BodyError(400, 'Bad request: the body could not be read');
  }
  const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  try {
    return { raw, body: JSON.parse(raw.toString('utf8')) };
  } catch {
    throw new BodyError(400, 'Parse error: invalid JSON');
  }
}
