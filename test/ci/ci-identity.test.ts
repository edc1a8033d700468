import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as publicApi from '../../lib';
import { McpCiIdentity, McpCiIdentityProps } from '../../lib/ci/ci-identity';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';

const REPO = 'example-org/mcp-ops-cdk';

function synth(props: Partial<McpCiIdentityProps> = {}, stack: Stack = testStack()) {
  const identity = new McpCiIdentity(stack, 'Ci', {
    repository: REPO,
    branches: ['main'],
    environments: ['production'],
    ...props,
  });
  return { identity, t: Template.fromStack(stack), stack };
}

function roleResource(t: Template, description: RegExp) {
  const roles = Object.values(t.findResources('AWS::IAM::Role')) as any[];
  return roles.find((r) => description.test(r.Properties.Description));
}

function policyOf(t: Template, roleRef: string) {
  const policies = Object.values(t.findResources('AWS::IAM::Policy')) as any[];
  return policies
    .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleRef))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('McpCiIdentity', () => {
  test('creates the GitHub OIDC provider with the STS audience and no thumbprint', () => {
    const { t } = synth();
    t.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    const provider = Object.values(t.findResources('AWS::IAM::OIDCProvider'))[0] as any;
    expect(provider.Properties.Url).toBe('https://token.actions.githubusercontent.com');
    expect(provider.Properties.ClientIdList).toEqual(['sts.amazonaws.com']);
    expect(provider.Properties.ThumbprintList).toBeUndefined();
    // A native provider: no custom-resource Lambda.
    t.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('the deploy role trusts only the repository on the given branch and environment, with the STS audience', () => {
    const { t, stack, identity } = synth();
    const role = t.toJSON().Resources[stack.getLogicalId(identity.deployRole.node.defaultChild as any)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Effect: 'Allow',
        Principal: {
          Federated: { Ref: stack.getLogicalId(identity.node.findChild('Provider').node.defaultChild as any) },
        },
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: {
            'token.actions.githubusercontent.com:sub': [
              `repo:${REPO}:ref:refs/heads/main`,
              `repo:${REPO}:environment:production`,
            ],
          },
        },
      },
    ]);
    expect(role.Properties.MaxSessionDuration).toBe(7200);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the deploy role may only assume the four CDK bootstrap roles of the target environment', () => {
    const { t, stack, identity } = synth();
    const statements = policyOf(t, stack.getLogicalId(identity.deployRole.node.defaultChild as any));
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('sts:AssumeRole');
    expect(statements[0].Effect).toBe('Allow');
    const arns = statements[0].Resource.map((r: any) => JSON.stringify(r));
    expect(arns).toHaveLength(4);
    for (const kind of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) {
      expect(
        arns.some((a: string) =>
          a.includes(`:iam::111111111111:role/cdk-hnb659fds-${kind}-role-111111111111-eu-west-1`),
        ),
      ).toBe(true);
    }
    // The CloudFormation execution role is passed by the deploy role, never assumed by CI.
    expect(arns.join()).not.toContain('cfn-exec-role');
  });

  test('qualifier, target account and region are configurable', () => {
    const { t } = synth({ bootstrapQualifier: 'team1', targetAccount: '222222222222', targetRegion: 'us-east-1' });
    const text = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(text).toContain(':iam::222222222222:role/cdk-team1-deploy-role-222222222222-us-east-1');
    expect(text).not.toContain('hnb659fds');
  });

  test('an existing provider is reused by ARN (no second provider)', () => {
    const arn = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';
    const { t } = synth({ existingProviderArn: arn });
    t.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Federated: arn } })] },
    });
  });

  test('the optional pull-request role trusts pull_request events and reaches only the lookup role', () => {
    const { t, stack, identity } = synth({ pullRequestRole: true });
    const pr = roleResource(t, /pull_request/);
    expect(pr.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringLike).toEqual({
      'token.actions.githubusercontent.com:sub': [`repo:${REPO}:pull_request`],
    });
    const statements = policyOf(t, stack.getLogicalId(identity.pullRequestRole!.node.defaultChild as any));
    expect(JSON.stringify(statements[0].Resource)).toContain('cdk-hnb659fds-lookup-role-111111111111-eu-west-1');
    expect(JSON.stringify(statements)).not.toContain('deploy-role');
    // The deploy role does not trust pull requests.
    expect(JSON.stringify(roleResource(t, /ref:refs\/heads\/main/).Properties.AssumeRolePolicyDocument)).not.toContain(
      'pull_request',
    );
  });

  test('is cdk-nag clean', () => {
    const app = testApp();
    new McpCiIdentity(testStack(app), 'Ci', { repository: REPO, environments: ['production'], pullRequestRole: true });
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });

  test('is exported from the package root', () => {
    expect((publicApi as Record<string, unknown>).McpCiIdentity).toBe(McpCiIdentity);
  });

  describe('bad props fail the synth with what is wrong, the value and what is allowed', () => {
    const cases: [string, Partial<McpCiIdentityProps>, RegExp][] = [
      [
        'repository',
        { repository: 'not a repo' },
        /McpCiIdentity: repository must be a GitHub repository as "owner\/name", got "not a repo"/,
      ],
      ['repository owner', { repository: '-bad/name' }, /repository must be a GitHub repository/],
      [
        'neither branches nor environments',
        { branches: [], environments: [] },
        /give branches or environments \(or both\)/,
      ],
      [
        'every branch',
        { branches: ['*'] },
        /branches "\*" would trust every branch; name them, or use a pattern such as "release\/\*"/,
      ],
      ['a colon', { environments: ['prod:x'] }, /environments must be a name without spaces or ":".*got "prod:x"/],
      ['qualifier', { bootstrapQualifier: 'much-too-long-qualifier' }, /bootstrapQualifier must be up to 10 letters/],
      ['account', { targetAccount: '1234' }, /targetAccount must be a 12-digit account id, got "1234"/],
      ['region', { targetRegion: 'Europe' }, /targetRegion must be a region name such as eu-west-1, got "Europe"/],
      [
        'provider',
        { existingProviderArn: 'arn:aws:iam::111111111111:oidc-provider/example.com' },
        /existingProviderArn must be the ARN of a token\.actions\.githubusercontent\.com OIDC provider/,
      ],
      [
        'session',
        { maxSessionDuration: Duration.hours(13) },
        /maxSessionDuration must be from 1 to 12 hours, got 13 hours/,
      ],
    ];
    test.each(cases)('%s', (_name, props, message) => {
      expect(() => synth(props)).toThrow(message);
    });

    test('patterns such as release/* are allowed', () => {
      const { t } = synth({ branches: ['release/*'], environments: undefined });
      t.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Condition: Match.objectLike({
                StringLike: { 'token.actions.githubusercontent.com:sub': [`repo:${REPO}:ref:refs/heads/release/*`] },
              }),
            }),
          ],
        },
      });
    });
  });
});

