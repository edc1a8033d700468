import { Fn } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { McpDrOperatorPolicy } from '../../lib/dr/operator-policy';
import { DR_OPERATOR_ACTIONS, executionsArnPattern } from '../../lib/dr/operator-actions';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';
import { drFixture } from './fixture';

const RECOVERY_ARN = 'arn:aws:states:eu-central-1:111111111111:stateMachine:mcp-disaster-recovery';

/** The statements of the one operator policy in the template, by Sid. */
function operatorStatements(
  template: Template,
): Record<string, { Action: string[]; Resource: unknown; Effect: string }> {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
    String(p.Properties.Description ?? '').includes('disaster-recovery operator'),
  );
  expect(policies).toHaveLength(1);
  const statements = policies[0].Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
  return Object.fromEntries(statements.map((s) => [s.Sid, s])) as never;
}

describe('McpDrOperatorPolicy', () => {
  test('McpDisasterRecovery makes one: exactly the CLI actions, on its state machine and its executions only', () => {
    const { stack, dr } = drFixture();
    const template = Template.fromStack(stack);
    const byId = operatorStatements(template);
    const smRef = { Ref: stack.getLogicalId(dr.stateMachine.node.defaultChild as sfn.CfnStateMachine) };
    expect(byId.StartListAndAnswerApprovals).toEqual({
      Sid: 'StartListAndAnswerApprovals',
      Effect: 'Allow',
      Action: ['states:ListExecutions', 'states:SendTaskFailure', 'states:SendTaskSuccess', 'states:StartExecution'],
      Resource: smRef,
    });
    const smId = stack.getLogicalId(dr.stateMachine.node.defaultChild as sfn.CfnStateMachine);
    expect(byId.FollowExecutions).toEqual({
      Sid: 'FollowExecutions',
      Effect: 'Allow',
      Action: ['states:DescribeExecution', 'states:GetExecutionHistory'],
      Resource: {
        'Fn::Join': ['', ['arn:aws:states:eu-west-1:111111111111:execution:', { 'Fn::GetAtt': [smId, 'Name'] }, ':*']],
      },
    });
    const granted = [...byId.StartListAndAnswerApprovals.Action, ...byId.FollowExecutions.Action].sort();
    expect(granted).toEqual([...DR_OPERATOR_ACTIONS].sort());
    // Nothing on data: no RDS, S3, SSM, ECS, KMS, ElastiCache action, and no wildcard action.
    for (const a of granted) expect(a).toMatch(/^states:[A-Za-z]+$/);
    expect(dr.operatorPolicy.policy).toBeInstanceOf(iam.ManagedPolicy);
  });

  test('standalone: both Regions in one policy, attached to a role, fixed name', () => {
    const stack = testStack();
    const local = sfn.StateMachine.fromStateMachineArn(
      stack,
      'Local',
      'arn:aws:states:eu-west-1:111111111111:stateMachine:mcp-disaster-recovery',
    );
    const recovery = sfn.StateMachine.fromStateMachineArn(stack, 'Recovery', RECOVERY_ARN);
    const role = new iam.Role(stack, 'Operators', { assumedBy: new iam.AccountRootPrincipal() });
    new McpDrOperatorPolicy(stack, 'Ops', {
      stateMachines: [local, recovery],
      roles: [role],
      managedPolicyName: 'mcp-dr-operator',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'mcp-dr-operator',
      Roles: [{ Ref: Match.stringLikeRegexp('^Operators') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Resource: [RECOVERY_ARN, local.stateMachineArn] }),
          Match.objectLike({
            Resource: [
              'arn:aws:states:eu-central-1:111111111111:execution:mcp-disaster-recovery:*',
              'arn:aws:states:eu-west-1:111111111111:execution:mcp-disaster-recovery:*',
            ],
          }),
        ],
      },
    });
  });

  test('clear synth-time errors', () => {
    const stack = testStack();
    expect(() => new McpDrOperatorPolicy(stack, 'None', { stateMachines: [] })).toThrow(
      /stateMachines must name at least one state machine, got none/,
    );
    const sm = sfn.StateMachine.fromStateMachineArn(stack, 'Sm', RECOVERY_ARN);
    expect(
      () => new McpDrOperatorPolicy(stack, 'Bad', { stateMachines: [sm], managedPolicyName: 'dr operator' }),
    ).toThrow(/managedPolicyName must be 1-128 of A-Za-z0-9\+=,\.@_-, got "dr operator"/);
  });

  test('an imported state machine whose ARN is a token cannot be scoped: clear error', () => {
    const stack = testStack();
    const sm = sfn.StateMachine.fromStateMachineArn(stack, 'FromToken', Fn.importValue('SomeArn'));
    expect(() => new McpDrOperatorPolicy(stack, 'Ops', { stateMachines: [sm] })).toThrow(
      /TestStack\/FromToken has an unresolved ARN and is not a StateMachine of this app/,
    );
  });

  test('executionsArnPattern maps a state machine ARN to its executions', () => {
    expect(executionsArnPattern(RECOVERY_ARN)).toBe(
      'arn:aws:states:eu-central-1:111111111111:execution:mcp-disaster-recovery:*',
    );
    expect(() => executionsArnPattern('arn:aws:sns:eu-west-1:111111111111:topic')).toThrow(/not a state machine ARN/);
  });

  test('cdk-nag clean inside McpDisasterRecovery (the execution wildcard acknowledged)', () => {
    const app = testApp();
    drFixture({}, app);
    const ours = nagFindings(app).filter((f) => f.path.includes('/OperatorPolicy/'));
    expect(describeFindings(ours)).toEqual([]);
  });

  test('cdk-nag clean (standalone, with a role)', () => {
    const app = testApp();
    const stack = testStack(app);
    const sm = sfn.StateMachine.fromStateMachineArn(stack, 'Sm', RECOVERY_ARN);
    const role = new iam.Role(stack, 'Operators', { assumedBy: new iam.AccountRootPrincipal() });
    new McpDrOperatorPolicy(stack, 'Ops', { stateMachines: [sm], roles: [role] });
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });
});
