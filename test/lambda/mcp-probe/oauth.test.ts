/**
 * The probe with OAuth client credentials, against a real OAuth 2.0 server on 127.0.0.1 (oauth2-mock-server,
 * RS256 JWTs) and MCP servers that verify the token's signature with its JWKS. Secrets Manager is mocked.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { TOKEN_EXPIRY_MARGIN_MS } from '../../../lambda/mcp-probe';
import { clientSecretFromSecretString, ClientSecretError, TokenCache } from '../../../lambda/mcp-probe/oauth';
import { invoke, metric, probeHandler } from './harness';
import { startOAuthServer, type OAuthTestServer } from './oauth-server';
import { startMcpServer, startModernServer, type AuthCheck, type TestServer } from './servers';

const smMock = mockClient(SecretsManagerClient);
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/probe-client-AbCdEf';
const RESOURCE = 'https://mcp.example.com/mcp';

let oauth: OAuthTestServer;
const servers: TestServer[] = [];
beforeAll(async () => {
  oauth = await startOAuthServer({ clients: { 'probe-client': 'right-secret' }, expiresInSeconds: 3600 });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await oauth?.close();
});
beforeEach(() => {
  smMock.reset();
  smMock.on(GetSecretValueCommand).resolves({ SecretString: 'right-secret' });
  oauth.tokenRequests.length = 0;
});

function authCheck(): AuthCheck {
  return { issuer: oauth.issuer, jwksUrl: oauth.jwksUrl, audience: RESOURCE, accepted: [] };
}

function authEnv(url: string, extra: Record<string, string> = {}) {
  return {
    MCP_ENDPOINT_URL: url,
    PROBE_TOKEN_URL: oauth.tokenUrl,
    PROBE_CLIENT_ID: 'probe-client',
    PROBE_CLIENT_SECRET_ARN: SECRET_ARN,
    PROBE_SCOPES: 'mcp/read mcp/probe',
    PROBE_RESOURCE: RESOURCE,
    ...extra,
  };
}

function handlerWith(env: Record<string, string>, clock?: { now: number }) {
  return probeHandler(env, {
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    ...(clock ? { epochMs: () => clock.now } : {}),
  });
}

describe('probe with OAuth client credentials', () => {
  let check: AuthCheck;
  test.each([
    ['2026-07-28 server (2.x SDK)', () => startModernServer('reject', { auth: check })],
    ['2025-11-25 server (1.x SDK)', () => startMcpServer('stateless', { auth: check })],
  ])('gets a token and passes against a %s that verifies it with the JWKS', async (_name, start) => {
    check = authCheck();
    const server = await start();
    servers.push(server);
    const { result, input, logs } = await invoke({}, handlerWith(authEnv(server.url, { PROBE_TOOL_NAME: 'status' })));
    expect(result).toMatchObject({ success: true, stage: 'done', tokenCached: false });
    expect(Object.keys(result.steps)).toEqual(['token', 'connect', 'tools/list', 'tools/call']);
    expect(oauth.tokenRequests).toEqual([
      {
        client_id: 'probe-client',
        grant_type: 'client_credentials',
        scope: 'mcp/read mcp/probe',
        resource: RESOURCE,
        ok: true,
      },
    ]);
    expect(check.accepted!.length).toBeGreaterThanOrEqual(3);
    expect(new Set(check.accepted)).toEqual(new Set(['probe-client']));
    expect(smMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(smMock.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: SECRET_ARN });
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(1);
    expect(JSON.stringify(logs)).not.toContain('right-secret');
  });

  test('warm invocations reuse the token and the secret; a token near expiry is replaced', async () => {
    check = authCheck();
    const server = await startModernServer('reject', { auth: check });
    servers.push(server);
    const clock = { now: Date.now() };
    const handler = handlerWith(authEnv(server.url), clock);
    expect((await invoke({}, handler)).result).toMatchObject({ success: true, tokenCached: false });
    clock.now += 60_000;
    expect((await invoke({}, handler)).result).toMatchObject({ success: true, tokenCached: true });
    expect(oauth.tokenRequests).toHaveLength(1);
    // 3600 s tokens are replaced TOKEN_EXPIRY_MARGIN_MS before they expire.
    clock.now += 3600_000 - 60_000 - TOKEN_EXPIRY_MARGIN_MS + 1;
    expect((await invoke({}, handler)).result).toMatchObject({ success: true, tokenCached: false });
    expect(oauth.tokenRequests).toHaveLength(2);
    // The secret is read once for the life of the execution environment.
    expect(smMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test('a secret stored as JSON with client_secret works', async () => {
    smMock
      .on(GetSecretValueCommand)
      .resolves({ SecretString: '{"client_id":"probe-client","client_secret":"right-secret"}' });
    check = authCheck();
    const server = await startModernServer('reject', { auth: check });
    servers.push(server);
    const { result } = await invoke({}, handlerWith(authEnv(server.url)));
    expect(result.success).toBe(true);
  });

  test('a wrong secret: reason token_error (invalid_client, 401), the MCP server is not called', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: 'wrong-secret' });
    check = authCheck();
    const server = await startModernServer('reject', { auth: check });
    servers.push(server);
    const { result, input, logs } = await invoke({}, handlerWith(authEnv(server.url)));
    expect(result).toMatchObject({
      success: false,
      stage: 'token',
      errorType: 'token_error',
      oauthError: 'invalid_client',
    });
    expect(result.error).toContain('invalid_client');
    expect(result.error).not.toContain('wrong-secret');
    expect(server.seen).toEqual([]);
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(0);
    expect(metric(input, 'ProbeFailure', { service: 'orders-mcp', reason: 'token_error' })?.Value).toBe(1);
    expect(logs.at(-1)).toMatchObject({
      level: 'WARN',
      extra: { error_type: 'token_error', oauth_error: 'invalid_client' },
    });
  });

  test('the token endpoint down: reason token_error', async () => {
    const server = await startModernServer('reject');
    servers.push(server);
    const { result } = await invoke(
      {},
      handlerWith(authEnv(server.url, { PROBE_TOKEN_URL: 'http://127.0.0.1:1/token' })),
    );
    expect(result).toMatchObject({ success: false, stage: 'token', errorType: 'token_error' });
    expect(result.error).toMatch(/ECONNREFUSED|fetch failed/);
  });

  test('the MCP server rejects the token (wrong audience): reason auth_rejected with 401; a cached token is retried once fresh', async () => {
    check = authCheck();
    const server = await startModernServer('reject', { auth: check });
    servers.push(server);
    const handler = handlerWith(authEnv(server.url));
    expect((await invoke({}, handler)).result.success).toBe(true);
    expect(oauth.tokenRequests).toHaveLength(1);

    check.audience = 'https://another.example.com/mcp';
    const rejected = await invoke({}, handler);
    expect(rejected.result).toMatchObject({
      success: false,
      stage: 'connect',
      errorType: 'auth_rejected',
      errorCode: 401,
    });
    // The cached token was rejected, so the probe fetched a fresh one and the request was retried with it.
    expect(oauth.tokenRequests).toHaveLength(2);
    expect(metric(rejected.input, 'ProbeFailure', { service: 'orders-mcp', reason: 'auth_rejected' })?.Value).toBe(1);
    expect(metric(rejected.input, 'ProbeFailure', { service: 'orders-mcp', reason: 'token_error' })).toBeUndefined();

    // A rejected token is not kept: the next run asks for a new one.
    await invoke({}, handler);
    expect(oauth.tokenRequests).toHaveLength(3);
  });

  test('403 from the MCP server: reason auth_rejected with 403', async () => {
    check = authCheck();
    const server = await startMcpServer('stateful', { auth: check, fault: { method: 'tools/list', httpStatus: 403 } });
    servers.push(server);
    const { result } = await invoke({}, handlerWith(authEnv(server.url)));
    expect(result).toMatchObject({ success: false, stage: 'tools/list', errorType: 'auth_rejected', errorCode: 403 });
    // The session is still ended, with the token.
    expect(server.openSessions()).toBe(0);
  });

  test('the secret cannot be read: reason secret_error, and the next invocation reads it again', async () => {
    smMock
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const server = await startModernServer('reject');
    servers.push(server);
    const handler = handlerWith(authEnv(server.url));
    const { result, input } = await invoke({}, handler);
    expect(result).toMatchObject({ success: false, stage: 'token', errorType: 'secret_error' });
    expect(result.error).toBe(`cannot read secret ${SECRET_ARN}: AccessDeniedException: not authorized`);
    expect(metric(input, 'ProbeFailure', { service: 'orders-mcp', reason: 'secret_error' })?.Value).toBe(1);
    await invoke({}, handler);
    expect(smMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

describe('client secret values and the token cache', () => {
  test.each([
    ['s3cret\n', 's3cret'],
    ['{"client_secret":"abc"}', 'abc'],
    [' {"client_secret":" abc ","other":1} ', 'abc'],
  ])('%j → %j', (value, secret) => {
    expect(clientSecretFromSecretString(value, 'arn')).toBe(secret);
  });

  test.each([
    [undefined, 'secret arn has no SecretString (binary secrets are not supported)'],
    ['', 'secret arn is empty'],
    ['{"clientSecret":"x"}', 'secret arn is a JSON object without a non-empty "client_secret" string field'],
    ['{not json', 'secret arn starts with "{" but is not valid JSON'],
  ])('%j is refused', (value, message) => {
    expect(() => clientSecretFromSecretString(value, 'arn')).toThrow(ClientSecretError);
    expect(() => clientSecretFromSecretString(value, 'arn')).toThrow(message);
  });

  test('a token without expires_in is not reused; concurrent callers share one request', async () => {
    let calls = 0;
    const cache = new TokenCache(async () => {
      calls++;
      return { accessToken: `t${calls}` };
    });
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(a.token).toBe(b.token);
    expect(calls).toBe(1);
    expect((await cache.get()).cached).toBe(false);
    expect(calls).toBe(2);
  });
});
