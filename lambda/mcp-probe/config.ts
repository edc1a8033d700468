/**
 * Configuration of the synthetic MCP probe, read from the Lambda environment and validated.
 * Pure: no AWS SDK, no network.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `MCP_ENDPOINT_URL` | public MCP endpoint (http or https URL, e.g. `https://mcp.example.com/mcp`) | required |
 * | `SERVICE_NAME` | value of the `service` metric dimension | required |
 * | `PROBE_TIMEOUT_MS` | budget for the whole probe (initialize + tools/list + tool call), 100–60000 | `10000` |
 * | `PROBE_TOOL_NAME` | a read-only tool to call after `tools/list` | none |
 * | `PROBE_TOOL_ARGUMENTS` | JSON object of arguments for that tool | `{}` |
 * | `METRICS_NAMESPACE` | CloudWatch namespace | `McpOps` |
 */

/** The probe's validated configuration. */
export interface ProbeConfig {
  readonly endpointUrl: string;
  readonly serviceName: string;
  readonly timeoutMs: number;
  readonly namespace: string;
  readonly tool?: { readonly name: string; readonly arguments: Record<string, unknown> };
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
export const DEFAULT_METRICS_NAMESPACE = 'McpOps';

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

  return { endpointUrl: url.toString(), serviceName, timeoutMs, namespace, tool };
}
