// Public API of mcp-ops-cdk. Each concern adds its own export lines.
export * from './capacity/types';
export * from './backup/manifest';
export * from './capacity';
