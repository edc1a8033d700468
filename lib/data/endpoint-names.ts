/**
 * Names and values of the endpoint parameters: the SSM parameters the stack creates for the service's
 * database and cache endpoints, delivered to the container as ECS secrets, and rewritten by the
 * disaster-recovery workflow at cut-over (followed by a forced new deployment). Pure: no CDK, no SDK;
 * shared by the constructs, the restore Lambda, the `mcp-ops dr` CLI and the default app.
 */

/** The container variables that come from endpoint parameters (names from docs/operational-contract.md). */
export const ENDPOINT_VARIABLES = ['DATABASE_HOST', 'DATABASE_PORT', 'CACHE_HOST', 'CACHE_PORT'] as const;

/** One of {@link ENDPOINT_VARIABLES}. */
export type EndpointVariable = (typeof ENDPOINT_VARIABLES)[number];

/** A host and port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A restored DB instance: its identifier and endpoint. */
export interface RecoveredDatabase extends HostPort {
  readonly instanceIdentifier: string;
}

/** A restored replication group: its id and primary endpoint. */
export interface RecoveredCache extends HostPort {
  readonly replicationGroupId: string;
}

/** The restored resources a stack refers to after a recovery (its "post-recovery state"). */
export interface RecoveredEndpoints {
  /**
   * The restored DB instance, which the service uses instead of the stack's own.
   * @default the stack's own
   */
  readonly database?: RecoveredDatabase;
  /**
   * The restored replication group, which the service uses instead of the stack's own.
   * @default the stack's own
   */
  readonly cache?: RecoveredCache;
}

/**
 * Path of a service's endpoint parameters: `/mcp-ops/<stack>/<service>/endpoints`. The stack name keeps two
 * stacks (two teams, or the production and recovery stacks in one region) apart; the service name two
 * services in one stack.
 */
export function endpointParameterPath(stackName: string, serviceName: string): string {
  return `/mcp-ops/${stackName}/${serviceName}/endpoints`;
}

/** `<path>/<VARIABLE>`. */
export function endpointParameterName(path: string, variable: EndpointVariable): string {
  return `${path}/${variable}`;
}

/** SSM parameter names: letters, digits, `_.-/`, starting with `/` here (fully qualified), at most 1011 characters. */
const PARAMETER_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;

/** Why `path` is not a usable parameter path, or undefined. */
export function parameterPathProblem(path: string): string | undefined {
  if (PARAMETER_PATH.test(path) && path.length <= 900 && !/^\/(aws|ssm)(\/|$)/i.test(path)) return undefined;
  return `must be an SSM parameter path such as /mcp-ops/McpOps/mcp-server/endpoints (segments of letters, digits, _ . -; not under /aws or /ssm; at most 900 characters), got ${JSON.stringify(path)}`;
}

const HOST =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Parses `host:port` (as a recovery notification prints the restored endpoints). Throws an Error that says
 * what is wrong, with the value.
 */
export function parseHostPort(what: string, value: unknown): HostPort {
  if (typeof value !== 'string') throw new Error(`${what} must be host:port, got ${JSON.stringify(value)}`);
  const m = /^([^:\s]+):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !HOST.test(m[1]) || port < 1 || port > 65535)
    throw new Error(`${what} must be host:port (a DNS name and a port 1-65535), got ${JSON.stringify(value)}`);
  return { host: m[1], port };
}

/** RDS DB instance identifiers: 1–63 letters, digits, hyphens; a letter first; no `--`, no trailing hyphen. */
export function isDbInstanceIdentifier(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,62}$/.test(id);
}

/** ElastiCache replication group ids: 1–40 lowercase letters, digits, hyphens; a letter first; no `--`, no trailing hyphen. */
export function isReplicationGroupId(id: unknown): id is string {
  return typeof id === 'string' && /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/.test(id);
}

/**
 * The endpoint values a cut-over writes: restored host and port of the database and cache, as strings
 * (SSM String parameters). Only the variables that have a value are returned.
 */
export function endpointValues(endpoints: {
  database?: Partial<HostPort>;
  cache?: Partial<HostPort>;
}): Partial<Record<EndpointVariable, string>> {
  const out: Partial<Record<EndpointVariable, string>> = {};
  if (endpoints.database?.host) {
    out.DATABASE_HOST = endpoints.database.host;
    out.DATABASE_PORT = String(endpoints.database.port ?? 5432);
  }
  if (endpoints.cache?.host) {
    out.CACHE_HOST = endpoints.cache.host;
    out.CACHE_PORT = String(endpoints.cache.port ?? 6379);
  }
  return out;
}

/**
 * The variables the readiness task receives for the restored resources: `RESTORED_<VARIABLE>`. They do not
 * collide with the task definition's own `DATABASE_HOST`… (ECS secrets, which a RunTask override cannot
 * replace); the readiness command copies them over the plain names before it starts the server.
 */
export const RESTORED_PREFIX = 'RESTORED_';
