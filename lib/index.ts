// Public API of mcp-ops-cdk (docs/packaging.md#the-public-api): the constructs, their props and structs, enums,
// and the CapacityModel class. Deliberately small and jsii-compatible (`npm run compile` is part of `npm test`).
// Everything else, the Lambda-side modules (manifest, selection, handler-config, recovery-plan, records,
// filter-pattern…), the pure helpers and the default app's stack and configuration, stays importable inside the
// package from its own module and is not part of the public API.

// Capacity model: the CapacityModel class (static methods), its enums and the structs of its signatures
export * from './capacity';

// The MCP service
export {
  McpService,
  type McpResolvedServiceSizing,
  type McpServiceLoggingOptions,
  type McpServiceMonitoringOptions,
  type McpServiceProps,
  type McpServiceSizing,
  type McpServiceWebAclOptions,
} from './service/mcp-service';
export { McpVpcEndpoints, type McpVpcEndpointsProps } from './service/vpc-endpoints';

// Exposure, authorization (Cognito or your issuer), web ACL
export {
  McpAuth,
  type McpAuthBindOptions,
  type McpAuthConfig,
  McpClaimFormat,
  type McpCognitoAuthProps,
  type McpIssuerAuthProps,
  type McpJwtClaim,
  type McpProbeCredentials,
} from './security/auth';
export { McpAuthMonitoring, type McpAuthMonitoringProps } from './security/auth-monitoring';
export { McpCognitoAuthorization, type McpCognitoAuthorizationProps } from './security/cognito';
export { McpDomain, type McpDomainProps } from './security/domain';
export { JwtVerificationAction, type JwtVerificationActionOptions } from './security/listeners';
export type { ExposureDecision, WafRateLimits } from './security/policy';
export { McpWebAcl, type McpWebAclOptions, type McpWebAclProps } from './security/web-acl';

// Golden-signal monitoring, alarms and segments, alert topics, synthetic probe
export {
  AlarmSeverity,
  type IMcpMonitoringSegment,
  type McpAlarm,
  type McpAlarmOptions,
  type McpCustomAlarmProps,
  type McpCustomSegmentProps,
} from './monitoring/alarms';
export { McpAlarmTopic, type McpAlarmTopicProps } from './monitoring/alarm-topic';
export {
  type McpAlertRoute,
  McpAlertRouteTopic,
  type McpAlertRouteTopicProps,
  type McpSlackChannel,
  type McpTeamsChannel,
} from './monitoring/alert-routing';
export {
  type AlarmThresholds,
  type PerformanceBaseline,
  type PerformanceBaselineProps,
  TrafficCeilingSource,
} from './monitoring/baseline';
export {
  McpMonitoring,
  type McpMonitoringOptions,
  type McpMonitoringProps,
  TaskCountSource,
} from './monitoring/monitoring';
export { McpProbe, type McpProbeProps, type McpProbeTool } from './monitoring/probe';

// Log pipeline and audit trail
export {
  McpLogging,
  type IMcpLoggingMetrics,
  type McpLoggingOpenSearchProps,
  type McpLoggingOptions,
  type McpLoggingProps,
} from './logging/mcp-logging';
export { OpenSearchIndexRotation } from './logging/index-rotation';

// Data tier and backups
export { McpCacheEngine } from './data/cache-engine';
export {
  type McpCacheOptions,
  type McpDatabaseBackupReplication,
  type McpDatabaseOptions,
  McpDataTier,
  type McpDataTierEndpointOptions,
  type McpDataTierProps,
} from './data/data-tier';
export type { HostPort, RecoveredCache, RecoveredDatabase, RecoveredEndpoints } from './data/endpoint-names';
export {
  McpEndpointParameters,
  type McpEndpointParametersProps,
  type McpEndpointValue,
} from './data/endpoint-parameters';
export { McpBackup, type McpBackupObjectLock, type McpBackupProps, type McpBackupReplication } from './backup/backup';
export { CacheBackupMode } from './backup/cache-backup-mode';

// Disaster recovery
export {
  McpDisasterRecovery,
  type McpDisasterRecoveryProps,
  type McpDrCacheOptions,
  type McpDrRegionLossOptions,
  type McpDrTrafficRecord,
} from './dr/disaster-recovery';
export { RecoveryMetric } from './dr/recovery-metric';
export {
  DatabaseRestoreMethod,
  type DurationTerm,
  RecoveryMode,
  RecoveryPhase,
  type RecoveryPlanEstimate,
  RecoveryScenario,
  type RecoverySizingOptions,
  type RtoEstimate,
} from './dr/rto-model';
export {
  McpRecoveryRegionData,
  type McpRecoveryRegionDataProps,
  McpRecoveryRegionReference,
  type McpRecoveryRegionReferenceProps,
} from './dr/recovery-region';
export { McpDrOperatorPolicy, type McpDrOperatorPolicyProps } from './dr/operator-policy';

// CI: the GitHub OIDC identity that deploys
export { McpCiIdentity, type McpCiIdentityProps } from './ci/ci-identity';
