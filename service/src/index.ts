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
export { loadConfig, ConfigError, DEFAULTS, LOG_LEVELS, resourceIdentifier, resourceMetadataUrl } from './config';
export type { ServerConfig, DatabaseConfig, CacheConfig, AuthConfig, LogLevel } from './config';
export { createServer, clientIp } from './server';
export type { McpHttpServer, ServerOptions, ListeningAddress, ReadinessReport, ShutdownReport } from './server';
export { Logger, stdoutSink } from './logger';
export type { LogSink, ErrorType, AppFields, AuditEntry } from './logger';
export { METRICS, METRIC_NAMESPACE, requestMetricDocuments, activeConnectionsDocument } from './metrics';
export { TokenVerifier, TokenError, protectedResourceMetadata, wwwAuthenticate, ACCEPTED_ALGORITHMS } from './auth';
export { createMcpServer, ToolFailure, MAX_WAIT_MS } from './tools';
export type { ToolContext, ToolOutcome } from './tools';
export type { CheckResult } from './dependencies';
