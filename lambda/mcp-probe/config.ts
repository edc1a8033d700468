/**
 * Configuration of the synthetic MCP probe, read from the Lambda environment and validated.
 * Pure: no AWS SDK, no network.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `MCP_ENDPOINT_URL` | public MCP endpoint (http or https URL, e.g. `https://mcp.example.com/mcp`) | required |
 * | `SERVICE_NAME` | value of the `service` metric dimension | required |
 * | `PROBE_TIMEOUT_MS` | budget for the whole probe (token, connect, tools/list, tool call; the session's DELETE gets 2 s more), 100–60000 | `10000` |
 * | `PROBE_TOOL_NAME` | a read-only tool to call after `tools/list` | none |
 * | `PROBE_TOOL_ARGUMENTS` | JSON object of arguments for that tool | `{}` |
 * | `METRICS_NAMESPACE` | CloudWatch namespace | `McpOps` |
 * | `PROBE_TOKEN_URL` | OAuth 2.0 token endpoint for the client credentials grant: https (http only on a loopback host, for tests) | none: no auth |
 * | `PROBE_CLIENT_ID` | OAuth client id of the probe's machine-to-machine client | required with `PROBE_TOKEN_URL` |
 * | `PROBE_CLIENT_SECRET_ARN` | ARN of the Secrets Manager secret holding the client secret: its SecretString is the secret itself, or a JSON object with a `client_secret` field. Read once per cold start | required with `PROBE_TOKEN_URL` |
 * | `PROBE_SCOPES` | space-separated scopes to request | none: the authorization server's default scopes |
 * | `PROBE_RESOURCE` | RFC 8707 resource indicator sent on the token request (the token's audience), an absolute http(s) URI without fragment | none |
 *
 * Auth is on when any `PROBE_TOKEN_URL`, `PROBE_CLIENT_ID`, `PROBE_CLIENT_SECRET_ARN`, `PROBE_SCOPES` or
 * `PROBE_RESOURCE` is set; then the first three are all required. The token is reused across warm invocations
 * until 60 s before it expires (oauth.ts, TOKEN_EXPIRY_MARGIN_MS).
 */
import { MCP_OPS_NAMESPACE } from '../../lib/internal/metrics';

/** The probe's validated configuration. */
export interface ProbeConfig {
  readonly endpointUrl: string;
  readonly serviceName: string;
  readonly timeoutMs: number;
  readonly namespace: string;
  readonly tool?: { readonly name: string; readonly arguments: Record<string, unknown> };
  /** OAuth client credentials; absent = the probe sends no token. */
  readonly auth?: ProbeAuthConfig;
}

/** The probe's OAuth client credentials configuration (the secret itself is read at run time). */
export interface ProbeAuthConfig {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecretArn: string;
  readonly scopes: readonly string[];
  readonly resource?: string;
}

/** Invalid probe configuration; the message names the variable, the value and what is allowed. */
export class ProbeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeConfigError';
  }
}

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;
export const MIN_PROBE_TIMEOUT_MS = 100;
export const MAX_PROBE_TIMEOUT_MS = 60_000;
export const DEFAULT_METRICS_NAMESPACE = MCP_OPS_NAMESPACE;

/** Host names that are the local machine (http is allowed for them, for tests and local servers). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function bad(variable: string, rule: string, got: string | undefined): never {
  const shown = got === undefined ? 'nothing' : JSON.stringify(got.length > 200 ? `${got.slice(0, 200)}…` : got);
  throw new ProbeConfigError(`mcp-probe: ${variable} ${rule}, got ${shown}`);
}

/** Reads and validates the probe configuration from environment variables. */
export function probeConfigFromEnv(env: Readonly<Record<string, string | undefined>>): ProbeConfig {
  const rawUrl = env.MCP_ENDPOINT_URL?.trim();
  if (!rawUrl) bad('MCP_ENDPOINT_URL', 'must be set to the public MCP endpoint URL', env.MCP_ENDPOINT_URL);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    bad('MCP_ENDPOINT_URL', 'must be an absolute http:// or https:// URL', rawUrl);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    bad('MCP_ENDPOINT_URL', 'must use http:// or https://', rawUrl);
  if (url.username || url.password) bad('MCP_ENDPOINT_URL', 'must not carry credentials', '<redacted>');

  const serviceName = env.SERVICE_NAME?.trim();
  if (!serviceName || serviceName.length > 255)
    bad('SERVICE_NAME', 'must be the service metric dimension (1–255 characters)', env.SERVICE_NAME);

  let timeoutMs = DEFAULT_PROBE_TIMEOUT_MS;
  const rawTimeout = env.PROBE_TIMEOUT_MS?.trim();
  if (rawTimeout) {
    timeoutMs = Number(rawTimeout);
    if (!/^\d+$/.test(rawTimeout) || timeoutMs < MIN_PROBE_TIMEOUT_MS || timeoutMs > MAX_PROBE_TIMEOUT_MS) {
      bad(
        'PROBE_TIMEOUT_MS',
        `must be an integer number of milliseconds from ${MIN_PROBE_TIMEOUT_MS} to ${MAX_PROBE_TIMEOUT_MS}`,
        rawTimeout,
      );
    }
  }

  const namespace = env.METRICS_NAMESPACE?.trim() || DEFAULT_METRICS_NAMESPACE;
  if (namespace.length > 255 || namespace.startsWith('AWS/'))
    bad('METRICS_NAMESPACE', 'must be a custom namespace (not AWS/…) of at most 255 characters', namespace);

  const toolName = env.PROBE_TOOL_NAME?.trim();
  const rawArgs = env.PROBE_TOOL_ARGUMENTS?.trim();
  let tool: ProbeConfig['tool'];
  if (toolName) {
    let args: unknown = {};
    if (rawArgs) {
      try {
        args = JSON.parse(rawArgs);
      } catch {
        bad('PROBE_TOOL_ARGUMENTS', 'must be a JSON object', rawArgs);
      }
      if (args === null || typeof args !== 'object' || Array.isArray(args))
        bad('PROBE_TOOL_ARGUMENTS', 'must be a JSON object', rawArgs);
    }
    tool = { name: toolName, arguments: args as Record<string, unknown> };
  } else if (rawArgs) {
    bad('PROBE_TOOL_ARGUMENTS', 'is only allowed together with PROBE_TOOL_NAME', rawArgs);
  }

  const auth = authConfigFromEnv(env);
  return { endpointUrl: url.toString(), serviceName, timeoutMs, namespace, tool, ...(auth ? { auth } : {}) };
}

