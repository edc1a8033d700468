import { ArnFormat, Aws, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { nagResourceString, nagWildcardResourceId } from '../../lib/internal/nag';
import { testStack } from '../support/app';

/** Strings with every kind of token our acknowledgements render, each with how cdk-nag prints it. */
function samples(stack: Stack): Array<[string, string]> {
  const bucket = new s3.Bucket(stack, 'Bucket');
  const bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
  const param = new ssm.StringParameter(stack, 'Param', { stringValue: 'v' });
  const paramId = stack.getLogicalId(param.node.defaultChild as ssm.CfnParameter);
  return [
    ['arn:aws:s3:::plain/*', 'arn:aws:s3:::plain/*'],
    [bucket.arnForObjects('*'), `<${bucketId}.Arn>/*`],
    [bucket.bucketName, `<${bucketId}>`],
    [
      `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/mcp/*`,
      'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/mcp/*',
    ],
    [`${param.stringValue}/*`, `<${paramId}.Value>/*`],
    [Fn.importValue('Other-BucketArn'), 'Other-BucketArn'],
    [Fn.sub('arn:${AWS::Partition}:s3:::x-${AWS::AccountId}/*'), 'arn:<AWS::Partition>:s3:::x-<AWS::AccountId>/*'],
    // a stack with a concrete environment: formatArn gives literal partition, Region and account
    [
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: 'sm:drill-*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      'arn:aws:states:eu-west-1:111111111111:execution:sm:drill-*',
    ],
  ];
}

describe('nagResourceString', () => {
  test('renders tokens as cdk-nag does, and agrees with cdk-nag’s own flattenCfnReference', () => {
    const stack = testStack();
    for (const [value, expected] of samples(stack)) {
      expect(nagResourceString(stack, value)).toBe(expected);
      expect(nagResourceString(stack, value)).toBe(flattenCfnReference(stack.resolve(value)));
    }
  });

  test('nagWildcardResourceId names the AwsSolutions-IAM5 finding of the resource', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(nagWildcardResourceId(role, `${role.roleArn}/x*`)).toBe(
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(role.node.defaultChild as iam.CfnRole)}.Arn>/x*]`,
    );
  });
});
