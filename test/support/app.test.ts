import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { nagFindings, testApp, testStack, featureFlags } from './app';

describe('test support', () => {
  test('test apps carry the CloudFormation-validation feature flag from cdk.json', () => {
    expect(featureFlags['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
  });

  test('nagFindings reports an unacknowledged finding and honours an acknowledgement', () => {
    const app = testApp();
    const stack = testStack(app);
    const bucket = new s3.Bucket(stack, 'Plain');
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'test: access logging is not under test here',
    });
    const rules = nagFindings(app).map((f) => f.rule);
    expect(rules).toContain('AwsSolutions-S10');
    expect(rules).not.toContain('AwsSolutions-S1');
  });
});
