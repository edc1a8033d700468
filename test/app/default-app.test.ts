import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../lib/app/build';
import { parseAppConfig } from '../../lib/app/config';
import { planCapacity } from '../../lib/capacity/model';
import { describeFindings, featureFlags, nagFindings, testApp } from '../support/app';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));

describe('the default app', () => {
  test('cdk.json sets the CloudFormation-validation flag and a fixed account and region', () => {
    expect(cdkJson.context['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
    expect(cdkJson.context.account).toMatch(/^\d{12}$/);
    expect(cdkJson.context.region).toBe('eu-west-1');
    expect(cdkJson.app).toBe('npx tsx bin/mcp-ops.ts');
  });

  test('synthesizes offline with cdk-nag AwsSolutions checks and no unacknowledged finding', () => {
    const app = testApp({ account: cdkJson.context.account, region: cdkJson.context.region });
    buildDefaultApp(app);
    expect(describeFindings(nagFindings(app))).toEqual([]);
    // No context lookups were needed (nothing was reported missing).
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8'));
    expect(manifest.missing ?? []).toEqual([]);
  });

  test('context settings reach the service: -c peakRps=... resizes it through the capacity model', () => {
    const app = testApp({ peakRps: '3000', stackName: 'Sized' });
    const stack = buildDefaultApp(app);
    const plan = planCapacity(parseAppConfig({ peakRps: '3000' }).capacity);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: plan.minTasks, MaxCapacity: plan.maxTasks });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: String(plan.taskCpu), Memory: String(plan.taskMemoryMiB) });
    expect(stack.stackName).toBe('Sized');
    expect(stack.account).toBe('111111111111');
  });

  test('a bad context value fails the synth with a clear message', () => {
    const app = testApp({ peakRps: '-5' });
    expect(() => buildDefaultApp(app)).toThrow(/peakRps/);
    expect(featureFlags['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
  });
});
