import { Stack, Validations } from 'aws-cdk-lib';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { McpLogging } from '../../lib/logging/mcp-logging';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';

describe('McpLogging is cdk-nag clean', () => {
  test('default pipeline bound to a Fargate task', () => {
    const app = testApp({ 'aws:cdk:bundling-stacks': [] }); // nag checks the template; the bundle is tested elsewhere
    const stack = testStack(app);
    const logging = new McpLogging(stack, 'Logging', {
      serviceName: 'mcp-server',
      alarmTopic: new sns.Topic(stack, 'Topic', { enforceSSL: true }),
    });
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    const container = task.addContainer('mcp', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/mcp:1'),
      logging: logging.logDriver(),
    });
    logging.bindToTaskDefinition(task, container);
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });

  test('in an environment-agnostic stack (region and account are tokens)', () => {
    const app = testApp({ 'aws:cdk:bundling-stacks': [] }); // nag checks the template; the bundle is tested elsewhere
    new McpLogging(new Stack(app, 'Agnostic'), 'Logging', { serviceName: 'mcp-server' });
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });
});

describe('McpLogging with OpenSearch indexing (log indexer Lambda) is cdk-nag clean', () => {
  test.each(['imported', 'created'])('%s domain', (kind) => {
    const app = testApp({ 'aws:cdk:bundling-stacks': [] }); // nag checks the template; the bundle is tested elsewhere
    const stack = testStack(app);
    const domain =
      kind === 'imported'
        ? opensearch.Domain.fromDomainAttributes(stack, 'Domain', {
            domainArn: 'arn:aws:es:eu-west-1:111111111111:domain/logs',
            domainEndpoint: 'https://search-logs-abc123.eu-west-1.es.amazonaws.com',
          })
        : new opensearch.Domain(stack, 'Domain', { version: opensearch.EngineVersion.OPENSEARCH_2_19 });
    if (domain instanceof opensearch.Domain)
      Validations.of(domain).acknowledge(
        { id: 'AwsSolutions-OS1', reason: 'test domain' },
        { id: 'AwsSolutions-OS2', reason: 'test domain' },
        { id: 'AwsSolutions-OS3', reason: 'test domain' },
        { id: 'AwsSolutions-OS4', reason: 'test domain' },
        { id: 'AwsSolutions-OS5', reason: 'test domain' },
        { id: 'AwsSolutions-OS7', reason: 'test domain' },
        { id: 'AwsSolutions-OS8', reason: 'test domain' },
        { id: 'AwsSolutions-OS9', reason: 'test domain' },
      );
    const logging = new McpLogging(stack, 'Logging', {
      serviceName: 'mcp-server',
      alarmTopic: new sns.Topic(stack, 'Topic', { enforceSSL: true }),
      openSearch: { domain },
    });
    expect(logging.logIndexer).toBeDefined();
    const findings = nagFindings(app).filter((f) => !f.path.startsWith('TestStack/Domain'));
    expect(describeFindings(findings)).toEqual([]);
  });
});
