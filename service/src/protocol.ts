/**
 * What an MCP request is about, read from its headers and JSON-RPC body without the SDK: method,
 * tool or resource, protocol revision, client name. Pure functions: the HTTP layer uses them for
 * logs, audit entries and metrics, and maps free-form values to a bounded set of metric labels so
 * a client can never create new CloudWatch metrics by sending new names.
 */

/** The 2026-07-28 revision: stateless, per-request `_meta`, `server/discover`, `Mcp-Method`/`Mcp-Name` headers. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/**
 * Legacy revisions (the `initialize` handshake) the server answers through the SDK's stateless
 * legacy path, newest first: the SDK's `SUPPORTED_PROTOCOL_VERSIONS`.
 */
export const LEGACY_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'] as const;

/** Every revision served, newest first. */
export const PROTOCOL_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION, ...LEGACY_PROTOCOL_VERSIONS];

/** `_meta` keys of the 2026-07-28 envelope. */
export const META_KEYS = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
} as const;

/** JSON-RPC methods of the MCP revisions served; any other method is labelled `other` in metrics. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'server/discover',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'subscriptions/listen',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
]);

/** Metric label of a request that carried no readable JSON-RPC method (refused before, or not JSON-RPC). */
export const NO_VALUE = 'none';
/** Metric label of a value outside the known set. */
export const OTHER = 'other';

/** What one MCP POST is about. */
export interface RequestDescription {
  /** JSON-RPC method (`batch` for a JSON array), at most 200 characters. */
  readonly method?: string;
  /** JSON-RPC id of a request (absent for notifications). */
  readonly id?: string | number;
  /** `params.name` of a `tools/call`, at most 128 characters. */
  readonly tool?: string;
  /** `params.uri` of a `resources/read`, at most 512 characters. */
  readonly resourceUri?: string;
  /** `clientInfo.name` (the 2026-07-28 `_meta` envelope, or `initialize`), at most 128 characters. */
  readonly clientName?: string;
  /** Protocol revision the request claims, see {@link requestProtocolVersion}. */
  readonly protocolVersion?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const REVISION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The protocol revision a request speaks: the `MCP-Protocol-Version` header, else the
 * `io.modelcontextprotocol/protocolVersion` of its `_meta`, else the version an `initialize` asks
 * for. A value that is not a revision date reads as `invalid`; none at all as undefined.
 */
export function requestProtocolVersion(header: string | undefined, body: unknown): string | undefined {
  const fromBody = (): unknown => {
    if (!isObject(body)) return undefined;
    const params = isObject(body.params) ? body.params : {};
    const meta = isObject(params._meta) ? params._meta : {};
    if (meta[META_KEYS.protocolVersion] !== undefined) return meta[META_KEYS.protocolVersion];
    return body.method === 'initialize' ? params.protocolVersion : undefined;
  };
  const value = header !== undefined && header !== '' ? header : fromBody();
  if (value === undefined) return undefined;
  return typeof value === 'string' && REVISION.test(value) ? value : 'invalid';
}

/** Reads method, id, tool, resource and client name from a parsed JSON-RPC body. */
export function describeRequest(body: unknown, protocolHeader?: string): RequestDescription {
  if (Array.isArray(body)) {
    const tools = body
      .filter((m): m is Json => isObject(m) && m.method === 'tools/call' && isObject(m.params))
      .map((m) => String((m.params as Json).name).slice(0, 128));
    return { method: 'batch', tool: tools.length > 0 ? [...new Set(tools)].join(',') : undefined };
  }
  if (!isObject(body)) return {};
  const params = isObject(body.params) ? body.params : {};
  const meta = isObject(params._meta) ? params._meta : {};
  const method = typeof body.method === 'string' ? body.method.slice(0, 200) : undefined;
  const info = isObject(meta[META_KEYS.clientInfo])
    ? meta[META_KEYS.clientInfo]
    : method === 'initialize' && isObject(params.clientInfo)
      ? params.clientInfo
      : undefined;
  const clientName = isObject(info) && typeof info.name === 'string' ? info.name.slice(0, 128) : undefined;
  return {
    method,
    id: typeof body.id === 'string' || typeof body.id === 'number' ? body.id : undefined,
    tool:
      method === 'tools/call' ? (typeof params.name === 'string' ? params.name.slice(0, 128) : '(missing)') : undefined,
    resourceUri: method === 'resources/read' && typeof params.uri === 'string' ? params.uri.slice(0, 512) : undefined,
    clientName,
    protocolVersion: requestProtocolVersion(protocolHeader, body),
  };
}

/** Bounded metric label of a JSON-RPC method. */
export function methodLabel(method: string | undefined): string {
  if (method === undefined) return NO_VALUE;
  return KNOWN_METHODS.has(method) || method === 'batch' ? method : OTHER;
}

/** Bounded metric label of a protocol revision. */
export function protocolVersionLabel(version: string | undefined): string {
  if (version === undefined) return NO_VALUE;
  return PROTOCOL_VERSIONS.includes(version) ? version : OTHER;
}

/** Bounded metric label of a name from a known set (tools, resources). */
export function nameLabel(name: string | undefined, known: ReadonlySet<string>): string {
  if (name === undefined) return NO_VALUE;
  return known.has(name) ? name : OTHER;
}
