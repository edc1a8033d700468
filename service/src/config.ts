/**
 * Configuration of the reference MCP server, read from environment variables as
 * `docs/operational-contract.md` defines them. `loadConfig` validates every variable and throws
 * one `ConfigError` that lists every problem, so a misconfigured task fails at start with a
 * message an operator can act on instead of failing later on a request.
 */

/** Log levels, lowest first. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** PostgreSQL connection settings. */
export interface DatabaseConfig {
  readonly host: string;
  readonly port: number;
  readonly name: string;
  readonly username: string;
  readonly password?: string;
  /** Connect with TLS and verify the server certificate (against Node's CAs plus `NODE_EXTRA_CA_CERTS`). */
  readonly tls: boolean;
  /** Connections the pool keeps open while idle (`DATABASE_POOL_SIZE`, the guide's `pool_size`). */
  readonly poolSize: number;
  /** Extra connections opened under load and closed again when idle (`DATABASE_POOL_MAX_OVERFLOW`). */
  readonly poolMaxOverflow: number;
}

/** Valkey/Redis connection settings. */
export interface CacheConfig {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly authToken?: string;
}

/** Bearer-token (JWT) verification settings: the server as an OAuth 2.1 resource server. */
export interface AuthConfig {
  /** Expected `iss` claim. */
  readonly issuer: string;
  /**
   * Expected `aud` claim: the canonical URI of this MCP endpoint (`RESOURCE_URL` + `MCP_PATH`, the
   * RFC 8707 resource the client asked the authorization server for) unless `AUTH_AUDIENCE` says otherwise.
   */
  readonly audience: string;
  /** URL of the issuer's JSON Web Key Set. */
  readonly jwksUrl: string;
  /** Scopes every MCP request needs (`AUTH_REQUIRED_SCOPES`); empty = any valid token. */
  readonly requiredScopes: readonly string[];
  /** Scope the administrative tools (`database_tables`, `cache_counter`) need (`AUTH_ADMIN_SCOPE`). */
  readonly adminScope: string;
}

/** The validated configuration of the server. */
export interface ServerConfig {
  /** Listening port (0 = any free port, for tests). */
  readonly port: number;
  /** Path of the MCP endpoint, starting with `/`. */
  readonly mcpPath: string;
  /** Service name in logs and metrics. */
  readonly serviceName: string;
  /** Allowed `Origin` header values (exact match, e.g. `https://app.example.com`). */
  readonly allowedOrigins: readonly string[];
  /** Request body limit in bytes. */
  readonly maxBodyBytes: number;
  /** Interval of SSE keep-alive comments on open streams, in milliseconds. */
  readonly keepAliveIntervalMs: number;
  /** Time given to in-flight requests on shutdown before streams are closed, in milliseconds. */
  readonly shutdownGraceMs: number;
  /** PostgreSQL, when `DATABASE_HOST` is set. */
  readonly database?: DatabaseConfig;
  /** Valkey/Redis, when `CACHE_HOST` is set. */
  readonly cache?: CacheConfig;
  /** Bearer-token verification, when `AUTH_ISSUER` and `AUTH_JWKS_URL` are set. */
  readonly auth?: AuthConfig;
  /** Requests per minute each client may send to this task (token bucket, burst = the limit); 0 = no limit. */
  readonly rateLimitPerMinute: number;
  /** This server's public base URL (e.g. `https://mcp.example.com`), for RFC 9728 metadata. */
  readonly resourceUrl?: string;
  /** Lowest level written to the log. */
  readonly logLevel: LogLevel;
}

