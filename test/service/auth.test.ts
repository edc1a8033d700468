import { generateKeyPairSync } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { SignJWT, decodeProtectedHeader } from 'jose';
import { LocalOAuthServer, startOAuthServer } from '../support/oauth-server';
import { LocalRedis, startRedis } from '../support/services';
import { LEGACY, TestServer, modernRequest, postMcp, rpcMessages, startTestServer } from './helpers';

const RESOURCE_URL = 'https://mcp.example.com';
/** The canonical URI of the endpoint: the RFC 8707 resource, the expected audience. */
const RESOURCE = 'https://mcp.example.com/mcp';
const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const ADMIN = 'mcp:admin';

/** A JWT with `alg: none` and no signature, carrying the claims of `token`. */
function unsigned(token: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${token.split('.')[1]}.`;
}

/** The claims of `token`, signed again with a key the issuer never published (same `kid`). */
async function resignedWithOtherKey(token: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(token).kid })
    .sign(privateKey);
}

describe('OAuth 2.1 resource server, against a real OAuth server on 127.0.0.1', () => {
  let oauth: LocalOAuthServer;
  let redis: LocalRedis;
  let t: TestServer;

  const list = modernRequest('tools/list');
  const counter = (name = 'hits') => modernRequest('tools/call', { name: 'cache_counter', arguments: { name } });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    [oauth, redis] = await Promise.all([startOAuthServer(), startRedis()]);
    t = await startTestServer({
      ...redis.env,
      AUTH_ISSUER: oauth.issuer,
      AUTH_JWKS_URL: oauth.jwksUrl,
      RESOURCE_URL,
      AUTH_ADMIN_SCOPE: ADMIN,
    });
  }, 600_000);
  afterAll(async () => {
    await t?.stop();
    await Promise.all([oauth?.stop(), redis?.stop()]);
  });

  test('a valid token is accepted by both SDK clients; audit entries name the subject, the client and the scopes', async () => {
    const token = await oauth.token({ audience: RESOURCE, scope: `mcp:tools ${ADMIN}`, clientId: 'ops-bot' });
    const modern = await t.client(bearer(token));
    expect((await modern.callTool({ name: 'echo', arguments: { text: 'authorized' } })).content).toEqual([
      { type: 'text', text: 'authorized' },
    ]);
    const first = await modern.callTool({ name: 'cache_counter', arguments: { name: 'auth-test' } });
    const legacy = await t.legacyClient(bearer(token));
    const second = await legacy.callTool({ name: 'cache_counter', arguments: { name: 'auth-test' } });
    expect((second.structuredContent as { value: number }).value).toBe(
      (first.structuredContent as { value: number }).value + 1,
    );

    const audit = await t.waitForLine((l) => l.event_type === 'tool_call' && l.resource === 'tool:cache_counter');
    expect(audit).toMatchObject({
      principal: 'ops-bot',
      client_id: 'ops-bot',
      scopes: ['mcp:tools', ADMIN],
      scope_required: ADMIN,
      result: 'success',
    });
    const completed = await t.waitForLine((l) => l.event === 'request_completed' && l.tool === 'echo');
    expect(completed.client_id).toBe('ops-bot');
    // The token itself never reaches the log.
    expect(t.raw.join('\n')).not.toContain(token.split('.')[2]);
  });

  test('a missing token is a 401 with a WWW-Authenticate challenge pointing at the RFC 9728 metadata', async () => {
    const res = await postMcp(t.address.mcpUrl, list.body, list.headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${METADATA_URL}"`);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });
    const denied = await t.waitForLine(
      (l) => l.event_type === 'auth_denied' && l.request_id === res.headers.get('x-request-id'),
    );
    expect(denied).toMatchObject({
      log_type: 'audit',
      principal: 'anonymous',
      result: 'denied',
      resource: 'endpoint:/mcp',
    });
    expect(
      await t.waitForLine((l) => l.event === 'request_failed' && l.request_id === res.headers.get('x-request-id')),
    ).toMatchObject({ status_code: 401, error_type: 'auth_error', protocol_version: '2026-07-28' });
  });

  test.each([
    ['expired', () => oauth.token({ audience: RESOURCE, expiresIn: -600 }), /expired/],
    ['issued by another issuer', () => oauth.token({ audience: RESOURCE, issuer: 'https://evil.example.com/' }), /iss/],
    ['for another audience (RFC 8707)', () => oauth.token({ audience: 'https://other.example.com/mcp' }), /aud/],
    ['without an audience', () => oauth.token({}), /aud/],
    ['unsigned (alg none)', async () => unsigned(await oauth.token({ audience: RESOURCE })), /invalid|alg/],
    [
      'signed with a key the issuer never published',
      async () => resignedWithOtherKey(await oauth.token({ audience: RESOURCE })),
      /signature/,
    ],
    ['not a JWT', async () => 'abc.def.ghi', /invalid/],
  ])('a token %s is a 401 with error="invalid_token" and the metadata URL', async (_name, make, reason) => {
    const token = await make();
    const res = await postMcp(t.address.mcpUrl, list.body, { ...list.headers, ...bearer(token) });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate')!;
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
    await res.text();
    const denied = await t.waitForLine(
      (l) => l.event_type === 'auth_denied' && l.request_id === res.headers.get('x-request-id'),
    );
    expect(String(denied.reason)).toMatch(reason);
  });

  test('a token without the admin scope may list and echo, but an admin tool is a 403 insufficient_scope naming the scope, on both revisions', async () => {
    const token = await oauth.token({ audience: RESOURCE, scope: 'mcp:tools', clientId: 'reader' });
    const ok = await postMcp(t.address.mcpUrl, list.body, { ...list.headers, ...bearer(token) });
    expect(ok.status).toBe(200);
    expect(
      ((await ok.json()) as { result: { tools: Array<{ name: string }> } }).result.tools.map((x) => x.name),
    ).toContain('cache_counter');

    const legacyCall = {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'cache_counter', arguments: { name: 'x' } },
    };
    for (const [body, headers] of [
      [counter().body, counter().headers],
      [legacyCall, { 'mcp-protocol-version': LEGACY }],
    ] as const) {
      const res = await postMcp(t.address.mcpUrl, body, { ...headers, ...bearer(token) });
      expect(res.status).toBe(403);
      const challenge = res.headers.get('www-authenticate')!;
      expect(challenge).toContain('error="insufficient_scope"');
      expect(challenge).toContain(`scope="${ADMIN}"`);
      expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
      await res.text();
      const audit = await t.waitForLine(
        (l) => l.event_type === 'tool_call' && l.request_id === res.headers.get('x-request-id'),
      );
      expect(audit).toMatchObject({
        result: 'denied',
        principal: 'reader',
        client_id: 'reader',
        scopes: ['mcp:tools'],
        scope_required: ADMIN,
        error_type: 'auth_error',
      });
    }
    // The 2.x client sees the refusal as an error, not a result.
    const client = await t.client(bearer(token));
    await expect(client.callTool({ name: 'cache_counter', arguments: { name: 'x' } })).rejects.toThrow();
  });

  test('protected-resource metadata is served, open, at the RFC 9728 path for /mcp and at the root path', async () => {
    for (const p of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const res = await fetch(`${t.address.url}${p}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        resource: RESOURCE,
        authorization_servers: [oauth.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: [ADMIN],
      });
    }
  });

  test('health endpoints stay open without a token', async () => {
    expect((await fetch(`${t.address.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${t.address.url}/health/ready`)).status).toBe(200);
  });

  test('with auth on, the cacheable results are private (they must not be shared across tokens)', async () => {
    const token = await oauth.token({ audience: RESOURCE });
    const res = await postMcp(t.address.mcpUrl, list.body, { ...list.headers, ...bearer(token) });
    const [message] = rpcMessages(res.headers.get('content-type'), await res.text());
    expect(message.result).toMatchObject({ cacheScope: 'private', ttlMs: 300_000 });
  });
});

describe('AUTH_REQUIRED_SCOPES', () => {
  test('a token without a required scope is a 403 insufficient_scope before any MCP code runs', async () => {
    const oauth = await startOAuthServer();
    const t = await startTestServer({
      AUTH_ISSUER: oauth.issuer,
      AUTH_JWKS_URL: oauth.jwksUrl,
      RESOURCE_URL,
      AUTH_REQUIRED_SCOPES: 'mcp:tools',
    });
    try {
      const list = modernRequest('tools/list');
      const without = await oauth.token({ audience: RESOURCE, scope: 'profile' });
      const res = await postMcp(t.address.mcpUrl, list.body, { ...list.headers, authorization: `Bearer ${without}` });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_scope", error_description="requires mcp:tools", scope="mcp:tools", resource_metadata="${METADATA_URL}"`,
      );
      expect(await res.json()).toMatchObject({ error: { code: -32001 } });
      expect(
        await t.waitForLine((l) => l.event_type === 'auth_denied' && l.request_id === res.headers.get('x-request-id')),
      ).toMatchObject({
        principal: 'm2m-client',
        scope_required: 'mcp:tools',
        reason: expect.stringContaining('mcp:tools'),
      });

      const withScope = await oauth.token({ audience: RESOURCE, scope: 'mcp:tools' });
      const ok = await postMcp(t.address.mcpUrl, list.body, { ...list.headers, authorization: `Bearer ${withScope}` });
      expect(ok.status).toBe(200);
      await ok.text();
    } finally {
      await t.stop();
      await oauth.stop();
    }
  });
});

