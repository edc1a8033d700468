/**
 * The stack outputs `cdk deploy --outputs-file <file>` writes: `{ "<stack name>": { "<output key>": "<value>" } }`.
 */
import * as fs from 'fs';
import { UsageError } from '../command';

/** The outputs of one stack; a check asks for the ones it needs. */
export class StackOutputs {
  constructor(
    readonly stackName: string,
    private readonly values: Readonly<Record<string, string>>,
  ) {}

  /** An output's value; throws (the check fails) when the deployed stack does not export it. */
  require(key: string): string {
    const v = this.values[key];
    if (typeof v !== 'string' || v === '') {
      throw new MissingOutputError(
        `the outputs of ${this.stackName} have no ${key} (deploy a version of the stack that exports it)`,
      );
    }
    return v;
  }

  get(key: string): string | undefined {
    const v = this.values[key];
    return typeof v === 'string' && v !== '' ? v : undefined;
  }
}

export class MissingOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingOutput';
  }
}

/** Reads the outputs file and picks the stack (`--stack`, or the only one in the file). */
export function readOutputs(file: string, stack: string | undefined): StackOutputs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'does not exist'
        : `cannot be read as JSON (${(e as Error).message})`;
    throw new UsageError(`--outputs ${file} ${reason}; write it with \`cdk deploy --outputs-file ${file}\``);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--outputs ${file} is not a cdk outputs file (expected {"<stack>": {"<output>": "<value>"}})`);
  }
  const stacks = Object.keys(parsed).sort();
  const name = stack ?? (stacks.length === 1 ? stacks[0] : undefined);
  if (name === undefined) {
    throw new UsageError(
      `--outputs ${file} has ${stacks.length ? `several stacks (${stacks.join(', ')}): pass --stack <name>` : 'no stack'}`,
    );
  }
  const values = (parsed as Record<string, unknown>)[name];
  if (typeof values !== 'object' || values === null) {
    throw new UsageError(
      `--stack ${JSON.stringify(name)} is not in ${file}; it has: ${stacks.join(', ') || 'nothing'}`,
    );
  }
  return new StackOutputs(name, values as Record<string, string>);
}

/** The region of the deployed stack: from an ARN among its outputs, else the environment. */
export function regionOf(outputs: StackOutputs, env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const key of ['RestoreStateMachineArn', 'AlarmTopicArn']) {
    const m = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):\d{12}:/.exec(outputs.get(key) ?? '');
    if (m) return m[1];
  }
  return env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
}
