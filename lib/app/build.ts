import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { VALIDATION_PLUGINS_METADATA } from '../internal/validation-metadata';
import { parseAppConfig } from './config';
import { McpOpsStack } from './stack';
import { McpOpsRecoveryStack } from './recovery-stack';

/**
 * Builds the default app into `app`: reads the configuration from the app's context, creates the stack
 * in the configured account and region, and adds cdk-nag's AwsSolutions checks as a validation plugin
 * (any unacknowledged finding fails the synth). Used by `bin/mcp-ops.ts`, the tests and the bench.
 */
export function buildDefaultApp(app: App): McpOpsStack {
  const config = parseAppConfig(app.node.getAllContext());
  // No context seeding: the zones are configuration, and the constructs build their VPC without asking
  // the stack for its zones, so synth needs no credentials and no lookup.
  const stack = new McpOpsStack(app, config.stackName, {
    config,
    env: { account: config.account, region: config.region },
    description: `mcp-ops: MCP service ${config.serviceName} with monitoring, logs, backups and disaster recovery`,
  });
  const recoveryRegion = config.recovery.recoveryRegion;
  if (recoveryRegion) {
    // The pilot light in the recovery Region (deploy it first: the production stack reads its parameters).
    new McpOpsRecoveryStack(app, config.recovery.recoveryStackName, {
      config,
      env: { account: config.account, region: recoveryRegion },
      description: `mcp-ops: pilot light of ${config.serviceName} in ${recoveryRegion} (region-loss recovery of ${config.stackName})`,
    });
  }
  const plugins = [new AwsSolutionsChecks(app)];
  Validations.of(app).addPlugins(...plugins);
  // Recorded for `mcp-ops review` (cdk.out names acknowledgements, not the packs that ran).
  stack.node.addMetadata(
    VALIDATION_PLUGINS_METADATA,
    plugins.map((p) => p.name),
  );
  return stack;
}
