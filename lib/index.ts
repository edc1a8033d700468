// Public API of mcp-ops-cdk. Each concern adds its own export lines.
export * from './capacity/types';
export * from './backup/manifest';
export * from './capacity';
export * from './logging/mcp-logging';
export * from './logging/log-contract';
export * from './logging/filter-pattern';
export * from './logging/insights';
export * from './logging/records';
export * from './logging/config';
export * from './monitoring';
export * from './data/data-tier';
export * from './backup/backup';
export * from './backup/selection';
export * from './backup/settings';
export * from './backup/handler-config';
