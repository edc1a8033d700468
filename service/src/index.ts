/**
 * Programmatic API of the reference MCP server, for tests and for teams embedding it:
 *
 * ```ts
 * const server = createServer(loadConfig(process.env), { log: (line) => lines.push(line) });
 * const { mcpUrl } = await server.listen(0, '127.0.0.1');
 * // ...
 * await server.close();
 * ```
 */
export {
  loadConfig,
  ConfigError,
  DEFAULTS,
  LOG_LEVELS,
  MAX_POOL_CONNECTIONS,
  resourceIdentifier,
  resourceMetadataUrl,
} from './config';
export type { ServerConfig, DatabaseConfig, CacheConfig, AuthConfig, LogLevel } from './config';
export { createServer, clientIp } from './server';
export type { McpHttpServer, ServerOptions, ListeningAddress, ReadinessReport, ShutdownReport } from './server';
export { Logger, stdoutSink } from './logger';
export type { LogSink, ErrorType, AppFields, AuditEntry } from './logger';
export {
  METRICS,
  METRIC_NAMESPACE,
  MAX_QUOTA_CLIENTS_PER_SAMPLE,
  requestMetricDocument,
  taskMetricDocuments,
} from './metrics';
export type { RequestSample, TaskSample } from './metrics';
export {
  TokenVerifier,
  TokenError,
  authInfo,
  missingScopes,
  protectedResourceMetadata,
  wwwAuthenticate,
  ACCEPTED_ALGORITHMS,
} from './auth';
export type { VerifiedToken } from './auth';
export {
  MODERN_PROTOCOL_VERSION,
  LEGACY_PROTOCOL_VERSIONS,
  PROTOCOL_VERSIONS,
  describeRequest,
  requestProtocolVersion,
  methodLabel,
  protocolVersionLabel,
  nameLabel,
} from './protocol';
export { RateLimiter, ActivePrincipals } from './quota';
export { USER_SESSION_WINDOW_MS } from './server';
export {
  createMcpServer,
  contractResourceText,
  ToolFailure,
  MAX_WAIT_MS,
  TOOL_NAMES,
  ADMIN_TOOLS,
  CONTRACT_RESOURCE,
  CACHE_TTL_MS,
} from './tools';
export type { ToolContext, ToolOutcome, ResourceRead } from './tools';
export type { CheckResult, DatabaseOptions, CacheOptions } from './dependencies';
export { Database, Cache } from './dependencies';
