/**
 * Every log group of a construct's Lambdas and of the DR state machine has a retention prop with a production
 * default (one year): the indexers' (McpLogging `functionLogRetention`), the probe's (McpMonitoring
 * `probeLogRetention`, McpProbe `functionLogRetention`), the restore function's and the state machine's
 * (McpDisasterRecovery `functionLogRetention`, `executionLogRetention`) and the backup function's (McpBackup
 * `functionLogRetention`), aws-cdk-lib's handlers' (McpService and McpLogging `functionLogRetention`, the
 * recovery-parameter reader's McpRecoveryRegionReference `functionLogRetention`).
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { McpBackup } from '../../lib/backup/backup';
import { McpRecoveryRegionReference } from '../../lib/dr/recovery-region';
import { McpService } from '../../lib/service/mcp-service';
import { drFixture } from '../dr/fixture';
import { testStack } from '../support/app';

const publicImage = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');

/** Retention (days) of the log group the function logs to (LoggingConfig.LogGroup). */
function retentionOf(stack: Stack, fn: lambda.IFunction): number | undefined {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  const props = resources[stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)].Properties;
  return resources[props.LoggingConfig.LogGroup.Ref].Properties.RetentionInDays;
}

function stateMachineRetention(stack: Stack): number {
  const t = Template.fromStack(stack);
  const [sm] = Object.values(t.findResources('AWS::StepFunctions::StateMachine')) as any[];
  const groupId =
    sm.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
  return (t.toJSON().Resources as any)[groupId].Properties.RetentionInDays;
}

function service(logging: object = {}, monitoring: object = {}, more: object = {}) {
  const stack = testStack();
  const mcp = new McpService(stack, 'Mcp', { image: publicImage, logging, monitoring, ...more });
  return { stack, mcp };
}

/** Retention (days) of the log group under the stack-root construct `id` (aws-cdk-lib's handlers). */
function handlerRetention(stack: Stack, id: string): number {
  const group = stack.node.findChild(id).node.findChild('LogGroup') as logs.LogGroup;
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  return resources[stack.getLogicalId(group.node.defaultChild as logs.CfnLogGroup)].Properties.RetentionInDays;
}

const RESTRICT_SG = 'Custom::VpcRestrictDefaultSGCustomResourceProvider';
const NOTIFICATIONS = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

describe('log retention of the functions and the state machine', () => {
  test('defaults: one year each', () => {
    const { stack, mcp } = service();
    expect(retentionOf(stack, mcp.logging!.auditIndexer)).toBe(365);
    expect(retentionOf(stack, mcp.monitoring!.probe!.function)).toBe(365);
    expect(handlerRetention(stack, RESTRICT_SG)).toBe(365);
    expect(handlerRetention(stack, NOTIFICATIONS)).toBe(365);
    const dr = drFixture();
    expect(retentionOf(dr.stack, dr.dr.restoreFunction)).toBe(365);
    expect(stateMachineRetention(dr.stack)).toBe(365);
    const b = testStack();
    expect(
      retentionOf(b, new McpBackup(b, 'Backup', { serviceName: 'svc', ssmParameterPrefix: '/mcp' }).backupFunction),
    ).toBe(365);
  });

  test('each prop sets its log group', () => {
    const { stack, mcp } = service(
      { functionLogRetention: logs.RetentionDays.THREE_MONTHS },
      { probeLogRetention: logs.RetentionDays.ONE_MONTH },
      { functionLogRetention: logs.RetentionDays.FIVE_DAYS },
    );
    expect(retentionOf(stack, mcp.logging!.auditIndexer)).toBe(90);
    expect(handlerRetention(stack, NOTIFICATIONS)).toBe(90);
    expect(handlerRetention(stack, RESTRICT_SG)).toBe(5);
    expect(retentionOf(stack, mcp.monitoring!.probe!.function)).toBe(30);
    const dr = drFixture({
      functionLogRetention: logs.RetentionDays.SIX_MONTHS,
      executionLogRetention: logs.RetentionDays.TWO_YEARS,
    });
    expect(retentionOf(dr.stack, dr.dr.restoreFunction)).toBe(180);
    expect(stateMachineRetention(dr.stack)).toBe(731);
    const b = testStack();
    const backup = new McpBackup(b, 'Backup', {
      serviceName: 'svc',
      ssmParameterPrefix: '/mcp',
      functionLogRetention: logs.RetentionDays.TWO_WEEKS,
    });
    expect(retentionOf(b, backup.backupFunction)).toBe(14);
    const p = testStack();
    new McpRecoveryRegionReference(p, 'RecoveryRegion', {
      recoveryRegion: 'eu-central-1',
      serviceName: 'svc',
      functionLogRetention: logs.RetentionDays.ONE_WEEK,
    });
    const reader = Template.fromStack(p).findResources('AWS::Logs::LogGroup');
    expect(Object.values(reader).map((r: any) => r.Properties.RetentionInDays)).toEqual([7]);
  });
});
