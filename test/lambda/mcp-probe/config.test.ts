import { ProbeConfigError, probeConfigFromEnv } from '../../../lambda/mcp-probe';

const base = { MCP_ENDPOINT_URL: 'https://mcp.example.com/mcp', SERVICE_NAME: 'orders-mcp' };
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:mcp/probe-client-AbCdEf';
const auth = {
  PROBE_TOKEN_URL: 'https://auth.example.com/oauth2/token',
  PROBE_CLIENT_ID: 'probe-client',
  PROBE_CLIENT_SECRET_ARN: SECRET_ARN,
};

describe('probe configuration', () => {
  test('defaults: no tool, no auth', () => {
    expect(probeConfigFromEnv(base)).toEqual({
      endpointUrl: 'https://mcp.example.com/mcp',
      serviceName: 'orders-mcp',
      timeoutMs: 10000,
      namespace: 'McpOps',
      tool: undefined,
    });
  });

  test('tool with arguments', () => {
    expect(
      probeConfigFromEnv({
        ...base,
        PROBE_TOOL_NAME: 'status',
        PROBE_TOOL_ARGUMENTS: '{"a":1}',
        PROBE_TIMEOUT_MS: '2500',
      }),
    ).toMatchObject({ timeoutMs: 2500, tool: { name: 'status', arguments: { a: 1 } } });
    expect(probeConfigFromEnv({ ...base, PROBE_TOOL_NAME: 'status' }).tool).toEqual({ name: 'status', arguments: {} });
  });

  test('OAuth client credentials: scopes split and de-duplicated, resource kept as given', () => {
    expect(
      probeConfigFromEnv({
        ...base,
        ...auth,
        PROBE_SCOPES: ' mcp/read  mcp/admin mcp/read ',
        PROBE_RESOURCE: 'https://mcp.example.com/mcp',
      }).auth,
    ).toEqual({
      tokenUrl: 'https://auth.example.com/oauth2/token',
      clientId: 'probe-client',
      clientSecretArn: SECRET_ARN,
      scopes: ['mcp/read', 'mcp/admin'],
      resource: 'https://mcp.example.com/mcp',
    });
    expect(probeConfigFromEnv({ ...base, ...auth }).auth).toMatchObject({ scopes: [] });
    expect(
      probeConfigFromEnv({ ...base, ...auth, PROBE_TOKEN_URL: 'http://127.0.0.1:9000/token' }).auth?.tokenUrl,
    ).toBe('http://127.0.0.1:9000/token');
    expect(
      probeConfigFromEnv({
        ...base,
        ...auth,
        PROBE_CLIENT_SECRET_ARN: 'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-AbCdEf',
      }).auth?.clientSecretArn,
    ).toContain('aws-us-gov');
  });

  test.each([
    [{ MCP_ENDPOINT_URL: undefined }, 'MCP_ENDPOINT_URL must be set to the public MCP endpoint URL, got nothing'],
    [
      { MCP_ENDPOINT_URL: 'not a url' },
      'MCP_ENDPOINT_URL must be an absolute http:// or https:// URL, got "not a url"',
    ],
    [{ MCP_ENDPOINT_URL: 'https://u:p@host/mcp' }, 'MCP_ENDPOINT_URL must not carry credentials'],
    [{ SERVICE_NAME: '' }, 'SERVICE_NAME must be the service metric dimension (1–255 characters), got ""'],
    [
      { PROBE_TIMEOUT_MS: '50' },
      'PROBE_TIMEOUT_MS must be an integer number of milliseconds from 100 to 60000, got "50"',
    ],
    [{ PROBE_TIMEOUT_MS: '1.5e3' }, 'PROBE_TIMEOUT_MS must be an integer'],
    [
      { PROBE_TOOL_NAME: 'status', PROBE_TOOL_ARGUMENTS: '[1]' },
      'PROBE_TOOL_ARGUMENTS must be a JSON object, got "[1]"',
    ],
    [
      { PROBE_TOOL_NAME: 'status', PROBE_TOOL_ARGUMENTS: '{bad' },
      'PROBE_TOOL_ARGUMENTS must be a JSON object, got "{bad"',
    ],
    [{ PROBE_TOOL_ARGUMENTS: '{}' }, 'PROBE_TOOL_ARGUMENTS is only allowed together with PROBE_TOOL_NAME'],
    [{ METRICS_NAMESPACE: 'AWS/ApplicationELB' }, 'METRICS_NAMESPACE must be a custom namespace'],
    [
      { PROBE_TOKEN_URL: 'https://auth.example.com/token' },
      'PROBE_CLIENT_ID, PROBE_CLIENT_SECRET_ARN must be set for OAuth client credentials (given: PROBE_TOKEN_URL)',
    ],
    [
      { PROBE_SCOPES: 'mcp/read' },
      'PROBE_TOKEN_URL, PROBE_CLIENT_ID, PROBE_CLIENT_SECRET_ARN must be set for OAuth client credentials (given: PROBE_SCOPES)',
    ],
    [
      { ...auth, PROBE_TOKEN_URL: 'http://auth.example.com/token' },
      'PROBE_TOKEN_URL must use https:// (http:// only for a loopback host such as 127.0.0.1), got "http://auth.example.com/token"',
    ],
    [{ ...auth, PROBE_TOKEN_URL: 'auth.example.com/token' }, 'PROBE_TOKEN_URL must be an absolute https:// URL'],
    [
      { ...auth, PROBE_TOKEN_URL: 'https://id:pw@auth.example.com/token' },
      'PROBE_TOKEN_URL must not carry credentials',
    ],
    [{ ...auth, PROBE_TOKEN_URL: 'https://auth.example.com/token#x' }, 'PROBE_TOKEN_URL must not have a #fragment'],
    [{ ...auth, PROBE_CLIENT_ID: 'bad\u0001id' }, 'PROBE_CLIENT_ID must be 1–256 printable ASCII characters'],
    [
      { ...auth, PROBE_CLIENT_SECRET_ARN: 'mcp/probe-client' },
      'PROBE_CLIENT_SECRET_ARN must be the full ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got "mcp/probe-client"',
    ],
    [
      { ...auth, PROBE_CLIENT_SECRET_ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/x' },
      'PROBE_CLIENT_SECRET_ARN must be the full ARN of a Secrets Manager secret',
    ],
    [
      { ...auth, PROBE_SCOPES: 'mcp/read "admin"' },
      'PROBE_SCOPES must be space-separated OAuth scopes without quotes or backslashes ("\\"admin\\"")',
    ],
    [
      { ...auth, PROBE_RESOURCE: '/mcp' },
      'PROBE_RESOURCE must be an absolute http:// or https:// URI (RFC 8707 resource indicator), got "/mcp"',
    ],
    [{ ...auth, PROBE_RESOURCE: 'urn:x:y' }, 'PROBE_RESOURCE must be an absolute http:// or https:// URI'],
    [
      { ...auth, PROBE_RESOURCE: 'https://mcp.example.com/mcp#frag' },
      'PROBE_RESOURCE must not have a #fragment (RFC 8707 §2)',
    ],
  ])('rejects %j', (override, message) => {
    const env = { ...base, ...override };
    expect(() => probeConfigFromEnv(env)).toThrow(ProbeConfigError);
    expect(() => probeConfigFromEnv(env)).toThrow(message);
  });

  test('a rejected secret ARN or token URL never echoes credentials', () => {
    expect(() =>
      probeConfigFromEnv({ ...base, ...auth, PROBE_TOKEN_URL: 'https://id:topsecret@auth.example.com/token' }),
    ).toThrow(/got "<redacted>"$/);
  });
});
