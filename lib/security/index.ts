// Exposure, authorization and edge protection of an MCP endpoint (docs/security.md).
export * from './auth';
export * from './auth-monitoring';
export * from './cognito';
export * from './domain';
export { JwtVerificationAction, PROTECTED_RESOURCE_METADATA_PATHS } from './listeners';
export type { JwtVerificationActionOptions } from './listeners';
export { decideExposure, wafRateLimits, RATE_WINDOW_SECONDS } from './policy';
export type { ExposureDecision, ExposureInput, WafRateLimits } from './policy';
export * from './web-acl';