/** Thrown by {@link loadConfig}; `problems` holds one line per invalid variable. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** The defaults of `docs/operational-contract.md`. */
export const DEFAULTS = {
  port: 8080,
  mcpPath: '/mcp',
  serviceName: 'mcp-server',
  maxBodyBytes: 1_048_576,
  keepAliveIntervalMs: 15_000,
  shutdownGraceMs: 20_000,
  databasePort: 5432,
  databaseName: 'postgres',
  databasePoolSize: 20,
  databasePoolMaxOverflow: 10,
  cachePort: 6379,
  adminScope: 'mcp:admin',
  rateLimitPerMinute: 600,
  logLevel: 'INFO' as LogLevel,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the server configuration from environment variables
 * (`process.env` by default). Empty strings count as unset.
 * @throws ConfigError listing every invalid or inconsistent variable
 */
export function loadConfig(env: Env = process.env): ServerConfig {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return def;
    const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return def;
    }
    return n;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = get(name);
    if (raw === undefined) return def;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    problems.push(`${name} must be true or false, got ${JSON.stringify(raw)}`);
    return def;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      problems.push(`${name} must be an absolute URL, got ${JSON.stringify(raw)}`);
      return undefined;
    }
    if (!protocols.includes(parsed.protocol)) {
      problems.push(`${name} must use ${protocols.join(' or ')}, got ${JSON.stringify(raw)}`);
      return undefined;
    }
    return raw;
  };

  const port = int('PORT', DEFAULTS.port, 0, 65535);

  const mcpPath = get('MCP_PATH') ?? DEFAULTS.mcpPath;
  if (
    !/^\/[A-Za-z0-9._~\-/]*$/.test(mcpPath) ||
    mcpPath.includes('//') ||
    mcpPath.startsWith('/health/') ||
    mcpPath.startsWith('/.well-known/')
  ) {
    problems.push(
      `MCP_PATH must be a path like /mcp (letters, digits, . _ ~ - /; not under /health/ or /.well-known/), got ${JSON.stringify(mcpPath)}`,
    );
  }

  const serviceName = get('SERVICE_NAME') ?? DEFAULTS.serviceName;
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(serviceName)) {
    problems.push(`SERVICE_NAME must be 1 to 255 characters of [A-Za-z0-9._-], got ${JSON.stringify(serviceName)}`);
  }

  const allowedOrigins: string[] = [];
  for (const item of (get('ALLOWED_ORIGINS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(item);
    } catch {
      /* reported below */
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== item.replace(/\/$/, '')) {
      problems.push(
        `ALLOWED_ORIGINS entries must be origins like https://app.example.com (scheme, host, optional port; no path), got ${JSON.stringify(item)}`,
      );
      continue;
    }
    allowedOrigins.push(parsed.origin);
  }

  const maxBodyBytes = int('MAX_BODY_BYTES', DEFAULTS.maxBodyBytes, 1024, 100 * 1_048_576);
  const keepAliveIntervalMs = int('KEEPALIVE_INTERVAL_MS', DEFAULTS.keepAliveIntervalMs, 10, 110_000);
  const shutdownGraceMs = int('SHUTDOWN_GRACE_MS', DEFAULTS.shutdownGraceMs, 0, 120_000);

  let database: DatabaseConfig | undefined;
  const dbHost = get('DATABASE_HOST');
  if (dbHost !== undefined) {
    const username = get('DATABASE_USERNAME');
    if (username === undefined) problems.push('DATABASE_USERNAME is required when DATABASE_HOST is set');
    database = {
      host: dbHost,
      port: int('DATABASE_PORT', DEFAULTS.databasePort, 1, 65535),
      name: get('DATABASE_NAME') ?? DEFAULTS.databaseName,
      username: username ?? '',
      password: env.DATABASE_PASSWORD === undefined || env.DATABASE_PASSWORD === '' ? undefined : env.DATABASE_PASSWORD,
      tls: bool('DATABASE_TLS', true),
      poolSize: int('DATABASE_POOL_SIZE', DEFAULTS.databasePoolSize, 1, MAX_POOL_CONNECTIONS),
      poolMaxOverflow: int('DATABASE_POOL_MAX_OVERFLOW', DEFAULTS.databasePoolMaxOverflow, 0, MAX_POOL_CONNECTIONS),
    };
    if (database.poolSize + database.poolMaxOverflow > MAX_POOL_CONNECTIONS) {
      problems.push(
        `DATABASE_POOL_SIZE + DATABASE_POOL_MAX_OVERFLOW must be at most ${MAX_POOL_CONNECTIONS} connections, got ${database.poolSize} + ${database.poolMaxOverflow}`,
      );
    }
  } else {
    for (const name of [
      'DATABASE_PORT',
      'DATABASE_NAME',
      'DATABASE_USERNAME',
      'DATABASE_POOL_SIZE',
      'DATABASE_POOL_MAX_OVERFLOW',
    ]) {
      if (get(name) !== undefined)
        problems.push(`${name} is set but DATABASE_HOST is not; set DATABASE_HOST or remove ${name}`);
    }
  }

  let cache: CacheConfig | undefined;
  const cacheHost = get('CACHE_HOST');
  if (cacheHost !== undefined) {
    cache = {
      host: cacheHost,
      port: int('CACHE_PORT', DEFAULTS.cachePort, 1, 65535),
      tls: bool('CACHE_TLS', true),
      authToken: env.CACHE_AUTH_TOKEN === undefined || env.CACHE_AUTH_TOKEN === '' ? undefined : env.CACHE_AUTH_TOKEN,
    };
  } else if (get('CACHE_PORT') !== undefined) {
    problems.push('CACHE_PORT is set but CACHE_HOST is not; set CACHE_HOST or remove CACHE_PORT');
  }

  const resourceUrl = url('RESOURCE_URL', ['https:', 'http:']);
  if (resourceUrl !== undefined) {
    const u = new URL(resourceUrl);
    if (u.search !== '' || u.hash !== '' || (u.pathname !== '/' && u.pathname !== '')) {
      problems.push(
        `RESOURCE_URL must be a base URL without path, query or fragment (e.g. https://mcp.example.com), got ${JSON.stringify(resourceUrl)}`,
      );
    }
  }
  const canonicalResourceUrl = resourceUrl === undefined ? undefined : canonicalBaseUrl(resourceUrl);

  let auth: AuthConfig | undefined;
  const authVars = ['AUTH_ISSUER', 'AUTH_JWKS_URL'];
  const authSet = authVars.filter((n) => get(n) !== undefined);
  if (authSet.length === authVars.length) {
    let jwksUrl = url('AUTH_JWKS_URL', ['https:', 'http:']);
    // The keys decide which tokens are genuine: over plain HTTP anyone on the path could swap them.
    if (jwksUrl !== undefined && new URL(jwksUrl).protocol === 'http:' && !isLoopback(new URL(jwksUrl).hostname)) {
      problems.push(
        `AUTH_JWKS_URL must use https: (http: only for a loopback host such as 127.0.0.1), got ${JSON.stringify(jwksUrl)}`,
      );
      jwksUrl = undefined;
    }
    const requiredScopes = scopeList(get('AUTH_REQUIRED_SCOPES'));
    const adminScope = get('AUTH_ADMIN_SCOPE') ?? DEFAULTS.adminScope;
    for (const [name, scopes] of [
      ['AUTH_REQUIRED_SCOPES', requiredScopes],
      ['AUTH_ADMIN_SCOPE', [adminScope]],
    ] as const) {
      const bad = scopes.filter((scope) => !SCOPE_TOKEN.test(scope));
      if (bad.length > 0 || (name === 'AUTH_ADMIN_SCOPE' && /[\s,]/.test(adminScope))) {
        problems.push(
          `${name} must be ${name === 'AUTH_ADMIN_SCOPE' ? 'one OAuth scope' : 'OAuth scopes separated by spaces or commas'} (printable ASCII without spaces, " or \\), got ${JSON.stringify(get(name))}`,
        );
      }
    }
    const audience =
      get('AUTH_AUDIENCE') ?? (canonicalResourceUrl === undefined ? '' : `${canonicalResourceUrl}${mcpPath}`);
    auth = { issuer: get('AUTH_ISSUER')!, audience, jwksUrl: jwksUrl ?? '', requiredScopes, adminScope };
  } else if (authSet.length > 0) {
    problems.push(`bearer-token auth needs both ${authVars.join(' and ')}; only ${authSet.join(', ')} set`);
  }
  if (!auth) {
    for (const name of ['AUTH_AUDIENCE', 'AUTH_REQUIRED_SCOPES', 'AUTH_ADMIN_SCOPE']) {
      if (get(name) !== undefined)
        problems.push(
          `${name} is set but bearer-token auth is off; set AUTH_ISSUER and AUTH_JWKS_URL or remove ${name}`,
        );
    }
  }
  if (auth && resourceUrl === undefined) {
    problems.push(
      'RESOURCE_URL is required when bearer-token auth is on (it is the resource in the RFC 9728 metadata and the expected token audience)',
    );
  }

  const rateLimitPerMinute = int('RATE_LIMIT_PER_MINUTE', DEFAULTS.rateLimitPerMinute, 0, 1_000_000);

  const levelRaw = (get('LOG_LEVEL') ?? DEFAULTS.logLevel).toUpperCase();
  let logLevel: LogLevel = DEFAULTS.logLevel;
  if ((LOG_LEVELS as readonly string[]).includes(levelRaw)) logLevel = levelRaw as LogLevel;
  else problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(get('LOG_LEVEL'))}`);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    mcpPath,
    serviceName,
    allowedOrigins,
    maxBodyBytes,
    keepAliveIntervalMs,
    shutdownGraceMs,
    database,
    cache,
    auth,
    rateLimitPerMinute,
    resourceUrl: canonicalResourceUrl,
    logLevel,
  };
}

/** Largest pool (size + overflow) a task may open: a sanity bound, far above what one task should use. */
export const MAX_POOL_CONNECTIONS = 1000;

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Scopes from a space- or comma-separated list. */
function scopeList(raw: string | undefined): string[] {
  return (raw ?? '').split(/[\s,]+/).filter((s) => s !== '');
}

/**
 * The canonical form of a base URL (RFC 8707 / the MCP authorization spec's canonical server URI):
 * lower-case scheme and host (the URL parser does that), default port dropped, no trailing slash.
 */
function canonicalBaseUrl(raw: string): string {
  return new URL(raw).origin;
}

/** True for 127.0.0.0/8, ::1 and localhost (a JWKS endpoint on the same host, as in tests). */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** The public URL of the MCP endpoint (the RFC 9728 `resource`), e.g. `https://mcp.example.com/mcp`. */
export function resourceIdentifier(config: Pick<ServerConfig, 'resourceUrl' | 'mcpPath'>): string | undefined {
  return config.resourceUrl === undefined ? undefined : `${config.resourceUrl}${config.mcpPath}`;
}

/**
 * The protected-resource metadata URL for the MCP endpoint: RFC 9728 §3.1 inserts
 * `/.well-known/oauth-protected-resource` between the host and the path of the resource.
 */
export function resourceMetadataUrl(config: Pick<ServerConfig, 'resourceUrl' | 'mcpPath'>): string | undefined {
  return config.resourceUrl === undefined
    ? undefined
    : `${config.resourceUrl}/.well-known/oauth-protected-resource${config.mcpPath}`;
}
