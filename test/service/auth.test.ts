import { generateKeyPairSync, KeyObject } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { SignJWT } from 'jose';
import { TestServer, postMcp, startTestServer } from './helpers';

const ISSUER = 'https://issuer.example.com/';
const AUDIENCE = 'https://mcp.example.com/mcp';
const RESOURCE_URL = 'https://mcp.example.com';
const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

/** A JWKS endpoint on 127.0.0.1 publishing one EC P-256 public key. */
async function startJwks(
  publicKey: KeyObject,
  kid: string,
): Promise<{ url: string; hits: () => number; stop: () => Promise<void> }> {
  let hits = 0;
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  const server = http.createServer((req, res) => {
    hits++;
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    hits: () => hits,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('bearer-token auth (JWT with JWKS)', () => {
  const kid = 'test-key-1';
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let jwks: Awaited<ReturnType<typeof startJwks>>;
  let t: TestServer;

  const sign = (
    claims: Record<string, unknown> = {},
    opts: { key?: KeyObject; aud?: string; iss?: string; exp?: number | string } = {},
  ): Promise<string> =>
    new SignJWT({ scope: 'mcp:tools', client_id: 'cli-42', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('user-7')
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(opts.key ?? privateKey);

  const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

  beforeAll(async () => {
    jwks = await startJwks(publicKey, kid);
    t = await startTestServer({ AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_URL: jwks.url, RESOURCE_URL });
  });
  afterAll(async () => {
    await t.stop();
    await jwks.stop();
  });

  test('a valid token is accepted; the SDK client works and the audit entry names the subject', async () => {
    const token = await sign();
    const client = await t.client({ authorization: `Bearer ${token}` });
    const result = await client.callTool({ name: 'echo', arguments: { text: 'authorized' } });
    expect(result.content).toEqual([{ type: 'text', text: 'authorized' }]);
    const audit = await t.waitForLine((l) => l.event_type === 'tool_call' && l.resource === 'tool:echo');
    expect(audit).toMatchObject({ principal: 'user-7', result: 'success' });
    const completed = await t.waitForLine((l) => l.event === 'request_completed' && l.tool === 'echo');
    expect(completed.client_id).toBe('user-7');
    expect(jwks.hits()).toBeGreaterThanOrEqual(1);
  });

  test('a missing token is a 401 with a WWW-Authenticate challenge pointing at the RFC 9728 metadata', async () => {
    const res = await postMcp(t.address.mcpUrl, list);
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
    ).toMatchObject({ status_code: 401, error_type: 'auth_error' });
  });

  test.each([
    ['wrong audience', () => sign({}, { aud: 'https://other.example.com/mcp' }), /aud/],
    ['wrong issuer', () => sign({}, { iss: 'https://evil.example.com/' }), /iss/],
    ['expired', () => sign({}, { exp: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
    ['bad signature', () => sign({}, { key: other.privateKey }), /signature/],
    ['not a JWT', async () => 'abc.def.ghi', /invalid/],
  ])('%s: 401 with error="invalid_token" and the metadata URL', async (_name, make, reason) => {
    const token = await make();
    const res = await postMcp(t.address.mcpUrl, list, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate')!;
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
    expect(challenge).toContain('error="invalid_token"');
    await res.text();
    const denied = await t.waitForLine(
      (l) => l.event_type === 'auth_denied' && l.request_id === res.headers.get('x-request-id'),
    );
    expect(String(denied.reason)).toMatch(reason);
    // The token itself never reaches the log.
    expect(t.raw.join('\n')).not.toContain(token);
  });

  test('a non-bearer Authorization header is refused', async () => {
    const res = await postMcp(t.address.mcpUrl, list, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await res.text();
  });

  test('protected-resource metadata is served at the RFC 9728 path for /mcp and at the root path', async () => {
    for (const p of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const res = await fetch(`${t.address.url}${p}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        resource: AUDIENCE,
        authorization_servers: [ISSUER],
        bearer_methods_supported: ['header'],
      });
    }
  });

  test('health endpoints stay open without a token', async () => {
    expect((await fetch(`${t.address.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${t.address.url}/health/ready`)).status).toBe(200);
  });
});

describe('bearer-token auth with the JWKS endpoint down', () => {
  test('is a 503 dependency error, not a 401 (the client did nothing wrong)', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const { port } = dead.address() as AddressInfo;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const t = await startTestServer({
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      RESOURCE_URL,
    });
    try {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(privateKey);
      const res = await postMcp(
        t.address.mcpUrl,
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        { authorization: `Bearer ${token}` },
      );
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
