/**
 * Which state machine and which execution `mcp-ops dr` works on: the state machine ARN from `--state-machine`
 * or from the stack outputs `cdk deploy --outputs-file` wrote (`RestoreStateMachineArn`, in both the production
 * and the recovery stack), the Region from that ARN, and an execution by name or ARN. Pure: no AWS calls.
 */
import { UsageError } from '../command';
import { readOutputs } from '../verify/outputs';

/** The parts of a state machine ARN (`arn:<partition>:states:<region>:<account>:stateMachine:<name>`). */
export interface StateMachineRef {
  readonly arn: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

const STATE_MACHINE_ARN =
  /^arn:(aws[a-z-]*):states:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
const EXECUTION_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]{1,80}):([^:]{1,80})$/;
/**
 * Execution names: 1–80 characters, none of whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or control
 * characters (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#StepFunctions-StartExecution-request-name).
 * The workflow's own names (`drill-…`, `recover-…`) use letters, digits, `-` and `_` only.
 */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Parses a state machine ARN; a usage error says what a valid one looks like. */
export function parseStateMachineArn(arn: string, from: string): StateMachineRef {
  const m = STATE_MACHINE_ARN.exec(arn);
  if (!m) {
    throw new UsageError(
      `${from} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>), got ${JSON.stringify(arn)}`,
    );
  }
  return { arn, partition: m[1], region: m[2], account: m[3], name: m[4] };
}

/** The state machine: `--state-machine <arn>`, or `RestoreStateMachineArn` of `--outputs <file>` [`--stack`]. */
export function resolveStateMachine(flags: {
  readonly 'state-machine'?: string;
  readonly outputs?: string;
  readonly stack?: string;
}): StateMachineRef {
  if (flags['state-machine'] !== undefined) {
    if (flags.outputs !== undefined || flags.stack !== undefined) {
      throw new UsageError('give either --state-machine <arn> or --outputs <file> [--stack <name>], not both');
    }
    return parseStateMachineArn(flags['state-machine'], '--state-machine');
  }
  if (flags.outputs === undefined) {
    if (flags.stack !== undefined) throw new UsageError('--stack needs --outputs <cdk outputs file>');
    throw new UsageError(
      'which state machine? give --state-machine <arn>, or --outputs <file> (`cdk deploy --outputs-file <file>`) [--stack <name>]',
    );
  }
  const outputs = readOutputs(flags.outputs, flags.stack);
  const arn = outputs.get('RestoreStateMachineArn');
  if (arn === undefined) {
    throw new UsageError(
      `the outputs of ${outputs.stackName} in ${flags.outputs} have no RestoreStateMachineArn (a stack with McpDisasterRecovery exports it; pick it with --stack)`,
    );
  }
  return parseStateMachineArn(arn, `RestoreStateMachineArn of ${outputs.stackName}`);
}

/** The ARN of execution `nameOrArn` (a name, or an ARN that must belong to `sm`). */
export function executionArn(sm: StateMachineRef, nameOrArn: string): string {
  const m = EXECUTION_ARN.exec(nameOrArn);
  if (m) {
    if (m[2] !== sm.region || m[3] !== sm.account || m[4] !== sm.name) {
      throw new UsageError(`--execution ${nameOrArn} is not an execution of ${sm.arn}`);
    }
    return nameOrArn;
  }
  if (!EXECUTION_NAME.test(nameOrArn)) {
    throw new UsageError(
      `--execution must be an execution name (1-80 of A-Z a-z 0-9 - _, e.g. recover-20261125T0630Z-INC123) or its ARN, got ${JSON.stringify(nameOrArn)}`,
    );
  }
  return `arn:${sm.partition}:states:${sm.region}:${sm.account}:execution:${sm.name}:${nameOrArn}`;
}

/** The execution name at the end of an execution ARN. */
export function executionNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}
