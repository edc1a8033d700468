/**
 * What a disaster-recovery operator may do: exactly the Step Functions actions `mcp-ops dr` calls, and the resource
 * type each one is authorized on. Pure: no CDK (the policy construct and the CLI's tests both read it).
 *
 * Resource types from the Service Authorization Reference for Step Functions
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html):
 * - `StartExecution`, `ListExecutions`: the `stateMachine` resource
 *   (`arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}`).
 * - `DescribeExecution`, `GetExecutionHistory`: the `execution` resource
 *   (`arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}:${ExecutionId}`); one statement for
 *   `execution:<name>:*`, since execution names are chosen at start.
 * - `SendTaskSuccess`, `SendTaskFailure`: the reference lists no resource type for these, but Step Functions
 *   authorizes a callback token against the state machine that issued it (the AccessDenied message names
 *   `resource: arn:aws:states:…:stateMachine:<name>`, https://github.com/NOAA-OWP/hydrovis/issues/837), and aws-cdk-lib's
 *   `StateMachine.grantTaskResponse` scopes them to the state machine ARN
 *   (https://github.com/aws/aws-cdk/pull/8486, tested there against a callback task). Scoped the same way here:
 *   an operator can answer this workflow's approvals and no other workflow's.
 * Nothing else: no `StopExecution` (the runbook's abort stays a deliberate console/CLI act under a broader role),
 * no access to RDS, ElastiCache, S3, SSM or ECS — the workflow's own role does the restoring.
 */

/** Authorized on the state machine ARN. */
export const DR_OPERATOR_STATE_MACHINE_ACTIONS = [
  'states:StartExecution',
  'states:ListExecutions',
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
] as const;

/** Authorized on the state machine's execution ARNs. */
export const DR_OPERATOR_EXECUTION_ACTIONS = ['states:DescribeExecution', 'states:GetExecutionHistory'] as const;

/** Every action of the DR operator (what `mcp-ops dr` may call). */
export const DR_OPERATOR_ACTIONS: readonly string[] = [
  ...DR_OPERATOR_STATE_MACHINE_ACTIONS,
  ...DR_OPERATOR_EXECUTION_ACTIONS,
];

/** `arn:…:execution:<name>:*` for the state machine `arn:…:stateMachine:<name>` (a plain string ARN). */
export function executionsArnPattern(stateMachineArn: string): string {
  const i = stateMachineArn.indexOf(':stateMachine:');
  if (i < 0) throw new Error(`executionsArnPattern: not a state machine ARN: ${JSON.stringify(stateMachineArn)}`);
  return `${stateMachineArn.slice(0, i)}:execution:${stateMachineArn.slice(i + ':stateMachine:'.length)}:*`;
}
