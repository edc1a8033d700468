import { App, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { VALIDATION_PLUGINS_METADATA } from '../internal/validation-metadata';
import { CompliancePack, parseAppConfig } from './config';
import { McpOpsStack } from './stack';
import { McpOpsRecoveryStack } from './recovery-stack';

/** The cdk-nag pack of each `compliance` name. */
const PACKS: Record<CompliancePack, (app: App) => NagPack> = {
  'nist-800-53-r5': (app) => new NIST80053R5Checks(app),
  hipaa: (app) => new HIPAASecurityChecks(app),
  'pci-dss-3.2.1': (app) => new PCIDSS321Checks(app),
  serverless: (app) => new ServerlessChecks(app),
};

/** The cdk-nag packs the default app runs: AwsSolutions always, then the `compliance` packs named. */
export function validationPacks(app: App, compliance: readonly CompliancePack[]): NagPack[] {
  return [new AwsSolutionsChecks(app), ...compliance.map((name) => PACKS[name](app))];
}

/**
 * Builds the default app into `app`: reads the configuration from the app's context, creates the stack
 * in the configured account and region, and adds cdk-nag's AwsSolutions checks, and the compliance packs
 * named by `-c compliance=...`, as validation plugins (any unacknowledged finding fails the synth). Used by
 * `bin/mcp-ops.ts`, the tests, the bench and `scripts/compliance-report.ts`.
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
  const plugins = validationPacks(app, config.compliance);
  Validations.of(app).addPlugins(...plugins);
  // Recorded for `mcp-ops review` (cdk.out names acknowledgements, not the packs that ran).
  stack.node.addMetadata(
    VALIDATION_PLUGINS_METADATA,
    plugins.map((p) => p.name),
  );
  // And in the template, for the reviewer of a pull request: which packs this template was checked against.
  if (config.compliance.length > 0)
    stack.templateOptions.metadata = {
      ...stack.templateOptions.metadata,
      'mcp-ops:compliance-packs': plugins.map((p) => p.name),
    };
  return stack;
}
