import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { McpLogging } from '../../lib/logging/mcp-logging';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';

describe('McpLogging is cdk-nag clean', () => {
  test('default pipeline bound to a Fargate task', () => {
    const app = testApp();
    const stack = testStack(app);
    const logging = new McpLogging(stack, 'Logging', { serviceName: 'mcp-server', alarmTopic: new sns.Topic(stack, 'Topic', { enforceSSL: true }) });
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    const container = task.addContainer('mcp', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/mcp:1'), logging: logging.logDriver() });
    logging.bindToTaskDefinition(task, container);
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });
});
