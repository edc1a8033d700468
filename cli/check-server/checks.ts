/**
 * The checks of `mcp-ops check-server`, each against docs/operational-contract.md and the MCP
 * specification (Streamable HTTP, 2026-07-28 and 2025-11-25). MCP sessions use the same connection module
 * as the synthetic probe (lambda/mcp-probe/mcp-connection.ts); the checks of one HTTP behaviour (a status,
 * a header) send raw requests, since a client library would hide exactly what is being checked.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
} from '@modelcontextprotocol/client';
import {
  classifyMcpError,
  LEGACY_REVISION,
  McpConnection,
  MODERN_REVISION,
  type Negotiation,
} from '../../lambda/mcp-probe/mcp-connection';
import { requestClientCredentialsToken } from '../../lambda/mcp-probe/oauth';
import type { CheckServerOptions } from './args';

export type CheckStatus = 'PASS' | 'FAIL' | 'SKIP';

/** One line of the report. */
export interface CheckResult {
  readonly id: string;
  readonly status: CheckStatus;
  readonly reason: string;
}

/** Every check, in report order, with what it verifies (README and --help of the report). */
export const CHECKS: ReadonlyArray<{ readonly id: string; readonly what: string }> = [
  { id: 'start', what: 'with --command: the process starts and answers /health/live within --startup-timeout-ms' },
  { id: 'health-live', what: 'GET /health/live answers 200 {"status":"ok"} within the health check timeout (5 s)' },
  {
    id: 'health-ready',
    what: 'GET /health/ready answers 200 {"status":"ok","checks":{…}} (503 naming the failing checks when not ready) within 5 s; the status code, status and checks agree',
  },
  { id: 'auth-token', what: 'with --token-url: the client credentials get a bearer token' },
  {
    id: 'auth-challenge',
    what: 'when auth is on: an unauthenticated MCP request gets 401 with WWW-Authenticate: Bearer resource_metadata=…, and that RFC 9728 document names the resource and its authorization servers',
  },
  { id: 'mcp-2026-07-28', what: 'server/discover lists 2026-07-28; a 2026-07-28 client lists the tools' },
  { id: 'mcp-2025-11-25', what: 'a 2025-11-25 client initializes, lists the tools and ends its session' },
  { id: 'header-mismatch', what: '2026-07-28: an Mcp-Method header that contradicts the body gets 400 with -32020' },
  {
    id: 'unsupported-version',
    what: 'an unsupported MCP-Protocol-Version gets 400 (2026-07-28: with -32022 listing the supported revisions)',
  },
  { id: 'origin', what: 'a request with a foreign Origin gets 403 (DNS-rebinding defence)' },
  { id: 'method-get', what: 'GET on the MCP endpoint gets 405 with Allow: POST (stateless server)' },
  { id: 'method-delete', what: 'DELETE on the MCP endpoint gets 405 (stateless server)' },
  { id: 'body-limit', what: 'a body one byte over --max-body-bytes gets 413' },
  {
    id: 'drain',
    what: 'with --command: on SIGTERM an open stream ends cleanly and the process exits 0 within --grace-ms',
  },
];

/** The health checks' timeout in the constructs (target group and container health checks: 5 s). */
export const HEALTH_TIMEOUT_MS = 5_000;
const USER_AGENT = 'mcp-ops-check-server/1.0';
const CLIENT_INFO = { name: 'mcp-ops-check-server', version: '1.0.0' };

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly ms: number;
}

/** What the MCP checks learnt, shared by later checks. */
export interface ServerFacts {
  /** The bearer token to send, when one was given or obtained. */
  token?: string;
  /** Auth is on: an unauthenticated request got 401. */
  authOn?: boolean;
  /** `server/discover` answered with these supported versions. */
  discoverVersions?: string[];
  /** The revisions that passed their MCP check. */
  readonly served: Set<string>;
}

