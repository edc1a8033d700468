import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client as PgClient } from 'pg';
import { Logger, loadConfig } from '../../service/src';
import { Database } from '../../service/src/dependencies';
import { LocalPostgres, LocalRedis, startPostgres, startRedis } from '../support/services';
import { TestServer, spawnServer, startTestServer } from './helpers';

// Real PostgreSQL and Redis servers (installed on first use by scripts/install-test-services.sh).
describe('readiness and tools with a real PostgreSQL and Redis', () => {
  let pg: LocalPostgres;
  let redis: LocalRedis;
  let t: TestServer;
  const pgConfig = () => ({
    host: pg.host,
    port: pg.port,
    name: pg.database,
    username: pg.user,
    password: pg.password,
    tls: false,
  });

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    const seed = new PgClient({
      host: pg.host,
      port: pg.port,
      user: pg.user,
      password: pg.password,
      database: pg.database,
    });
    await seed.connect();
    await seed.query(
      'CREATE TABLE public.orders (id int PRIMARY KEY); CREATE TABLE public.customers (id int PRIMARY KEY)',
    );
    await seed.end();
    // 1 s per check, the server's default: generous for a healthy server on two busy cores.
    t = await startTestServer({ ...pg.env, ...redis.env }, { readinessTimeoutMs: 1_000 });
  }, 600_000);

  afterAll(async () => {
    pg?.resume();
    await t?.stop();
    await Promise.all([pg?.stop(), redis?.stop()]);
  });

  test('readiness is 200 with a result per configured dependency', async () => {
    // The clients connect in the background from start: give a busy machine a few checks for that.
    let res = await fetch(`${t.address.url}/health/ready`);
    for (const deadline = Date.now() + 10_000; res.status !== 200 && Date.now() < deadline;) {
      await res.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 200));
      res = await fetch(`${t.address.url}/health/ready`);
    }
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      checks: {
        database: { status: 'ok', latency_ms: expect.any(Number) },
        cache: { status: 'ok', latency_ms: expect.any(Number) },
      },
    });
  });

  test('the database and cache tools appear and read and write through the real servers', async () => {
    const client = await t.client();
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name)).toEqual(expect.arrayContaining(['database_tables', 'cache_counter']));

    const tables = await client.callTool({ name: 'database_tables', arguments: {} });
    expect(tables.structuredContent).toEqual({ schema: 'public', tables: ['customers', 'orders'] });

    const first = await client.callTool({ name: 'cache_counter', arguments: { name: 'visits' } });
    const second = await client.callTool({ name: 'cache_counter', arguments: { name: 'visits' } });
    expect((second.structuredContent as { value: number }).value).toBe(
      (first.structuredContent as { value: number }).value + 1,
    );
  });

  test('a hung database fails readiness with 503 within the check timeout, naming the database only', async () => {
    pg.suspend();
    try {
      const res = await fetch(`${t.address.url}/health/ready`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: Record<string, { status: string; error?: string }> };
      expect(body.status).toBe('fail');
      expect(body.checks.database).toMatchObject({ status: 'fail', error: 'timeout after 1000 ms' });
      expect(body.checks.cache).toMatchObject({ status: 'ok' });
      // Liveness never looks at dependencies.
      expect((await fetch(`${t.address.url}/health/live`)).status).toBe(200);
      expect(await t.waitForLine((l) => l.event === 'readiness_failed')).toMatchObject({
        level: 'WARN',
        error_type: 'dependency_error',
      });
    } finally {
      pg.resume();
    }
    // Back to ready once the database answers again.
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await fetch(`${t.address.url}/health/ready`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  test('the pool holds DATABASE_POOL_SIZE idle connections and opens DATABASE_POOL_MAX_OVERFLOW more under load', async () => {
    const config = loadConfig({ ...pg.env, DATABASE_POOL_SIZE: '2', DATABASE_POOL_MAX_OVERFLOW: '1' }).database!;
    expect(config).toMatchObject({ poolSize: 2, poolMaxOverflow: 1 });
    const logger = new Logger('test', 'ERROR', () => undefined);
    const db = new Database(config, logger, { applicationName: 'pool-size-test', idleTimeoutMs: 200 });
    const observer = new PgClient({
      host: pg.host,
      port: pg.port,
      user: pg.user,
      password: pg.password,
      database: pg.database,
    });
    await observer.connect();
    const open = async (): Promise<number> =>
      Number(
        (
          await observer.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'pool-size-test'",
          )
        ).rows[0].n,
      );
    try {
      // Six concurrent queries: at most size + overflow = 3 connections, the others wait their turn.
      const busy = Array.from({ length: 6 }, () => db.pool.query('SELECT pg_sleep(0.3)'));
      let done = false;
      const all = Promise.all(busy).finally(() => {
        done = true;
      });
      let peak = 0;
      while (!done) {
        peak = Math.max(peak, await open());
        await new Promise((r) => setTimeout(r, 20));
      }
      await all;
      const deadline = Date.now() + 10_000;
      expect(db.pool.totalCount).toBe(3);
      expect(peak).toBe(3);
      // The overflow connection closes once idle; the pool keeps DATABASE_POOL_SIZE open.
      while (db.pool.totalCount > 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 400));
      expect(db.pool.totalCount).toBe(2);
      expect(await open()).toBe(2);
    } finally {
      await observer.end();
      await db.close();
    }
  });

  test('a query the hung database never answers frees its pool slot after the query timeout, so readiness recovers', async () => {
    const logger = new Logger('test', 'ERROR', () => undefined);
    const db = new Database({ ...pgConfig(), poolSize: 1, poolMaxOverflow: 0 }, logger, {
      maxConnections: 1,
      queryTimeoutMs: 400,
      closeTimeoutMs: 300,
    });
    try {
      expect(await db.check(5_000)).toMatchObject({ status: 'ok' });
      expect(db.pool.totalCount).toBe(1);
      pg.suspend();
      try {
        expect(await db.check(200)).toMatchObject({ status: 'fail', error: 'timeout after 200 ms' });
        // Without a client-side query timeout the hung query would hold the only connection for good.
        const deadline = Date.now() + 10_000;
        while (db.pool.totalCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(db.pool.totalCount).toBe(0);
      } finally {
        pg.resume();
      }
      expect(await db.check(5_000)).toMatchObject({ status: 'ok' });
    } finally {
      pg.resume();
      await db.close();
    }
  });

  test('closing the pool (shutdown) does not wait for a query the hung database never answers', async () => {
    const logger = new Logger('test', 'ERROR', () => undefined);
    const db = new Database({ ...pgConfig(), poolSize: 1, poolMaxOverflow: 0 }, logger, {
      maxConnections: 1,
      queryTimeoutMs: 60_000,
      closeTimeoutMs: 300,
    });
    try {
      expect(await db.check(5_000)).toMatchObject({ status: 'ok' });
      pg.suspend();
      const hung = db.check(60_000);
      while (db.pool.idleCount > 0) await new Promise((r) => setTimeout(r, 10)); // the query holds the connection
      await new Promise((r) => setTimeout(r, 100)); // and has been sent
      // Bounded by closeTimeoutMs; pool.end() alone would wait for the hung query (60 s).
      const outcome = await Promise.race([
        db.close().then(() => 'closed'),
        new Promise((r) => setTimeout(() => r('still waiting'), 20_000).unref()),
      ]);
      expect(outcome).toBe('closed');
      pg.resume();
      await hung;
    } finally {
      pg.resume();
    }
  });

  test('a stopped cache fails readiness with 503 naming the cache, and the cache tool reports a dependency error', async () => {
    await redis.stop();
    const res = await fetch(`${t.address.url}/health/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: Record<string, { status: string; error?: string }> };
    expect(body.checks.cache.status).toBe('fail');
    expect(body.checks.cache.error).toEqual(expect.any(String));
    expect(body.checks.database.status).toBe('ok');

    const client = await t.client();
    const result = await client.callTool({ name: 'cache_counter', arguments: { name: 'visits' } });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: 'text', text: 'cache unavailable' }]);
    const failed = await t.waitForLine((l) => l.event === 'tool_call_failed' && l.tool === 'cache_counter');
    expect(failed).toMatchObject({ error_type: 'dependency_error' });
    expect(t.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'metrics', error_type: 'dependency_error', mcp_errors_total: 1 }),
      ]),
    );
  });
});

// DATABASE_TLS=true and CACHE_TLS=true against a PostgreSQL and a Redis serving certificates for
// localhost signed by test CAs: the server process trusts them only through NODE_EXTRA_CA_CERTS, the
// mechanism the image uses for the Amazon RDS CAs (service/Dockerfile), and checks the host name.
describe('readiness with DATABASE_TLS=true and CACHE_TLS=true (certificates verified)', () => {
  let pg: LocalPostgres;
  let redis: LocalRedis;
  let dir: string;
  let caFile: string;
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres({ tls: true }), startRedis({ tls: true })]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-tls-'));
    caFile = path.join(dir, 'cas.pem');
    fs.writeFileSync(caFile, fs.readFileSync(pg.caFile!, 'utf8') + fs.readFileSync(redis.caFile!, 'utf8'));
  }, 600_000);
  afterAll(async () => {
    await Promise.all([pg?.stop(), redis?.stop()]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const readyOnce = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
    return {
      status: res.status,
      body: (await res.json()) as { checks: Record<string, { status: string; error?: string }> },
    };
  };
  // A freshly started process connects both clients (TCP, TLS, AUTH) during its first checks: on a
  // busy machine that may take longer than one 1 s check, so poll for up to 15 s.
  const ready = async (port: number) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await readyOnce(port);
      if (r.status === 200 || Date.now() > deadline) return r;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  test('is ready when the CAs are trusted through NODE_EXTRA_CA_CERTS', async () => {
    expect(pg.env).toMatchObject({ DATABASE_TLS: 'true', DATABASE_HOST: 'localhost' });
    expect(redis.env).toMatchObject({ CACHE_TLS: 'true', CACHE_HOST: 'localhost' });
    const server = await spawnServer({
      ...pg.env,
      ...redis.env,
      SERVICE_NAME: 'tls-test',
      NODE_EXTRA_CA_CERTS: caFile,
    });
    try {
      const { status, body } = await ready(server.port);
      expect(body.checks).toEqual({
        database: expect.objectContaining({ status: 'ok' }),
        cache: expect.objectContaining({ status: 'ok' }),
      });
      expect(status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test("verifies an IP address host against the certificate's IP SAN, without SNI (which must not carry an IP)", async () => {
    const server = await spawnServer({
      ...pg.env,
      ...redis.env,
      DATABASE_HOST: '127.0.0.1',
      CACHE_HOST: '127.0.0.1',
      SERVICE_NAME: 'tls-test',
      NODE_EXTRA_CA_CERTS: caFile,
    });
    try {
      const { status, body } = await ready(server.port);
      expect(body.checks).toEqual({
        database: expect.objectContaining({ status: 'ok' }),
        cache: expect.objectContaining({ status: 'ok' }),
      });
      expect(status).toBe(200);
    } finally {
      await server.stop();
    }
    // Node warns (DEP0123) when a TLS server name is an IP address (RFC 6066 forbids it).
    expect(server.errors()).not.toContain('DEP0123');
  });

  test('refuses a certificate from an unknown CA: readiness is 503 with the certificate error', async () => {
    const server = await spawnServer({
      ...pg.env,
      ...redis.env,
      SERVICE_NAME: 'tls-test',
      NODE_EXTRA_CA_CERTS: undefined,
    });
    try {
      // Poll too: on a busy machine a first check may time out before the TLS handshake fails.
      let r = await readyOnce(server.port);
      for (
        const deadline = Date.now() + 15_000;
        Date.now() < deadline && !Object.values(r.body.checks).every((c) => /certificate/i.test(c.error ?? ''));
      ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        r = await readyOnce(server.port);
      }
      const { status, body } = r;
      expect(status).toBe(503);
      expect(body.checks.database).toMatchObject({ status: 'fail', error: expect.stringMatching(/certificate/i) });
      expect(body.checks.cache).toMatchObject({ status: 'fail', error: expect.stringMatching(/certificate/i) });
    } finally {
      await server.stop();
    }
  });
});