describe('McpCiIdentity verifiedStacks: what mcp-ops verify calls after a deploy', () => {
  test('grants the verify calls on the named stack only, and stays cdk-nag clean', () => {
    const app = testApp();
    const stack = testStack(app);
    new McpCiIdentity(stack, 'Ci', { repository: REPO, environments: ['production'], verifiedStacks: ['McpOps'] });
    const t = Template.fromStack(stack);
    const statements = (Object.values(t.findResources('AWS::IAM::Policy')) as any[]).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    const bySid = Object.fromEntries(statements.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual([
      'AssumeCdkBootstrapRoles',
      'FollowDrills',
      'InvokeProbeAndBackup',
      'ReadAlarms',
      'ReadBackupManifests',
      'ReadDashboards',
      'RunDrills',
    ]);
    expect(JSON.stringify(bySid.InvokeProbeAndBackup.Resource)).toContain(
      ':lambda:eu-west-1:111111111111:function:McpOps-*',
    );
    expect(JSON.stringify(bySid.ReadBackupManifests.Resource)).toContain(':s3:::mcpops-*/manifests/*');
    expect(bySid.ReadBackupManifests.Action).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(JSON.stringify(bySid.FollowDrills.Resource)).toContain(':execution:*-disaster-recovery:drill-*');
    // Nothing that writes beyond starting a drill (which restores beside production, never over it).
    expect(
      statements
        .flatMap((s: any) => [s.Action].flat())
        .filter(
          (a: string) =>
            !/^(sts:AssumeRole|lambda:InvokeFunction|cloudwatch:(DescribeAlarms|GetDashboard)|s3:(GetObject|ListBucket)|states:(StartExecution|DescribeExecution))$/.test(
              a,
            ),
        ),
    ).toEqual([]);
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });

  test('a bad stack name is refused', () => {
    expect(() => synth({ verifiedStacks: ['my stack'] })).toThrow(
      /verifiedStacks must be CloudFormation stack names, got "my stack"/,
    );
  });
});
