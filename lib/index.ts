// Public API of mcp-ops-cdk, by concern.

// Capacity model: the CapacityModel class (static methods) and its types
export * from './capacity';

// The MCP service
export * from './service/mcp-service';
export * from './service/deployment';
export * from './service/streaming';
export * from './service/vpc-endpoints';

// Exposure, authorization (Cognito or your issuer), web ACL
export * from './security';

// Golden-signal monitoring, alert topic, synthetic probe
export * from './monitoring';

// Log pipeline and audit trail
export * from './logging/mcp-logging';
export * from './logging/log-contract';
export * from './logging/filter-pattern';
export * from './logging/insights';
export * from './logging/records';
export * from './logging/config';

// Data tier and backups
export * from './data/data-tier';
export * from './backup/backup';
export * from './backup/manifest';
export * from './backup/selection';
export * from './backup/settings';
export * from './backup/handler-config';

// Disaster recovery
export * from './dr/disaster-recovery';
export * from './dr/recovery-plan';
export * from './dr/rto-model';
export * from './dr/operator-policy';
export { DR_OPERATOR_ACTIONS } from './dr/operator-actions';
export * from './dr/ready-check';

// CI: the GitHub OIDC identity that deploys
export * from './ci';

// The default app's stack and its configuration
export * from './app/config';
export * from './app/stack';
