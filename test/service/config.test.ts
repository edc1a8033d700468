import { ConfigError, loadConfig, resourceIdentifier, resourceMetadataUrl } from '../../service/src';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('an empty environment gives the contract defaults: no database, cache or auth', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      mcpPath: '/mcp',
      serviceName: 'mcp-server',
      allowedOrigins: [],
      maxBodyBytes: 1_048_576,
      keepAliveIntervalMs: 15_000,
      shutdownGraceMs: 20_000,
      database: undefined,
      cache: undefined,
      auth: undefined,
      rateLimitPerMinute: 600,
      resourceUrl: undefined,
      logLevel: 'INFO',
    });
  });

  test('reads every variable of the contract', () => {
    const config = loadConfig({
      PORT: '9000',
      MCP_PATH: '/v1/mcp',
      SERVICE_NAME: 'orders-mcp',
      ALLOWED_ORIGINS: 'https://a.example.com, http://localhost:3000',
      MAX_BODY_BYTES: '65536',
      KEEPALIVE_INTERVAL_MS: '10000',
      SHUTDOWN_GRACE_MS: '25000',
      DATABASE_HOST: 'db.internal',
      DATABASE_PORT: '5433',
      DATABASE_NAME: 'orders',
      DATABASE_USERNAME: 'app',
      DATABASE_PASSWORD: 's3cret',
      CACHE_HOST: 'cache.internal',
      CACHE_PORT: '6380',
      CACHE_AUTH_TOKEN: 'tok',
      DATABASE_POOL_SIZE: '8',
      DATABASE_POOL_MAX_OVERFLOW: '4',
      AUTH_ISSUER: 'https://login.example.com/',
      AUTH_AUDIENCE: 'https://mcp.example.com/v1/mcp',
      AUTH_JWKS_URL: 'https://login.example.com/jwks',
      AUTH_REQUIRED_SCOPES: 'mcp:tools, mcp:read',
      AUTH_ADMIN_SCOPE: 'https://mcp.example.com/admin',
      RATE_LIMIT_PER_MINUTE: '120',
      RESOURCE_URL: 'https://mcp.example.com/',
      LOG_LEVEL: 'debug',
    });
    expect(config).toEqual({
      port: 9000,
      mcpPath: '/v1/mcp',
      serviceName: 'orders-mcp',
      allowedOrigins: ['https://a.example.com', 'http://localhost:3000'],
      maxBodyBytes: 65536,
      keepAliveIntervalMs: 10000,
      shutdownGraceMs: 25000,
      database: {
        host: 'db.internal',
        port: 5433,
        name: 'orders',
        username: 'app',
        password: 's3cret',
        tls: true,
        poolSize: 8,
        poolMaxOverflow: 4,
      },
      cache: { host: 'cache.internal', port: 6380, tls: true, authToken: 'tok' },
      auth: {
        issuer: 'https://login.example.com/',
        audience: 'https://mcp.example.com/v1/mcp',
        jwksUrl: 'https://login.example.com/jwks',
        requiredScopes: ['mcp:tools', 'mcp:read'],
        adminScope: 'https://mcp.example.com/admin',
      },
      rateLimitPerMinute: 120,
      resourceUrl: 'https://mcp.example.com',
      logLevel: 'DEBUG',
    });
    expect(resourceIdentifier(config)).toBe('https://mcp.example.com/v1/mcp');
    expect(resourceMetadataUrl(config)).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/v1/mcp');
  });

  test('TLS to the database and the cache can be turned off (local development, tests)', () => {
    const config = loadConfig({
      DATABASE_HOST: 'h',
      DATABASE_USERNAME: 'u',
      DATABASE_TLS: 'false',
      CACHE_HOST: 'c',
      CACHE_TLS: 'false',
    });
    expect(config.database).toMatchObject({
      port: 5432,
      name: 'postgres',
      tls: false,
      poolSize: 20,
      poolMaxOverflow: 10,
    });
    expect(config.cache).toMatchObject({ port: 6379, tls: false });
  });

  test('lists every problem at once, naming the variable, the value and what is allowed', () => {
    expect(
      problems({ PORT: 'eighty', MAX_BODY_BYTES: '10', LOG_LEVEL: 'verbose', CACHE_TLS: 'maybe', CACHE_HOST: 'c' }),
    ).toEqual([
      'PORT must be an integer from 0 to 65535, got "eighty"',
      'MAX_BODY_BYTES must be an integer from 1024 to 104857600, got "10"',
      'CACHE_TLS must be true or false, got "maybe"',
      'LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, got "verbose"',
    ]);
  });

  test('keep-alive must stay inside the load balancer idle timeout', () => {
    expect(problems({ KEEPALIVE_INTERVAL_MS: '120000' })).toEqual([
      'KEEPALIVE_INTERVAL_MS must be an integer from 10 to 110000, got "120000"',
    ]);
  });

  test.each([
    [{ AUTH_ISSUER: 'https://i/' }, /needs both AUTH_ISSUER and AUTH_JWKS_URL; only AUTH_ISSUER set/],
    [
      { AUTH_ISSUER: 'https://i/', AUTH_JWKS_URL: 'https://i/jwks' },
      /RESOURCE_URL is required when bearer-token auth is on/,
    ],
    [{ AUTH_ADMIN_SCOPE: 'admin' }, /AUTH_ADMIN_SCOPE is set but bearer-token auth is off/],
    [
      {
        AUTH_ISSUER: 'https://i/',
        AUTH_JWKS_URL: 'https://i/jwks',
        RESOURCE_URL: 'https://m',
        AUTH_ADMIN_SCOPE: 'a b',
      },
      /AUTH_ADMIN_SCOPE must be one OAuth scope/,
    ],
    [
      {
        AUTH_ISSUER: 'https://i/',
        AUTH_JWKS_URL: 'https://i/jwks',
        RESOURCE_URL: 'https://m',
        AUTH_REQUIRED_SCOPES: 'ok "quoted"',
      },
      /AUTH_REQUIRED_SCOPES must be OAuth scopes separated by spaces or commas/,
    ],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, /RATE_LIMIT_PER_MINUTE must be an integer from 0 to 1000000, got "-1"/],
    [
      { DATABASE_HOST: 'db', DATABASE_USERNAME: 'u', DATABASE_POOL_SIZE: '0' },
      /DATABASE_POOL_SIZE must be an integer from 1 to 1000, got "0"/,
    ],
    [
      { DATABASE_HOST: 'db', DATABASE_USERNAME: 'u', DATABASE_POOL_MAX_OVERFLOW: 'ten' },
      /DATABASE_POOL_MAX_OVERFLOW must be an integer from 0 to 1000, got "ten"/,
    ],
    [
      { DATABASE_HOST: 'db', DATABASE_USERNAME: 'u', DATABASE_POOL_SIZE: '900', DATABASE_POOL_MAX_OVERFLOW: '200' },
      /DATABASE_POOL_SIZE \+ DATABASE_POOL_MAX_OVERFLOW must be at most 1000 connections, got 900 \+ 200/,
    ],
    [{ DATABASE_POOL_SIZE: '5' }, /DATABASE_POOL_SIZE is set but DATABASE_HOST is not/],
    [
      { AUTH_ISSUER: 'https://i/', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: 'ftp://i/jwks', RESOURCE_URL: 'https://m' },
      /AUTH_JWKS_URL must use https: or http:/,
    ],
    [
      {
        AUTH_ISSUER: 'https://i/',
        AUTH_AUDIENCE: 'a',
        AUTH_JWKS_URL: 'http://login.example.com/jwks',
        RESOURCE_URL: 'https://m',
      },
      /AUTH_JWKS_URL must use https: \(http: only for a loopback host/,
    ],
    [{ RESOURCE_URL: 'https://m.example.com/mcp' }, /RESOURCE_URL must be a base URL without path/],
    [{ DATABASE_HOST: 'db' }, /DATABASE_USERNAME is required when DATABASE_HOST is set/],
    [{ DATABASE_PORT: '5432' }, /DATABASE_PORT is set but DATABASE_HOST is not/],
    [{ CACHE_PORT: '6379' }, /CACHE_PORT is set but CACHE_HOST is not/],
    [{ ALLOWED_ORIGINS: 'https://a.example.com/path' }, /ALLOWED_ORIGINS entries must be origins/],
    [{ ALLOWED_ORIGINS: '*' }, /ALLOWED_ORIGINS entries must be origins/],
    [{ MCP_PATH: 'mcp' }, /MCP_PATH must be a path like \/mcp/],
    [{ MCP_PATH: '/health/mcp' }, /not under \/health\//],
    [{ SERVICE_NAME: 'has space' }, /SERVICE_NAME must be/],
  ])('%j is refused', (env, message) => {
    expect(problems(env as Record<string, string>).join('\n')).toMatch(message);
  });

  test('a JWKS endpoint on a loopback host may use plain HTTP (local development, tests)', () => {
    for (const jwks of ['http://127.0.0.1:9000/jwks.json', 'http://localhost/jwks', 'http://[::1]:8443/jwks']) {
      expect(
        loadConfig({ AUTH_ISSUER: 'https://i/', AUTH_AUDIENCE: 'a', AUTH_JWKS_URL: jwks, RESOURCE_URL: 'https://m' })
          .auth?.jwksUrl,
      ).toBe(jwks);
    }
  });

  test('the expected audience defaults to the canonical URI of the endpoint (RFC 8707); no scopes are required', () => {
    const config = loadConfig({
      AUTH_ISSUER: 'https://login.example.com/',
      AUTH_JWKS_URL: 'https://login.example.com/jwks',
      RESOURCE_URL: 'HTTPS://MCP.Example.com:443/',
      MCP_PATH: '/v1/mcp',
    });
    expect(config.auth).toEqual({
      issuer: 'https://login.example.com/',
      audience: 'https://mcp.example.com/v1/mcp',
      jwksUrl: 'https://login.example.com/jwks',
      requiredScopes: [],
      adminScope: 'mcp:admin',
    });
    expect(resourceIdentifier(config)).toBe(config.auth!.audience);
  });

  test('RATE_LIMIT_PER_MINUTE=0 turns the rate limit off', () => {
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute).toBe(0);
  });

  test('empty strings count as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_HOST: ' ', AUTH_ISSUER: '' })).toMatchObject({
      port: 8080,
      database: undefined,
      auth: undefined,
    });
  });

  test('the error message never contains secret values', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_PASSWORD: 'hunter2', CACHE_AUTH_TOKEN: 'tok-123', DATABASE_PORT: 'x' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('DATABASE_PORT');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('tok-123');
  });
});
