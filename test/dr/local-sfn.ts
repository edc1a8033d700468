/**
 * Runs the synthesized disaster-recovery state machine with the local Step Functions interpreter
 * `aws-local-stepfunctions` (3.0.0). The definition is the DefinitionString of the template with
 * its tokens replaced; Task states run local functions: the restore Lambda's real handler, and
 * small adapters for the native integrations (sns:publish, ecs:runTask.sync, the approval's
 * waitForTaskToken) that call the SDK clients the tests mock.
 *
 * aws-local-stepfunctions 3.0.0 declares node >= 22 but its only Node 22 API is
 * `Promise.withResolvers` (ES2024, in Node 22); on Node 20 we install the standard polyfill below.
 */
import { Template } from 'aws-cdk-lib/assertions';

if (typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers !== 'function') {
  (Promise as unknown as { withResolvers: () => unknown }).withResolvers = function withResolvers<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as {
  StateMachine: new (
    definition: unknown,
    options?: unknown,
  ) => {
    run(
      input: unknown,
      options?: unknown,
    ): { result: Promise<unknown>; eventLogs: AsyncIterable<Record<string, unknown>> };
  };
};

type Json = Record<string, unknown>;
export type StateDefinition = Json & {
  Type: string;
  Resource?: string;
  Branches?: Array<{ States: Record<string, StateDefinition> }>;
};
export interface Definition {
  StartAt: string;
  States: Record<string, StateDefinition>;
  TimeoutSeconds?: number;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '111111111111',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'DrStack',
};

/** `arn:local:<logicalId>` for GetAtt Arn tokens, `ref:<logicalId>` for Ref tokens. */
export function localArn(logicalId: string): string {
  return `arn:local:${logicalId}`;
}

function render(part: unknown): string {
  if (typeof part === 'string') return part;
  const o = part as Json;
  if (typeof o.Ref === 'string') return PSEUDO[o.Ref] ?? `ref:${o.Ref}`;
  if (Array.isArray(o['Fn::GetAtt'])) {
    const [id, attr] = o['Fn::GetAtt'] as string[];
    return attr === 'Arn' ? localArn(id) : `getatt:${id}.${attr}`;
  }
  if (Array.isArray(o['Fn::Join'])) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  throw new Error(`local-sfn: cannot render token ${JSON.stringify(part)}`);
}

/** The state machine's definition from the template, tokens replaced. */
export function definitionFromTemplate(template: Template): Definition {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) throw new Error(`local-sfn: expected one state machine, found ${machines.length}`);
  const def = machines[0].Properties.DefinitionString;
  return JSON.parse(typeof def === 'string' ? def : render(def)) as Definition;
}

/** Every state of the definition, including those inside Parallel branches. */
export function allStates(def: { States: Record<string, StateDefinition> }): Array<[string, StateDefinition]> {
  const out: Array<[string, StateDefinition]> = [];
  for (const [name, state] of Object.entries(def.States)) {
    out.push([name, state]);
    for (const branch of state.Branches ?? []) out.push(...allStates(branch));
  }
  return out;
}

/** A local implementation of a Task state: receives the effective Parameters, returns the result. */
export type TaskImpl = (input: Json) => Promise<unknown>;

export interface LocalRunOptions {
  readonly definition: Definition;
  /** Task implementations by Resource (exact match). */
  readonly resources: Record<string, TaskImpl>;
  readonly input: unknown;
  readonly executionName: string;
}

export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Names of the states entered, in order. */
  readonly states: string[];
}

/**
 * Runs the definition to its end. Wait states and retry pauses take 0 ms; everything else
 * (Choice, Parallel, Retry/Catch, ResultSelector/ResultPath, intrinsic functions) is the interpreter's.
 */
export async function runLocally(opts: LocalRunOptions): Promise<LocalRunResult> {
  const handlers: Record<string, TaskImpl> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  for (const [name, state] of allStates(opts.definition)) {
    if (state.Type === 'Wait') waits[name] = 0;
    if (state.Retry) retries[name] = 0;
    if (state.Type === 'Task') {
      const impl = opts.resources[state.Resource!];
      if (!impl) throw new Error(`local-sfn: no local implementation for ${state.Resource} (state "${name}")`);
      // Round-trip through JSON like a real invocation, so nothing is shared by reference.
      handlers[name] = async (input: Json) =>
        JSON.parse(JSON.stringify((await impl(JSON.parse(JSON.stringify(input)))) ?? null));
    }
  }
  const machine = new StateMachine(opts.definition, { validationOptions: { checkArn: false } });
  const execution = machine.run(opts.input, {
    overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: waits, retryIntervalOverrides: retries },
    context: {
      Execution: {
        Id: `arn:aws:states:eu-west-1:111111111111:execution:local:${opts.executionName}`,
        Name: opts.executionName,
      },
      StateMachine: { Id: 'arn:aws:states:eu-west-1:111111111111:stateMachine:local', Name: 'local' },
      Task: { Token: `token-${opts.executionName}` },
    },
  });
  const states: string[] = [];
  const collect = (async () => {
    for await (const ev of execution.eventLogs) {
      if (ev.type === 'StateEntered') states.push((ev.state as Json).name as string);
    }
  })();
  try {
    const output = await execution.result;
    await collect.catch(() => undefined);
    return { status: 'SUCCEEDED', output, states };
  } catch (err) {
    await collect.catch(() => undefined);
    const e = err as Error & { cause?: Error };
    const inner = e.cause ?? e;
    return { status: 'FAILED', error: inner.name, cause: inner.message, states };
  }
}
