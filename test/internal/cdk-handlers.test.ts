/**
 * aws-cdk-lib's own Lambdas (the VPC default-security-group handler, the bucket-notifications handler, the
 * AwsCustomResource provider of the recovery-parameter readers) and ours: in the two-Region default app no role
 * holds AWSLambdaBasicExecutionRole, every function logs to a KMS-encrypted log group of the stack, and the
 * function's role writes that log group and no other.
 */
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { buildDefaultApp } from '../../lib/app/build';
import {
  BUCKET_NOTIFICATIONS_HANDLER_ID,
  ownLogGroupForBucketNotifications,
  ownLogGroupForRestrictDefaultSg,
} from '../../lib/internal/cdk-handlers';
import { testApp, testStack } from '../support/app';

const app = testApp({
  'aws:cdk:bundling-stacks': [],
  stackName: 'Prod',
  recoveryRegion: 'eu-central-1',
});
const production = buildDefaultApp(app);
const recovery = app.node.findChild('Prod-recovery') as Stack;
const assembly = app.synth();
const templates = Object.fromEntries(
  [production, recovery].map((s) => [s.stackName, assembly.getStackByName(s.stackName).template]),
);

type Resources = Record<string, { Type: string; Properties?: any }>;

/** Logical id of what a `Ref` or `Fn::GetAtt` names. */
function refOf(value: any): string | undefined {
  return value?.Ref ?? value?.['Fn::GetAtt']?.[0];
}

/** The role's statements, whether in attached AWS::IAM::Policy resources or inline in the role. */
function statementsOf(resources: Resources, roleId: string): any[] {
  const inline = (resources[roleId].Properties?.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement);
  const attached = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => refOf(x) === roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
  return [...inline, ...attached];
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe.each(Object.keys(templates))('stack %s', (stackName) => {
  const resources = templates[stackName].Resources as Resources;
  const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');

  test('has aws-cdk-lib handlers to check', () => {
    const ids = functions.map(([id]) => id).join(' ');
    expect(ids).toMatch(/CustomVpcRestrictDefaultSGCustomResourceProviderHandler/);
    expect(ids).toMatch(/BucketNotificationsHandler/);
    if (stackName === 'Prod') expect(ids).toMatch(/^AWS679f53fac002430cb0da5b7982bd2287|\sAWS679f53fac/);
  });

  test('no role holds AWSLambdaBasicExecutionRole (or any Lambda managed policy)', () => {
    const managed = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .filter(([, r]) => JSON.stringify(r.Properties.ManagedPolicyArns ?? []).includes('AWSLambda'))
      .map(([id]) => id);
    expect(managed).toEqual([]);
  });

  test.each(functions.map(([id]) => id))('%s logs to a KMS-encrypted log group that only its role writes', (id) => {
    const fn = resources[id].Properties;
    const logGroupId = refOf(fn.LoggingConfig?.LogGroup);
    expect(logGroupId).toBeDefined();
    expect(resources[logGroupId!]).toMatchObject({ Type: 'AWS::Logs::LogGroup' });
    expect(resources[logGroupId!].Properties.KmsKeyId).toBeDefined();
    expect(resources[logGroupId!].Properties.RetentionInDays).toBeGreaterThan(0);
    const roleId = refOf(fn.Role)!;
    const logWrites = statementsOf(resources, roleId).filter((s) =>
      asList(s.Action).some((a) => String(a).startsWith('logs:')),
    );
    const own = logWrites.filter((s) => asList(s.Resource).map(refOf).includes(logGroupId));
    expect(own.map((s) => asList(s.Action).sort())).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents']]);
    // Any other log write (the audit indexer's audit streams) names its resource: never "*", never another
    // function's log group.
    const others = new Set(functions.map(([, f]) => refOf(f.Properties.LoggingConfig?.LogGroup)));
    others.delete(logGroupId);
    for (const s of logWrites)
      for (const r of asList(s.Resource)) {
        expect(r).not.toEqual('*');
        expect(others.has(refOf(r))).toBe(false);
      }
  });
});

test('the recovery-parameter readers: their own role reads exactly the two parameters in the recovery Region', () => {
  const resources = templates.Prod.Resources as Resources;
  const [providerId] = Object.keys(resources).filter(
    (id) => id.startsWith('AWS679f53fac') && resources[id].Type === 'AWS::Lambda::Function',
  );
  const roleId = refOf(resources[providerId].Properties.Role)!;
  expect(roleId).toMatch(/^McpRecoveryParameterReaderRole/);
  const reads = statementsOf(resources, roleId).filter((s) => asList(s.Action).includes('ssm:GetParameter'));
  const arns = reads.flatMap((s) => asList(s.Resource)).map((r) => JSON.stringify(r));
  expect(arns).toHaveLength(2);
  arns.sort();
  for (const [i, name] of ['data-key-arn', 'replica-bucket-arn'].entries()) {
    expect(arns[i]).toContain(':ssm:eu-central-1:');
    expect(arns[i]).toContain(`:parameter/mcp-ops/Prod/mcp-server/recovery/${name}`);
  }
  // No AwsCustomResource inline policy of its own: the grants are on the one reader role.
  expect(Object.keys(resources).filter((id) => /CustomResourcePolicy/.test(id))).toEqual([]);
});

describe('the hardening helpers', () => {
  test('do nothing in a stack without the handler; are idempotent', () => {
    const stack = testStack();
    ownLogGroupForRestrictDefaultSg(stack);
    ownLogGroupForBucketNotifications(stack);
    expect(stack.node.children).toHaveLength(0);
  });

  test('a handler of an unexpected shape is an internal error naming it (an aws-cdk-lib change)', () => {
    const stack = testStack();
    new Construct(stack, BUCKET_NOTIFICATIONS_HANDLER_ID);
    expect(() => ownLogGroupForBucketNotifications(stack)).toThrow(
      /BucketNotificationsHandler050a0587b7544547bf325f094a3db834\/Role is not the iam.Role this version expects \(aws-cdk-lib changed\)/,
    );
  });
});