describe('bearer-token auth with the JWKS endpoint down', () => {
  test('is a 503 dependency error, not a 401 (the client did nothing wrong)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const { port } = dead.address() as AddressInfo;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const issuer = 'https://issuer.example.com/';
    const t = await startTestServer({
      AUTH_ISSUER: issuer,
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      RESOURCE_URL,
    });
    try {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'k' })
        .setIssuer(issuer)
        .setAudience(RESOURCE)
        .setExpirationTime('5m')
        .sign(privateKey);
      const list = modernRequest('tools/list');
      const res = await postMcp(t.address.mcpUrl, list.body, { ...list.headers, authorization: `Bearer ${token}` });
      expect(res.status).toBe(503);
      await res.text();
      expect(
        await t.waitForLine((l) => l.event === 'request_failed' && l.request_id === res.headers.get('x-request-id')),
      ).toMatchObject({ error_type: 'dependency_error', status_code: 503 });
    } finally {
      await t.stop();
    }
  });
});

describe('per-client rate limit (RATE_LIMIT_PER_MINUTE) and the principal metrics', () => {
  test('each OAuth client has its own quota: 429 with Retry-After when exhausted; api_quota_remaining and user_sessions_active per task', async () => {
    const oauth = await startOAuthServer();
    const t = await startTestServer(
      { AUTH_ISSUER: oauth.issuer, AUTH_JWKS_URL: oauth.jwksUrl, RESOURCE_URL, RATE_LIMIT_PER_MINUTE: '3' },
      { metricsIntervalMs: 25 },
    );
    try {
      const list = modernRequest('tools/list');
      const tokenA = await oauth.token({ audience: RESOURCE, clientId: 'client-a' });
      const tokenB = await oauth.token({ audience: RESOURCE, clientId: 'client-b' });
      const send = (token: string) =>
        postMcp(t.address.mcpUrl, list.body, { ...list.headers, authorization: `Bearer ${token}` });
      for (let i = 0; i < 3; i++) expect((await (await send(tokenA)).text()) && true).toBe(true);
      const refused = await send(tokenA);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused.json()).toMatchObject({
        error: { code: -32000, message: expect.stringContaining('3 per minute') },
      });
      expect(
        await t.waitForLine(
          (l) => l.event === 'request_failed' && l.request_id === refused.headers.get('x-request-id'),
        ),
      ).toMatchObject({ status_code: 429, error_type: 'rate_limited', client_id: 'client-a' });
      const other = await send(tokenB);
      expect(other.status).toBe(200);
      await other.text();

      // Samples after the last requests: client-a used all of its quota, client-b one request of it.
      const quotaA = await t.waitForLine(
        (l) => l.event === 'metrics' && l.client_id === 'client-a' && l.api_quota_remaining === 0,
      );
      expect(quotaA).toMatchObject({ service: 'test-mcp' });
      await t.waitForLine((l) => l.event === 'metrics' && l.client_id === 'client-b' && l.api_quota_remaining === 2);
      expect(await t.waitForLine((l) => l.event === 'metrics' && l.user_sessions_active === 2)).toMatchObject({
        mcp_active_connections: expect.any(Number),
      });
    } finally {
      await t.stop();
      await oauth.stop();
    }
  });

  test('without auth the quota is per client address, and all anonymous clients share one metric label', async () => {
    const t = await startTestServer({ RATE_LIMIT_PER_MINUTE: '2' }, { metricsIntervalMs: 25 });
    try {
      const list = modernRequest('tools/list');
      const from = (ip: string) => postMcp(t.address.mcpUrl, list.body, { ...list.headers, 'x-forwarded-for': ip });
      for (const ip of ['198.51.100.1', '198.51.100.1', '198.51.100.2']) expect((await from(ip)).status).toBe(200);
      expect((await from('198.51.100.1')).status).toBe(429);
      // The lowest quota of the anonymous clients (198.51.100.1 used both of its requests).
      await t.waitForLine((l) => l.event === 'metrics' && l.client_id === 'anonymous' && l.api_quota_remaining === 0);
      expect(t.lines.filter((l) => l.event === 'metrics' && String(l.client_id).startsWith('198.'))).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});
