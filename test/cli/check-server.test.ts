/**
 * `mcp-ops check-server` against real servers on 127.0.0.1: the reference server (service/, its exported
 * factory), a conforming 2.x SDK server (fixture-server.ts) and copies of it that break one rule each;
 * with --command against server processes (drain); with OAuth against oauth2-mock-server.
 */
import { main } from '../../cli/main';
import { checkServer, type CheckServerReport } from '../../cli/check-server';
import { parseCheckServerArgs, type CheckServerOptions } from '../../cli/check-server/args';
import { CHECKS } from '../../cli/check-server/checks';
import { commandWords } from '../../cli/check-server/args';
import { createServer, loadConfig, type McpHttpServer } from '../../service/src';
import { startOAuthServer, type OAuthTestServer } from '../lambda/mcp-probe/oauth-server';
import { closedPortUrl } from '../lambda/mcp-probe/servers';
import { startFixture, type Fixture, type FixtureOptions } from './check-server/fixture-server';

function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env }, out, err };
}

function options(args: string[], env: Record<string, string> = {}): CheckServerOptions {
  const o = parseCheckServerArgs(args, env);
  if (o === 'help') throw new Error('unexpected help');
  return o;
}

function byId(r: CheckServerReport): Record<string, { status: string; reason: string }> {
  return Object.fromEntries(r.checks.map((c) => [c.id, { status: c.status, reason: c.reason }]));
}

const fixtures: Fixture[] = [];
afterAll(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});
async function fixture(o: FixtureOptions = {}): Promise<Fixture> {
  const f = await startFixture(o);
  fixtures.push(f);
  return f;
}

const FIXTURE_MAIN = 'node --import tsx test/cli/check-server/fixture-main.ts';

