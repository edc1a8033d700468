import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { McpOpsFunction } from '../../lib/internal/nodejs-function';
import { lambdaBundleDir } from '../../lib/internal/paths';
import { testApp, testStack } from '../support/app';

describe('McpOpsFunction', () => {
  const app = testApp();
  const stack = testStack(app);
  const fn = new McpOpsFunction(stack, 'Fn', {
    handlerName: 'restore',
    description: 'test',
    timeout: Duration.minutes(2),
    environment: { SERVICE_NAME: 'tools' },
  });
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  const props = template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties;

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
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
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