const AUTH_VARIABLES = [
  'PROBE_TOKEN_URL',
  'PROBE_CLIENT_ID',
  'PROBE_CLIENT_SECRET_ARN',
  'PROBE_SCOPES',
  'PROBE_RESOURCE',
] as const;
// https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html (secret ARN format)
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;
// RFC 6749 appendix A: client_id is VSCHAR (%x20-7E); scope-token is %x21 / %x23-5B / %x5D-7E.
const CLIENT_ID = /^[\x20-\x7e]{1,256}$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function authConfigFromEnv(env: Readonly<Record<string, string | undefined>>): ProbeAuthConfig | undefined {
  const value = (name: (typeof AUTH_VARIABLES)[number]) => env[name]?.trim() || undefined;
  if (!AUTH_VARIABLES.some((name) => value(name) !== undefined)) return undefined;
  const missing = AUTH_VARIABLES.slice(0, 3).filter((name) => value(name) === undefined);
  if (missing.length) {
    const given = AUTH_VARIABLES.filter((name) => value(name) !== undefined);
    throw new ProbeConfigError(
      `mcp-probe: ${missing.join(', ')} must be set for OAuth client credentials (given: ${given.join(', ')}); ` +
        'set PROBE_TOKEN_URL, PROBE_CLIENT_ID and PROBE_CLIENT_SECRET_ARN together, or none of the PROBE_* auth variables',
    );
  }
  const rawTokenUrl = value('PROBE_TOKEN_URL')!;
  let tokenUrl: URL;
  try {
    tokenUrl = new URL(rawTokenUrl);
  } catch {
    bad('PROBE_TOKEN_URL', 'must be an absolute https:// URL of the token endpoint', rawTokenUrl);
  }
  if (tokenUrl.protocol !== 'https:' && !(tokenUrl.protocol === 'http:' && isLoopbackHost(tokenUrl.hostname)))
    bad('PROBE_TOKEN_URL', 'must use https:// (http:// only for a loopback host such as 127.0.0.1)', rawTokenUrl);
  if (tokenUrl.username || tokenUrl.password) bad('PROBE_TOKEN_URL', 'must not carry credentials', '<redacted>');
  if (tokenUrl.hash) bad('PROBE_TOKEN_URL', 'must not have a #fragment', rawTokenUrl);

  const clientId = value('PROBE_CLIENT_ID')!;
  if (!CLIENT_ID.test(clientId))
    bad('PROBE_CLIENT_ID', 'must be 1–256 printable ASCII characters (RFC 6749 client_id)', clientId);

  const clientSecretArn = value('PROBE_CLIENT_SECRET_ARN')!;
  if (!SECRET_ARN.test(clientSecretArn))
    bad(
      'PROBE_CLIENT_SECRET_ARN',
      'must be the full ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
      clientSecretArn,
    );

  const rawScopes = value('PROBE_SCOPES');
  const scopes = rawScopes ? rawScopes.split(/\s+/) : [];
  const badScope = scopes.find((s) => !SCOPE_TOKEN.test(s));
  if (badScope !== undefined)
    bad(
      'PROBE_SCOPES',
      `must be space-separated OAuth scopes without quotes or backslashes (${JSON.stringify(badScope)})`,
      rawScopes,
    );

  const rawResource = value('PROBE_RESOURCE');
  let resource: string | undefined;
  if (rawResource) {
    let parsed: URL;
    try {
      parsed = new URL(rawResource);
    } catch {
      bad('PROBE_RESOURCE', 'must be an absolute http:// or https:// URI (RFC 8707 resource indicator)', rawResource);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      bad('PROBE_RESOURCE', 'must be an absolute http:// or https:// URI (RFC 8707 resource indicator)', rawResource);
    if (parsed.hash || rawResource.includes('#'))
      bad('PROBE_RESOURCE', 'must not have a #fragment (RFC 8707 §2)', rawResource);
    resource = rawResource;
  }
  return {
    tokenUrl: tokenUrl.toString(),
    clientId,
    clientSecretArn,
    scopes: [...new Set(scopes)],
    ...(resource ? { resource } : {}),
  };
}