/** One JSON-RPC message body from a JSON or SSE answer, or undefined. */
export function firstRpcMessage(answer: HttpAnswer): Record<string, unknown> | undefined {
  const type = answer.headers.get('content-type') ?? '';
  const candidates = type.includes('text/event-stream')
    ? answer.text
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
    : [answer.text];
  for (const c of candidates) {
    try {
      const parsed = JSON.parse(c) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && ('result' in parsed || 'error' in parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // not JSON: try the next one
    }
  }
  return undefined;
}

function rpcError(answer: HttpAnswer): { code?: number; message?: string; data?: unknown } | undefined {
  const error = firstRpcMessage(answer)?.error;
  return error && typeof error === 'object'
    ? (error as { code?: number; message?: string; data?: unknown })
    : undefined;
}

function describe(answer: HttpAnswer): string {
  const err = rpcError(answer);
  if (err) return `${answer.status} with JSON-RPC error ${err.code} ${JSON.stringify(err.message ?? '')}`;
  const body = answer.text.replace(/\s+/g, ' ').trim();
  return `${answer.status}${body ? ` ${JSON.stringify(body.length > 120 ? `${body.slice(0, 120)}…` : body)}` : ''}`;
}

/** A 2026-07-28 JSON-RPC request body with its `_meta` envelope. */
export function modernRequest(
  id: number,
  method: string,
  params: Record<string, unknown> = {},
  version = MODERN_REVISION,
) {
  return {
    jsonrpc: '2.0',
    id,
    method,
    params: {
      ...params,
      _meta: {
        [PROTOCOL_VERSION_META_KEY]: version,
        [CLIENT_INFO_META_KEY]: CLIENT_INFO,
        [CLIENT_CAPABILITIES_META_KEY]: {},
      },
    },
  };
}

/** Headers of a 2026-07-28 POST (the request metadata headers of the Streamable HTTP transport). */
export function modernHeaders(method: string, version = MODERN_REVISION, name?: string): Record<string, string> {
  return {
    'mcp-protocol-version': version,
    'mcp-method': method,
    ...(name ? { 'mcp-name': name } : {}),
  };
}

const LEGACY_INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LEGACY_REVISION, capabilities: {}, clientInfo: CLIENT_INFO },
};

/** Runs the checks of one server; `startResult` and `drain` are supplied by the --command runner. */
export class ServerChecker {
  readonly base: string;
  readonly facts: ServerFacts = { served: new Set() };

  constructor(private readonly options: CheckServerOptions) {
    this.base = new URL(options.url).origin;
  }

  /** One HTTP request with the per-request timeout; throws on a network failure or timeout. */
  async request(
    method: string,
    url: string,
    init: { headers?: Record<string, string>; body?: string; token?: boolean } = {},
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...init.headers };
    if (init.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers.accept ??= 'application/json, text/event-stream';
    }
    if (init.token !== false && this.facts.token) headers.authorization = `Bearer ${this.facts.token}`;
    const t0 = performance.now();
    const res = await fetch(url, {
      method,
      headers,
      body: init.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, ms: Math.round(performance.now() - t0) };
  }

  private post(body: unknown, headers: Record<string, string> = {}, token = true): Promise<HttpAnswer> {
    return this.request('POST', this.options.url, { body: JSON.stringify(body), headers, token });
  }

