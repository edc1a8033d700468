import { Arn, ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { checkPattern } from '../internal/validate';
import { nagWildcardResourceId } from '../internal/nag';
import {
  DR_OPERATOR_EXECUTION_ACTIONS,
  DR_OPERATOR_STATE_MACHINE_ACTIONS,
  executionsArnPattern,
} from './operator-actions';

/** Props of {@link McpDrOperatorPolicy}. */
export interface McpDrOperatorPolicyProps {
  /**
   * The disaster-recovery state machines the operator drives: `McpDisasterRecovery.stateMachine`, or another
   * Region's imported by ARN (`StateMachine.fromStateMachineArn`), e.g. the recovery stack's.
   */
  readonly stateMachines: sfn.IStateMachine[];
  /**
   * Name of the managed policy (1–128 of `A-Za-z0-9+=,.@_-`). A fixed name must be unique in the account and
   * stops CloudFormation from replacing the policy.
   * @default a name CloudFormation generates
   */
  readonly managedPolicyName?: string;
  /** @default a description naming the state machines' purpose */
  readonly description?: string;
  /** Roles that get the policy. @default none: attach it to your operators' role yourself */
  readonly roles?: iam.IRole[];
  /** Groups that get the policy. @default none */
  readonly groups?: iam.IGroup[];
  /** Users that get the policy. @default none */
  readonly users?: iam.IUser[];
}

/**
 * The IAM managed policy of a disaster-recovery operator: exactly what `mcp-ops dr drill|recover|approve|reject|status`
 * calls (start and list executions, describe them and read their history, answer the approval request), on the given
 * state machines and their executions only; nothing on production data. See `operator-actions.ts` for the resource
 * type of each action and its source.
 */
export class McpDrOperatorPolicy extends Construct {
  /** The managed policy; attach it with `roles`/`groups`/`users` or `policy.attachToRole(...)`. */
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: McpDrOperatorPolicyProps) {
    super(scope, id);
    this.validate(props);
    this.policy = new iam.ManagedPolicy(this, 'Resource', {
      managedPolicyName: props.managedPolicyName,
      description:
        props.description ??
        'mcp-ops disaster-recovery operator: start drills and recoveries, follow them, approve or reject their cut-over (mcp-ops dr)',
      statements: this.statements(props.stateMachines),
      roles: props.roles,
      groups: props.groups,
      users: props.users,
    });
    this.acknowledgeFindings(props.stateMachines);
  }

  /** The one wildcard: `execution:<name>:*`, since execution names are chosen at start (`drill-…`, `recover-…`). */
  private acknowledgeFindings(stateMachines: readonly sfn.IStateMachine[]): void {
    Validations.of(this.policy).acknowledge(
      ...stateMachines.map((sm) => ({
        id: nagWildcardResourceId(this, executionsOf(sm)),
        reason:
          "DescribeExecution/GetExecutionHistory on this state machine's executions only: their names are chosen when an operator or the schedule starts them",
      })),
    );
  }

  private validate(props: McpDrOperatorPolicyProps): void {
    if (!props.stateMachines || props.stateMachines.length === 0) {
      throw new Error('McpDrOperatorPolicy: stateMachines must name at least one state machine, got none');
    }
    checkPattern(
      'McpDrOperatorPolicy',
      'managedPolicyName',
      props.managedPolicyName,
      /^[\w+=,.@-]{1,128}$/,
      '1-128 of A-Za-z0-9+=,.@_-',
    );
  }

  private statements(stateMachines: readonly sfn.IStateMachine[]): iam.PolicyStatement[] {
    const arns = stateMachines.map((sm) => sm.stateMachineArn);
    return [
      new iam.PolicyStatement({
        sid: 'StartListAndAnswerApprovals',
        actions: [...DR_OPERATOR_STATE_MACHINE_ACTIONS],
        resources: arns,
      }),
      new iam.PolicyStatement({
        sid: 'FollowExecutions',
        actions: [...DR_OPERATOR_EXECUTION_ACTIONS],
        resources: stateMachines.map(executionsOf),
      }),
    ];
  }
}

/**
 * `arn:…:execution:<name>:*` of a state machine: from a plain ARN string, or from a `StateMachine` of this app (its
 * `Name` attribute). An ARN that is only a token (imported from a parameter, say) has no name to scope by.
 */
function executionsOf(sm: sfn.IStateMachine): string {
  if (!Token.isUnresolved(sm.stateMachineArn)) return executionsArnPattern(sm.stateMachineArn);
  if (sm instanceof sfn.StateMachine) {
    return Arn.format(
      {
        service: 'states',
        resource: 'execution',
        resourceName: `${sm.stateMachineName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        region: sm.env.region,
        account: sm.env.account,
      },
      Stack.of(sm),
    );
  }
  throw new Error(
    `McpDrOperatorPolicy: stateMachines: ${sm.node.path} has an unresolved ARN and is not a StateMachine of this app; import it with StateMachine.fromStateMachineArn and a literal ARN`,
  );
}