describe('check-server against conforming servers', () => {
  test('a conforming 2.x server (both revisions): every check passes; readable report, exit 0', async () => {
    const f = await fixture();
    const c = capture();
    expect(await main(['check-server', f.url], c.io)).toBe(0);
    const text = c.out.join('');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe(`check-server ${f.url}`);
    const ids = CHECKS.map((k) => k.id).filter((id) => !['start', 'auth-token'].includes(id));
    expect(lines.slice(1, -1).map((l) => l.split(/\s+/)[1])).toEqual(ids);
    for (const id of ids.filter((id) => id !== 'auth-challenge' && id !== 'drain'))
      expect(lines.find((l) => l.split(/\s+/)[1] === id)).toMatch(/^PASS /);
    expect(text).toMatch(
      /^SKIP {2}auth-challenge +auth is off: server\/discover and initialize without a token were answered 200 and 200$/m,
    );
    expect(text).toMatch(/^SKIP {2}drain +give --command/m);
    expect(text).toMatch(/mcp-2026-07-28 +server\/discover lists \["2026-07-28"\]; tools\/list at 2026-07-28: 1 tools/);
    expect(text).toMatch(/mcp-2025-11-25 +initialize negotiated 2025-11-25/);
    expect(lines.at(-1)).toBe('10 PASS, 0 FAIL, 2 SKIP: the server conforms to the operational contract');
  });

  test('--json: the same report as JSON', async () => {
    const f = await fixture({ legacy: 'reject' });
    const c = capture();
    expect(await main(['check-server', f.url, '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out.join('')) as CheckServerReport;
    expect(r).toMatchObject({ url: f.url, ok: true, counts: { fail: 0 } });
    // A 2026-07-28-only server: the 2025 revision is not claimed, so it is skipped, not failed.
    expect(byId(r)['mcp-2025-11-25']).toEqual({
      status: 'SKIP',
      reason: expect.stringMatching(/^not claimed: a 2026-07-28-only server \(initialize failed: /),
    });
    expect(byId(r)['mcp-2026-07-28'].status).toBe('PASS');
  });

  test('the reference server (service/, both revisions): every check passes', async () => {
    const server: McpHttpServer = createServer(loadConfig({ SERVICE_NAME: 'check-ref', LOG_LEVEL: 'ERROR' }), {
      log: () => undefined,
      metricsIntervalMs: 0,
    });
    const { mcpUrl } = await server.listen(0, '127.0.0.1');
    try {
      const r = await checkServer(options([mcpUrl]));
      const checks = byId(r);
      expect(r.ok).toBe(true);
      for (const id of [
        'health-live',
        'health-ready',
        'mcp-2025-11-25',
        'mcp-2026-07-28',
        'header-mismatch',
        'unsupported-version',
        'origin',
        'method-get',
        'method-delete',
        'body-limit',
      ])
        expect([id, checks[id].status]).toEqual([id, 'PASS']);
    } finally {
      await server.close();
    }
  });
});

describe('check-server names what is wrong with a broken server', () => {
  const cases: Array<[string, FixtureOptions, string, RegExp]> = [
    [
      'no readiness endpoint',
      { ready: 'missing' },
      'health-ready',
      /^GET \/health\/ready answered 404: no readiness endpoint/,
    ],
    [
      'readiness 200 while a dependency check fails',
      { ready: 'inconsistent' },
      'health-ready',
      /^GET \/health\/ready answered 200 while reporting cache failing: a task that cannot serve would stay in the load balancer$/,
    ],
    ['not ready', { ready: 'not-ready' }, 'health-ready', /^not ready: 503 with cache \(timeout after 500 ms\)$/],
    [
      'no Origin check',
      { originCheck: false },
      'origin',
      /^a request with Origin https:\/\/check-server\.invalid was answered 200 .*expected 403: no DNS-rebinding defence$/,
    ],
    [
      'headers never compared with the body',
      { headerValidation: false },
      'header-mismatch',
      /^Mcp-Method "tools\/call" on a tools\/list body was answered 200 .*expected 400 with -32020 \(HeaderMismatch\)$/,
    ],
    ['GET not refused with 405', { methods405: false }, 'method-get', /^GET \/mcp was answered 400 .*expected 405/],
    [
      'DELETE not refused with 405',
      { methods405: false },
      'method-delete',
      /^DELETE \/mcp was answered 400 .*expected 405/,
    ],
    [
      'no body limit',
      { maxBodyBytes: 0 },
      'body-limit',
      /^a 1048577-byte body \(limit 1048576\) was answered 200 .*expected 413$/,
    ],
  ];
  test.each(cases)('%s: %s check fails with its reason, exit 1', async (_name, knobs, id, reason) => {
    const f = await fixture(knobs);
    const c = capture();
    expect(await main(['check-server', f.url, '--json'], c.io)).toBe(1);
    const r = JSON.parse(c.out.join('')) as CheckServerReport;
    const failed = r.checks.filter((k) => k.status === 'FAIL');
    expect(failed.map((k) => k.id)).toContain(id);
    expect(byId(r)[id].reason).toMatch(reason);
    // Only the broken rule fails.
    expect(failed.every((k) => k.id === id || (knobs.methods405 === false && k.id.startsWith('method-')))).toBe(true);
  });

  test('a server with nothing listening: every request check fails with "no answer"', async () => {
    const r = await checkServer(options([await closedPortUrl()]));
    expect(r.ok).toBe(false);
    expect(byId(r)['health-live']).toEqual({
      status: 'FAIL',
      reason: expect.stringMatching(/^no answer: fetch failed \(ECONNREFUSED\)$/),
    });
  });
});

describe('check-server with auth', () => {
  let oauth: OAuthTestServer;
  beforeAll(async () => {
    oauth = await startOAuthServer({ clients: { 'check-client': 'check-secret' } });
  });
  afterAll(async () => {
    await oauth?.close();
  });

  test('client credentials: a token, the 401 challenge with resource metadata, MCP with the token', async () => {
    const f = await fixture({ auth: { issuer: oauth.issuer, jwksUrl: oauth.jwksUrl } });
    const c = capture({ MCP_OPS_CLIENT_SECRET: 'check-secret' });
    const code = await main(
      [
        'check-server',
        f.url,
        '--json',
        '--token-url',
        oauth.tokenUrl,
        '--client-id',
        'check-client',
        '--scope',
        'mcp/read',
        '--expect-auth',
      ],
      c.io,
    );
    const r = JSON.parse(c.out.join('')) as CheckServerReport;
    expect(byId(r)['auth-token']).toEqual({
      status: 'PASS',
      reason: `client credentials token from ${oauth.tokenUrl} (scope mcp/read)`,
    });
    expect(byId(r)['auth-challenge']).toEqual({
      status: 'PASS',
      reason: `401 with Bearer resource_metadata; ${f.url.replace('/mcp', '')}/.well-known/oauth-protected-resource/mcp names ${f.url} and ${oauth.issuer}`,
    });
    expect(byId(r)['mcp-2026-07-28'].status).toBe('PASS');
    expect(byId(r)['mcp-2025-11-25'].status).toBe('PASS');
    expect(code).toBe(0);
  });

  test('a wrong client secret: auth-token fails with invalid_client; MCP checks are skipped', async () => {
    const f = await fixture({ auth: { issuer: oauth.issuer, jwksUrl: oauth.jwksUrl } });
    const r = await checkServer(
      options([f.url, '--token-url', oauth.tokenUrl, '--client-id', 'check-client'], { MCP_OPS_CLIENT_SECRET: 'nope' }),
    );
    expect(byId(r)['auth-token']).toEqual({ status: 'FAIL', reason: expect.stringContaining('invalid_client') });
    expect(byId(r)['mcp-2026-07-28']).toEqual({
      status: 'SKIP',
      reason: expect.stringMatching(/^auth is on: give --token/),
    });
  });

  test('401 without WWW-Authenticate fails auth-challenge', async () => {
    const f = await fixture({ auth: { issuer: oauth.issuer, jwksUrl: oauth.jwksUrl, challenge: false } });
    const r = await checkServer(options([f.url]));
    expect(byId(r)['auth-challenge']).toEqual({
      status: 'FAIL',
      reason: '401 without a WWW-Authenticate header: clients cannot discover how to authenticate (RFC 9728 §5.1)',
    });
    expect(r.ok).toBe(false);
  });

  test('--expect-auth against an open server fails auth-challenge', async () => {
    const f = await fixture();
    const r = await checkServer(options([f.url, '--expect-auth']));
    expect(byId(r)['auth-challenge']).toEqual({
      status: 'FAIL',
      reason: expect.stringMatching(/^auth is off .* but --expect-auth was given$/),
    });
  });
});

describe('check-server --command: start and SIGTERM drain', () => {
  test('a server that drains: the listen stream ends cleanly, exit 0 inside the grace period', async () => {
    const r = await checkServer(options([await closedPortUrl(), '--command', FIXTURE_MAIN, '--grace-ms', '10000']));
    expect(byId(r).start.status).toBe('PASS');
    expect(byId(r).drain).toEqual({
      status: 'PASS',
      reason: expect.stringMatching(
        /^exited 0 \d+ ms after SIGTERM; the subscriptions\/listen stream ended cleanly after \d+ bytes$/,
      ),
    });
    expect(r.ok).toBe(true);
  });

  test('a server without a SIGTERM handler: drain fails, killed by SIGTERM', async () => {
    const r = await checkServer(
      options([await closedPortUrl(), '--command', `FIXTURE_DRAIN=false ${FIXTURE_MAIN}`, '--grace-ms', '10000']),
    );
    expect(byId(r).drain).toEqual({
      status: 'FAIL',
      reason: expect.stringMatching(
        /^the process was killed by SIGTERM after \d+ ms: no SIGTERM handler drains it; the stream was cut: /,
      ),
    });
    expect(r.ok).toBe(false);
  });

  test('the reference server (service/src/main.ts) drains an open tool call', async () => {
    const r = await checkServer(
      options([
        await closedPortUrl(),
        '--command',
        'node --import tsx service/src/main.ts',
        '--grace-ms',
        '15000',
        '--stream-tool',
        'wait',
        '--stream-args',
        '{"duration_ms":1000}',
      ]),
      { SERVICE_NAME: 'check-ref', LOG_LEVEL: 'ERROR', SHUTDOWN_GRACE_MS: '5000' },
    );
    expect(byId(r).drain).toEqual({
      status: 'PASS',
      reason: expect.stringMatching(/^exited 0 \d+ ms after SIGTERM; the open tool call completed with its response/),
    });
  });

  test('a command that exits at once: start fails with its output, the rest is skipped', async () => {
    const r = await checkServer(
      options([await closedPortUrl(), '--command', `node -e "console.error('boom: no config'); process.exit(78)"`]),
    );
    expect(byId(r).start).toEqual({
      status: 'FAIL',
      reason: 'the command exited (code 78) before /health/live answered. Last output: boom: no config',
    });
    expect(byId(r)['health-live']).toEqual({ status: 'SKIP', reason: 'the server did not start' });
  });
});

describe('check-server flags', () => {
  test.each([
    [[], 'expected exactly one MCP endpoint URL, got none'],
    [['ftp://x/mcp'], '<mcp-url> must be an absolute http:// or https:// URL, got "ftp://x/mcp"'],
    [['http://127.0.0.1:1/mcp', '--timeout-ms', '5s'], '--timeout-ms must be an integer from 100 to 60000, got "5s"'],
    [
      ['http://127.0.0.1:1/mcp', '--origin', 'evil'],
      '--origin must be an origin such as https://evil.example, got "evil"',
    ],
    [
      ['http://127.0.0.1:1/mcp', '--origin', 'https://evil.example/x'],
      '--origin must be an origin (scheme://host[:port]) without a path',
    ],
    [['http://127.0.0.1:1/mcp', '--origin', 'http://127.0.0.1:1'], "--origin must differ from the server's own origin"],
    [
      ['http://127.0.0.1:1/mcp', '--token-url', 'https://a.example/token'],
      '--token-url and --client-id must be given together',
    ],
    [
      ['http://127.0.0.1:1/mcp', '--token-url', 'https://a.example/token', '--client-id', 'c'],
      '--token-url needs the client secret in the MCP_OPS_CLIENT_SECRET environment variable',
    ],
    [
      ['http://127.0.0.1:1/mcp', '--grace-ms', '100'],
      '--startup-timeout-ms, --grace-ms and --stream-tool only apply with --command',
    ],
    [
      ['http://127.0.0.1:1/mcp', '--command', 'x', '--stream-tool', 'w', '--stream-args', '[1]'],
      '--stream-args must be a JSON object, got "[1]"',
    ],
    [['http://127.0.0.1:1/mcp', '--bogus'], "Unknown option '--bogus'"],
    [
      ['http://127.0.0.1:1/mcp', '--command', 'cd x && node y'],
      '--command is run without a shell, so "&&" is not supported',
    ],
  ])('%j → exit 2: %s', async (args, message) => {
    const c = capture();
    expect(await main(['check-server', ...args], c.io)).toBe(2);
    expect(c.err.join('')).toContain(message);
    expect(c.out.join('')).toBe('');
  });

  test('--help prints the usage and exits 0', async () => {
    const c = capture();
    expect(await main(['check-server', '--help'], c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/^usage: mcp-ops check-server <mcp-url> \[options\]/);
  });

  test('--command words: assignments before the program, quotes, no shell', () => {
    expect(commandWords(`PORT=1 NODE_ENV="prod x" node -e 'a b'`)).toEqual({
      assignments: { PORT: '1', NODE_ENV: 'prod x' },
      argv: ['node', '-e', 'a b'],
    });
  });
});
