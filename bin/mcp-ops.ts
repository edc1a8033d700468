#!/usr/bin/env node
/**
 * The deployable default app. Settings come from CDK context (cdk.json, or `-c key=value`); see README.md.
 * Synthesizes offline: fixed account and region, no context lookups.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { McpOpsStack } from '../lib/app/stack';
import { parseAppConfig } from '../lib/app/config';

const app = new App();
const config = parseAppConfig(app.node.getAllContext());
new McpOpsStack(app, config.stackName, {
  config,
  env: { account: config.account, region: config.region },
  description: `mcp-ops: MCP service ${config.serviceName} with monitoring, logs, backups and disaster recovery`,
});
// cdk-nag AwsSolutions checks on everything the app synthesizes; any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
