/**
 * The server's optional dependencies, PostgreSQL and Valkey/Redis, each with a readiness check
 * bounded by a short timeout and a close for shutdown. Connection errors are logged, never thrown
 * at the process: a dependency outage makes readiness fail (the load balancer takes the task out),
 * it does not crash the task.
 */
import { once } from 'events';
import { isIP } from 'net';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { CacheConfig, DatabaseConfig } from './config';
import { Logger, errorMessage } from './logger';

/**
 * The TLS server name (SNI) for `host`: the host name itself, or none for an IP address, which
 * RFC 6066 forbids there (the certificate is then checked against its IP address SANs).
 */
function sni(host: string): { servername?: string } {
  return isIP(host) === 0 ? { servername: host } : {};
}

/** Result of one readiness check, as in the readiness body of the contract. */
export interface CheckResult {
  readonly status: 'ok' | 'fail';
  readonly latency_ms: number;
  readonly error?: string;
}

/** A dependency that readiness checks. */
export interface Dependency {
  /** Key in the readiness body's `checks`, e.g. `database`. */
  readonly name: string;
  /** Answers within `timeoutMs` or fails. */
  check(timeoutMs: number): Promise<CheckResult>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

/** Runs `fn`, failing with `timeout after N ms` when it takes longer than `timeoutMs`. */
export async function withTimeout<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timeout after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A call that did not finish in time. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

async function timedCheck(fn: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const start = performance.now();
  try {
    await withTimeout(fn, timeoutMs);
    return { status: 'ok', latency_ms: Math.round(performance.now() - start) };
  } catch (err) {
    return { status: 'fail', latency_ms: Math.round(performance.now() - start), error: errorMessage(err, 200) };
  }
}

/** Tuning of the PostgreSQL pool (tests; the pool size comes from the configuration). */
export interface DatabaseOptions {
  /** Overrides the pool's maximum (`DATABASE_POOL_SIZE` + `DATABASE_POOL_MAX_OVERFLOW`). */
  readonly maxConnections?: number;
  /** How long a connection above the pool size stays open while idle. @default 30000 */
  readonly idleTimeoutMs?: number;
  /** Time to open a connection. @default 2000 */
  readonly connectTimeoutMs?: number;
  /** Server-side `statement_timeout` of every connection. @default 5000 */
  readonly statementTimeoutMs?: number;
  /**
   * Client-side limit on one query. A query that gets no answer (a hung or unreachable database,
   * where the server-side `statement_timeout` cannot act) fails after this time and its connection
   * is discarded, so hung queries cannot fill the pool and keep the task unready after the database
   * is back. @default statementTimeoutMs + 1000
   */
  readonly queryTimeoutMs?: number;
  /** How long `close` waits for the pool to end (it waits for checked-out connections). @default 2000 */
  readonly closeTimeoutMs?: number;
  /** `application_name` of the connections. @default 'mcp-server' */
  readonly applicationName?: string;
}

/**
 * PostgreSQL through a `pg` pool sized like the guide's SQLAlchemy pool. node-postgres has a
 * single `max` and a `min` instead of `pool_size` and `max_overflow`: `max` = size + overflow, and
 * `min` = size, so up to `DATABASE_POOL_SIZE` idle connections stay open while the overflow ones
 * are closed after `idleTimeoutMs` idle (SQLAlchemy closes an overflow connection as soon as it is
 * returned). Connections are opened on demand, never ahead of it.
 */
export class Database implements Dependency {
  readonly name = 'database';
  readonly pool: Pool;
  private closed = false;
  private readonly closeTimeoutMs: number;

  constructor(config: DatabaseConfig, logger: Logger, options: DatabaseOptions = {}) {
    const statementTimeoutMs = options.statementTimeoutMs ?? 5_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 2_000;
    const max = options.maxConnections ?? config.poolSize + config.poolMaxOverflow;
    this.pool = new Pool({
      host: config.host,
      port: config.port,
      database: config.name,
      user: config.username,
      password: config.password,
      ssl: config.tls ? { rejectUnauthorized: true, ...sni(config.host) } : false,
      max,
      min: Math.min(config.poolSize, max),
      idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000,
      statement_timeout: statementTimeoutMs,
      query_timeout: options.queryTimeoutMs ?? statementTimeoutMs + 1_000,
      // TCP keep-alive probes detect a peer that vanished without closing the connection.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: options.applicationName ?? 'mcp-server',
    });
    // An idle client losing its connection emits here; without a listener the process would crash.
    this.pool.on('error', (err) =>
      logger.warn('dependency_error', 'idle database connection failed', {
        dependency: 'database',
        error: errorMessage(err, 200),
        error_type: 'dependency_error',
      }),
    );
  }

  check(timeoutMs: number): Promise<CheckResult> {
    return timedCheck(() => this.pool.query('SELECT 1'), timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // pool.end() waits for checked-out connections, which a hung database never returns:
    // shutdown must not wait past its grace period for them.
    await withTimeout(() => this.pool.end(), this.closeTimeoutMs).catch(() => undefined);
  }
}

/** Tuning of the Valkey/Redis client. */
export interface CacheOptions {
  /** Time to open a connection. @default 2000 */
  readonly connectTimeoutMs?: number;
  /** Time a command may take before it fails. @default 2000 */
  readonly commandTimeoutMs?: number;
}

/** Valkey/Redis through `ioredis`, failing commands at once while disconnected (no offline queue). */
export class Cache implements Dependency {
  readonly name = 'cache';
  readonly client: Redis;
  private closed = false;
  private lastError: string | undefined;

  constructor(config: CacheConfig, logger: Logger, options: CacheOptions = {}) {
    this.client = new Redis({
      host: config.host,
      port: config.port,
      password: config.authToken,
      tls: config.tls ? { ...sni(config.host) } : undefined,
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Reconnect forever with a capped backoff: the cache may come back while the task lives.
      retryStrategy: (times) => Math.min(times * 200, 2_000),
      lazyConnect: false,
      // How long disconnect() waits for the socket to close before destroying it.
      disconnectTimeout: 500,
    });
    this.client.on('error', (err) => {
      // Log each distinct error once, not on every reconnect attempt.
      const msg = errorMessage(err, 200);
      if (msg === this.lastError) return;
      this.lastError = msg;
      logger.warn('dependency_error', 'cache connection failed', {
        dependency: 'cache',
        error: msg,
        error_type: 'dependency_error',
      });
    });
    this.client.on('ready', () => {
      if (this.lastError !== undefined)
        logger.info('dependency_recovered', 'cache connection ready', { dependency: 'cache' });
      this.lastError = undefined;
    });
  }

  check(timeoutMs: number): Promise<CheckResult> {
    return timedCheck(async () => {
      // Right after start (or during a reconnect) wait for the connection within the timeout
      // instead of failing at once: commands fail immediately while disconnected.
      if (this.client.status !== 'ready') await once(this.client, 'ready', { signal: AbortSignal.timeout(timeoutMs) });
      await this.client.ping();
    }, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.client.status === 'ready') await withTimeout(() => this.client.quit(), 1_000);
    } catch {
      // fall through to disconnect
    }
    // After a clean QUIT the client has ended; otherwise stop reconnecting and drop the socket.
    if (this.client.status !== 'end') this.client.disconnect(false);
  }
}