  /** Runs every check that needs no process control, in report order. */
  async runHttpChecks(): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    const run = async (id: string, fn: () => Promise<Omit<CheckResult, 'id'>>) => {
      try {
        results.push({ id, ...(await fn()) });
      } catch (err) {
        results.push({ id, status: 'FAIL', reason: networkReason(err, this.options.timeoutMs) });
      }
    };
    await run('health-live', () => this.healthLive());
    await run('health-ready', () => this.healthReady());
    if (this.options.clientCredentials) await run('auth-token', () => this.authToken());
    else if (this.options.token) this.facts.token = this.options.token;
    await run('auth-challenge', () => this.authChallenge());
    await run('mcp-2026-07-28', () => this.mcpModern());
    await run('mcp-2025-11-25', () => this.mcpLegacy());
    await run('header-mismatch', () => this.headerMismatch());
    await run('unsupported-version', () => this.unsupportedVersion());
    await run('origin', () => this.originRejected());
    await run('method-get', () => this.methodNotAllowed('GET'));
    await run('method-delete', () => this.methodNotAllowed('DELETE'));
    await run('body-limit', () => this.bodyLimit());
    return results;
  }

  async healthLive(): Promise<Omit<CheckResult, 'id'>> {
    const a = await this.request('GET', `${this.base}/health/live`, { token: false });
    if (a.status !== 200) return fail(`GET /health/live answered ${describe(a)}, expected 200 {"status":"ok"}`);
    const body = parseJson(a.text) as { status?: unknown } | undefined;
    if (body?.status !== 'ok')
      return fail(`GET /health/live answered 200 ${JSON.stringify(a.text.slice(0, 120))}, expected {"status":"ok"}`);
    if (a.ms > HEALTH_TIMEOUT_MS)
      return fail(`GET /health/live took ${a.ms} ms, more than the ${HEALTH_TIMEOUT_MS} ms health check timeout`);
    return pass(`200 {"status":"ok"} in ${a.ms} ms`);
  }

  async healthReady(): Promise<Omit<CheckResult, 'id'>> {
    const a = await this.request('GET', `${this.base}/health/ready`, { token: false });
    if (a.status === 404)
      return fail('GET /health/ready answered 404: no readiness endpoint (the target group health check needs it)');
    if (a.status !== 200 && a.status !== 503)
      return fail(`GET /health/ready answered ${describe(a)}, expected 200 when ready or 503 when not`);
    const body = parseJson(a.text) as { status?: unknown; checks?: unknown } | undefined;
    if (!body || (body.status !== 'ok' && body.status !== 'fail') || !body.checks || typeof body.checks !== 'object')
      return fail(
        `GET /health/ready answered ${a.status} ${JSON.stringify(a.text.slice(0, 120))}, expected {"status":"ok"|"fail","checks":{…}}`,
      );
    const checks = Object.entries(
      body.checks as Record<string, { status?: unknown; latency_ms?: unknown; error?: unknown }>,
    );
    const malformed = checks.filter(
      ([, c]) => !c || (c.status !== 'ok' && c.status !== 'fail') || typeof c.latency_ms !== 'number',
    );
    if (malformed.length)
      return fail(
        `GET /health/ready: checks ${malformed.map(([n]) => n).join(', ')} lack a status of "ok"/"fail" and a numeric latency_ms`,
      );
    const failing = checks.filter(([, c]) => c.status === 'fail');
    if (a.status === 200 && (body.status !== 'ok' || failing.length))
      return fail(
        `GET /health/ready answered 200 while reporting ${failing.map(([n]) => n).join(', ') || 'status "fail"'} failing: a task that cannot serve would stay in the load balancer`,
      );
    if (a.status === 503 && body.status !== 'fail')
      return fail('GET /health/ready answered 503 with status "ok": the status code and body disagree');
    if (a.ms > HEALTH_TIMEOUT_MS)
      return fail(`GET /health/ready took ${a.ms} ms, more than the ${HEALTH_TIMEOUT_MS} ms health check timeout`);
    if (a.status === 503) {
      const names = failing.map(([n, c]) => `${n}${c.error ? ` (${String(c.error)})` : ''}`).join(', ');
      return fail(`not ready: 503 with ${names || 'no failing check named'}`);
    }
    const names = checks.map(([n]) => n);
    return pass(`200 ready in ${a.ms} ms (${names.length ? names.join(', ') : 'no dependencies configured'})`);
  }

  async authToken(): Promise<Omit<CheckResult, 'id'>> {
    const cc = this.options.clientCredentials!;
    try {
      const token = await requestClientCredentialsToken(cc, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      this.facts.token = token.accessToken;
      return pass(`client credentials token from ${cc.tokenUrl}${token.scope ? ` (scope ${token.scope})` : ''}`);
    } catch (err) {
      return fail((err as Error).message);
    }
  }

  async authChallenge(): Promise<Omit<CheckResult, 'id'>> {
    const a = await this.post(modernRequest(1, 'server/discover'), modernHeaders('server/discover'), false);
    const legacy = a.status === 401 ? a : await this.post(LEGACY_INITIALIZE, {}, false);
    if (a.status !== 401 && legacy.status !== 401) {
      this.facts.authOn = false;
      const seen = `server/discover and initialize without a token were answered ${a.status} and ${legacy.status}`;
      if (this.options.expectAuth) return fail(`auth is off (${seen}), but --expect-auth was given`);
      return skip(`auth is off: ${seen}`);
    }
    this.facts.authOn = true;
    const challenge = (a.status === 401 ? a : legacy).headers.get('www-authenticate');
    if (!challenge)
      return fail('401 without a WWW-Authenticate header: clients cannot discover how to authenticate (RFC 9728 §5.1)');
    if (!/^\s*bearer\b/i.test(challenge))
      return fail(`401 with WWW-Authenticate ${JSON.stringify(challenge)}: not a Bearer challenge`);
    const metadataUrl = /resource_metadata="([^"]+)"/i.exec(challenge)?.[1];
    if (!metadataUrl)
      return fail(
        `401 with WWW-Authenticate ${JSON.stringify(challenge)}: no resource_metadata parameter (RFC 9728 §5.1)`,
      );
    const m = await this.request('GET', metadataUrl, { token: false });
    const doc = parseJson(m.text) as { resource?: unknown; authorization_servers?: unknown } | undefined;
    if (m.status !== 200 || !doc)
      return fail(`resource metadata ${metadataUrl} answered ${describe(m)}, expected 200 JSON`);
    if (
      typeof doc.resource !== 'string' ||
      !Array.isArray(doc.authorization_servers) ||
      !doc.authorization_servers.length
    )
      return fail(
        `resource metadata ${metadataUrl} lacks "resource" or a non-empty "authorization_servers" (RFC 9728 §2)`,
      );
    return pass(
      `401 with Bearer resource_metadata; ${metadataUrl} names ${doc.resource} and ${doc.authorization_servers.join(', ')}`,
    );
  }

  private needsToken(): Omit<CheckResult, 'id'> | undefined {
    if (this.facts.authOn && !this.facts.token)
      return skip(
        'auth is on: give --token (or MCP_OPS_TOKEN), or --token-url and --client-id with MCP_OPS_CLIENT_SECRET',
      );
    return undefined;
  }

  private async session(negotiation: Negotiation): Promise<{ revision?: string; tools: number; session?: string }> {
    const connection = new McpConnection(this.options.url, {
      negotiation,
      userAgent: USER_AGENT,
      clientInfo: CLIENT_INFO,
      ...(this.facts.token ? { bearerToken: () => this.facts.token } : {}),
    });
    try {
      await connection.connect({ timeout: this.options.timeoutMs });
      const revision = connection.revision;
      const tools = await connection.client.listTools(undefined, {
        timeout: this.options.timeoutMs,
        cacheMode: 'refresh',
      });
      return { revision, tools: tools.tools.length, session: connection.sessionId };
    } finally {
      await connection.end();
    }
  }

  async mcpModern(): Promise<Omit<CheckResult, 'id'>> {
    const blocked = this.needsToken();
    if (blocked) return blocked;
    const a = await this.post(modernRequest(1, 'server/discover'), modernHeaders('server/discover'));
    const result = firstRpcMessage(a)?.result as { supportedVersions?: unknown } | undefined;
    const versions = Array.isArray(result?.supportedVersions) ? result!.supportedVersions.map(String) : undefined;
    const unsupported = rpcError(a);
    if (versions) this.facts.discoverVersions = versions;
    else if (unsupported?.code === -32022) {
      const supported = (unsupported.data as { supported?: unknown })?.supported;
      this.facts.discoverVersions = Array.isArray(supported) ? supported.map(String) : [];
    }
    if (!this.facts.discoverVersions?.includes(MODERN_REVISION)) {
      return skip(`not claimed: server/discover at ${MODERN_REVISION} was answered ${describe(a)}`);
    }
    try {
      const s = await this.session('modern');
      this.facts.served.add(MODERN_REVISION);
      return pass(
        `server/discover lists ${JSON.stringify(this.facts.discoverVersions)}; tools/list at ${s.revision}: ${s.tools} tools`,
      );
    } catch (err) {
      const f = classifyMcpError(err);
      return fail(
        `server/discover lists ${MODERN_REVISION}, but a ${MODERN_REVISION} client failed (${f.reason}): ${f.message}`,
      );
    }
  }

  async mcpLegacy(): Promise<Omit<CheckResult, 'id'>> {
    const blocked = this.needsToken();
    if (blocked) return blocked;
    const claimsLegacy = this.facts.discoverVersions?.some((v) => v < MODERN_REVISION);
    try {
      const s = await this.session('legacy');
      this.facts.served.add(s.revision ?? LEGACY_REVISION);
      const older =
        s.revision !== LEGACY_REVISION ? ` (older than ${LEGACY_REVISION}; clients and the probe still work)` : '';
      return pass(
        `initialize negotiated ${s.revision}${older}; tools/list: ${s.tools} tools${s.session ? '; session ended with DELETE' : ''}`,
      );
    } catch (err) {
      const f = classifyMcpError(err);
      if (this.facts.served.has(MODERN_REVISION) && !claimsLegacy)
        return skip(`not claimed: a ${MODERN_REVISION}-only server (initialize failed: ${f.message})`);
      return fail(
        claimsLegacy
          ? `server/discover lists ${JSON.stringify(this.facts.discoverVersions)}, but initialize at ${LEGACY_REVISION} failed (${f.reason}): ${f.message}`
          : `the server speaks no revision: initialize at ${LEGACY_REVISION} failed (${f.reason}): ${f.message}`,
      );
    }
  }

  async headerMismatch(): Promise<Omit<CheckResult, 'id'>> {
    if (!this.facts.served.has(MODERN_REVISION))
      return skip(`applies to ${MODERN_REVISION}, which the server does not serve`);
    const a = await this.post(modernRequest(7, 'tools/list'), modernHeaders('tools/call'));
    const err = rpcError(a);
    if (a.status === 400 && err?.code === -32020)
      return pass('Mcp-Method "tools/call" on a tools/list body: 400 with -32020');
    return fail(
      `Mcp-Method "tools/call" on a tools/list body was answered ${describe(a)}, expected 400 with -32020 (HeaderMismatch)`,
    );
  }

  async unsupportedVersion(): Promise<Omit<CheckResult, 'id'>> {
    const blocked = this.needsToken();
    if (blocked) return blocked;
    const bogus = '1999-01-01';
    if (this.facts.served.has(MODERN_REVISION)) {
      const a = await this.post(
        modernRequest(8, 'server/discover', {}, bogus),
        modernHeaders('server/discover', bogus),
      );
      const err = rpcError(a);
      const supported = (err?.data as { supported?: unknown })?.supported;
      if (a.status === 400 && err?.code === -32022 && Array.isArray(supported))
        return pass(`revision ${bogus}: 400 with -32022, supported ${JSON.stringify(supported)}`);
      return fail(
        `revision ${bogus} was answered ${describe(a)}, expected 400 with -32022 (UnsupportedProtocolVersion) and data.supported`,
      );
    }
    if (!this.facts.served.size) return skip('the server serves no revision');
    const a = await this.post(
      { jsonrpc: '2.0', id: 8, method: 'tools/list', params: {} },
      { 'mcp-protocol-version': bogus },
    );
    if (a.status === 400) return pass(`MCP-Protocol-Version ${bogus}: 400`);
    return fail(`MCP-Protocol-Version ${bogus} was answered ${describe(a)}, expected 400 (2025-11-25 Streamable HTTP)`);
  }

  async originRejected(): Promise<Omit<CheckResult, 'id'>> {
    const origin = this.options.origin;
    const modern = this.facts.served.has(MODERN_REVISION) || !this.facts.served.size;
    const a = modern
      ? await this.post(modernRequest(9, 'server/discover'), { ...modernHeaders('server/discover'), origin })
      : await this.post(LEGACY_INITIALIZE, { origin });
    if (a.status === 403) return pass(`Origin ${origin}: 403`);
    if (a.status === 401 && !this.facts.token)
      return skip(`answered 401 before the Origin check could apply (auth is on; give a token)`);
    return fail(`a request with Origin ${origin} was answered ${describe(a)}, expected 403: no DNS-rebinding defence`);
  }

  async methodNotAllowed(method: 'GET' | 'DELETE'): Promise<Omit<CheckResult, 'id'>> {
    const a = await this.request(method, this.options.url, {
      headers: method === 'GET' ? { accept: 'text/event-stream' } : {},
    });
    if (a.status === 401 && !this.facts.token) return skip('answered 401 (auth is on; give a token)');
    if (a.status !== 405)
      return fail(
        `${method} ${new URL(this.options.url).pathname} was answered ${describe(a)}, expected 405 (a stateless server)`,
      );
    if (method === 'GET') {
      const allow = a.headers.get('allow');
      if (!allow || !/\bPOST\b/i.test(allow))
        return fail(`GET was answered 405 without Allow: POST (got ${JSON.stringify(allow)})`);
      return pass(`405, Allow: ${allow}`);
    }
    return pass('405');
  }

  async bodyLimit(): Promise<Omit<CheckResult, 'id'>> {
    const limit = this.options.maxBodyBytes;
    const modern = this.facts.served.has(MODERN_REVISION);
    // A request the server would otherwise answer (a padded tools/list), one byte over the limit.
    const skeleton = JSON.stringify(
      modern
        ? modernRequest(10, 'tools/list', { pad: '' })
        : { jsonrpc: '2.0', id: 10, method: 'tools/list', params: { pad: '' } },
    );
    const padding = Math.max(0, limit + 1 - Buffer.byteLength(skeleton));
    const body = skeleton.replace('"pad":""', `"pad":"${'x'.repeat(padding)}"`);
    const a = await this.request('POST', this.options.url, {
      body,
      headers: modern ? modernHeaders('tools/list') : {},
    });
    if (a.status === 413) return pass(`a ${Buffer.byteLength(body)}-byte body: 413`);
    if (a.status === 401 && !this.facts.token) return skip('answered 401 (auth is on; give a token)');
    return fail(`a ${Buffer.byteLength(body)}-byte body (limit ${limit}) was answered ${describe(a)}, expected 413`);
  }
}

function pass(reason: string): Omit<CheckResult, 'id'> {
  return { status: 'PASS', reason };
}
function fail(reason: string): Omit<CheckResult, 'id'> {
  return { status: 'FAIL', reason };
}
function skip(reason: string): Omit<CheckResult, 'id'> {
  return { status: 'SKIP', reason };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The reason line of a request that got no answer. */
export function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = e?.cause?.code;
  return `no answer: ${e?.message ?? String(err)}${code ? ` (${code})` : ''}`;
}
