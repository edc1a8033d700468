/**
 * Construct metadata that records which validation plugins (cdk-nag packs) ran at synth. The cloud
 * assembly records every acknowledgement (`aws:cdk:acknowledged-rules` in the stack's metadata file) and
 * the findings left open (validation-report.json, which lists only plugins with findings), but not which
 * plugins ran cleanly: `buildDefaultApp` adds this entry to its stack so `mcp-ops review` can say so.
 * Pure: no CDK imports (the CLI reads it).
 */
export const VALIDATION_PLUGINS_METADATA = 'mcp-ops:validation-plugins';
