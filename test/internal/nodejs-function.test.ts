import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { McpOpsFunction } from '../../lib/internal/nodejs-function';
import { lambdaBundleDir } from '../../lib/internal/paths';
import { testApp, testStack } from '../support/app';

const REASONS = { outsideVpcReason: 'test: AWS APIs only', noDeadLetterQueueReason: 'test: invoked synchronously' };

describe('McpOpsFunction', () => {
  const app = testApp();
  const stack = testStack(app);
  const fn = new McpOpsFunction(stack, 'Fn', {
    handlerName: 'restore',
    description: 'test',
    timeout: Duration.minutes(2),
    environment: { SERVICE_NAME: 'tools' },
    ...REASONS,
  });
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const id = (c: unknown) => stack.getLogicalId(c as never);
  const props = resources[id(fn.node.defaultChild)].Properties;

  test('Node.js 24 on ARM64, index.handler of the pre-built bundle, X-Ray, JSON logs, the given options', () => {
    expect(props).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 120,
      MemorySize: 256,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON' },
      Description: 'test',
    });
    // Only what the caller set: no NODE_OPTIONS (no source maps are deployed), nothing added behind its back.
    expect(props.Environment.Variables).toEqual({ SERVICE_NAME: 'tools' });
  });

  test('its own log group: a year of retention, encrypted with the stack log key, retained', () => {
    const logGroupId = id(fn.functionLogGroup.node.defaultChild);
    expect(props.LoggingConfig.LogGroup).toEqual({ Ref: logGroupId });
    expect(resources[logGroupId]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^McpOpsLogKey/), 'Arn'] } },
    });
    // CloudWatch Logs may use the key for this account's and Region's log groups only.
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: {
              ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:log-group:*' },
            },
          }),
        ]),
      },
    });
  });

  test('its own role, no managed policy: logs writes on its own log group only, X-Ray', () => {
    const roleId = props.Role['Fn::GetAtt'][0];
    expect(resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(resources).filter(
      (r: any) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId),
    ) as any[];
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [id(fn.functionLogGroup.node.defaultChild), 'Arn'] },
      },
      { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSLambdaBasicExecutionRole');
  });

  test('in a VPC: the network-interface actions, not AWSLambdaVPCAccessExecutionRole (which writes any log group)', () => {
    const vpcStack = testStack(testApp(), 'VpcStack');
    const vpc = new ec2.Vpc(vpcStack, 'Vpc', { availabilityZones: ['eu-west-1a'], natGateways: 1 });
    new McpOpsFunction(vpcStack, 'Fn', {
      handlerName: 'restore',
      vpc,
      logRetention: logs.RetentionDays.THREE_MONTHS,
      ...REASONS,
    });
    const t = Template.fromStack(vpcStack);
    expect(JSON.stringify(t.toJSON())).not.toContain('AWSLambdaVPCAccessExecutionRole');
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'LambdaVpcNetworkInterfaces',
            Action: Match.arrayWith(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface']),
            Resource: '*',
          }),
        ]),
      },
    });
  });

  test('the deployed asset is exactly the built bundle: one file, byte for byte', () => {
    expect(props.Code).toEqual({ S3Bucket: expect.anything(), S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) });
    const staged = path.join(assembly.directory, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`);
    expect(fs.readdirSync(staged)).toEqual(['index.js']);
    expect(
      fs
        .readFileSync(path.join(staged, 'index.js'))
        .equals(fs.readFileSync(path.join(lambdaBundleDir('restore'), 'index.js'))),
    ).toBe(true);
  });
});
