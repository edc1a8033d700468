/**
 * What an execution's history says, for `mcp-ops dr`: the approval it is waiting for (with the task token the
 * workflow handed to SNS) and the state it is in. Pure: events in, answers out (events newest first, as
 * `GetExecutionHistory --reverse-order` returns them).
 *
 * The approval states (`Request cut-over approval`, `Request traffic approval`) are `sns:publish.waitForTaskToken`
 * tasks whose message carries `taskToken` (`$$.Task.Token`). Their `TaskScheduled` event records the JSON passed to
 * SNS, token included ("parameters: the JSON data passed to the resource referenced in a task state",
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_TaskScheduledEventDetails.html); the task stays
 * open (`TaskStarted`, possibly `TaskSubmitted`) until SendTaskSuccess/SendTaskFailure or its timeout closes it
 * (https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token). The approval is
 * never inside a Parallel, so the newest task event decides: an open approval task is the newest one.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** The approval an execution is waiting for. */
export interface PendingApproval {
  /** The state that waits, e.g. `Request cut-over approval`. */
  readonly state: string;
  readonly taskToken: string;
  /** When the request was published. */
  readonly since: Date;
  /** When an unanswered request counts as rejected (`States.Timeout`), when the task has a timeout. */
  readonly timesOutAt?: Date;
  /** The approval request as published (recovery point, restored endpoints, verification…). */
  readonly request: Readonly<Record<string, unknown>>;
}

/** Events that may follow the scheduling of a callback task while it is still open. */
const OPEN_TASK_EVENTS = new Set(['TaskStarted', 'TaskSubmitted']);

/**
 * The approval the execution waits for, or undefined when the newest task event is not an open
 * `publish.waitForTaskToken` task whose message is an `approval-request`.
 */
export function pendingApproval(newestFirst: readonly HistoryEvent[]): PendingApproval | undefined {
  let scheduled: HistoryEvent | undefined;
  let index = -1;
  for (let i = 0; i < newestFirst.length; i++) {
    const type = newestFirst[i].type ?? '';
    if (OPEN_TASK_EVENTS.has(type)) continue;
    if (type === 'TaskScheduled') {
      scheduled = newestFirst[i];
      index = i;
    }
    break;
  }
  const details = scheduled?.taskScheduledEventDetails;
  if (!scheduled || !details || details.resourceType !== 'sns' || !/waitForTaskToken$/.test(details.resource ?? '')) {
    return undefined;
  }
  const request = approvalRequest(details.parameters);
  if (!request || typeof request.taskToken !== 'string' || request.taskToken === '') return undefined;
  const since = scheduled.timestamp ?? new Date(0);
  const timeout = details.timeoutInSeconds;
  return {
    state: enteredStateBefore(newestFirst, index) ?? 'approval',
    taskToken: request.taskToken,
    since,
    timesOutAt: timeout !== undefined ? new Date(since.getTime() + Number(timeout) * 1000) : undefined,
    request,
  };
}

/** The approval request in the SNS parameters: `Message` as an object, or as the JSON string SNS receives. */
function approvalRequest(parameters: string | undefined): Record<string, unknown> | undefined {
  const parsed = parseJson(parameters);
  if (!isObject(parsed)) return undefined;
  const message = parsed.Message ?? parsed.message;
  const body = typeof message === 'string' ? parseJson(message) : message;
  return isObject(body) && body.kind === 'approval-request' ? body : undefined;
}

/** The name of the newest state entered, at or after position `from` (newest first). */
function enteredStateBefore(newestFirst: readonly HistoryEvent[], from: number): string | undefined {
  for (let i = Math.max(0, from); i < newestFirst.length; i++) {
    const name = newestFirst[i].stateEnteredEventDetails?.name;
    if (name !== undefined) return name;
  }
  return undefined;
}

/** The state the execution is in (the newest state entered and not yet exited), or the last one it left. */
export function currentState(newestFirst: readonly HistoryEvent[]): { name: string; entered: boolean } | undefined {
  for (const e of newestFirst) {
    if (e.stateEnteredEventDetails?.name !== undefined) return { name: e.stateEnteredEventDetails.name, entered: true };
    if (e.stateExitedEventDetails?.name !== undefined) return { name: e.stateExitedEventDetails.name, entered: false };
  }
  return undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
