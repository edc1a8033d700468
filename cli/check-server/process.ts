/**
 * `--command`: starts the server under test, waits for `/health/live`, and after the HTTP checks checks the
 * SIGTERM drain of docs/operational-contract.md ("Shutdown"): with a stream open, SIGTERM; the stream must end
 * cleanly (its response completes, no reset) and the process must exit 0 within the grace period (ECS sends
 * SIGKILL when the container's stopTimeout runs out:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_timeout).
 * The stream is a call of `--stream-tool` when given, else a `subscriptions/listen` request on a 2026-07-28 server.
 *
 * The command is split into words like a shell would (quotes, leading `NAME=value` assignments) but run
 * without one, so SIGTERM reaches the server itself and its exit status is the server's, as with a
 * container's exec-form ENTRYPOINT. Shell operators are refused: `sh -c '… && exec server'` gives them.
 */
import { spawn, type ChildProcess } from 'child_process';
import { MODERN_REVISION } from '../../lambda/mcp-probe/mcp-connection';
import { commandWords, type CheckServerOptions } from './args';
import { modernHeaders, modernRequest, type CheckResult, type ServerChecker } from './checks';

const OUTPUT_TAIL_LINES = 10;

/** A started server process: its output's last lines, how it ended. */
export class ServerProcess {
  private readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  private exitedYet = false;

  private constructor(readonly child: ChildProcess) {
    const keep = (d: Buffer) => {
      this.output.push(...d.toString('utf8').split(/\r?\n/).filter(Boolean));
      this.output.splice(0, Math.max(0, this.output.length - OUTPUT_TAIL_LINES));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exitedYet) return;
        this.exitedYet = true;
        resolve({ code, signal, at: performance.now() });
      };
      child.once('exit', finish);
      // A program that cannot be started (ENOENT, EACCES) may report only through 'error'.
      child.once('error', (err) => {
        this.output.push(err.message);
        finish(null, null);
      });
    });
  }

  /** Runs `command` (see the module comment) with PORT set from the MCP URL unless the command sets it. */
  static start(command: string, url: string, env: Readonly<Record<string, string | undefined>>): ServerProcess {
    const { assignments, argv } = commandWords(command);
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env, PORT: env.PORT ?? port, ...assignments },
    });
    return new ServerProcess(child);
  }

  get running(): boolean {
    return !this.exitedYet;
  }

  tail(): string {
    return this.output.length ? ` Last output: ${this.output.join(' | ').slice(-600)}` : '';
  }

  /** Sends a signal to the server process. */
  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** Ends the process for good (SIGKILL) and waits for it. */
  async stop(): Promise<void> {
    this.signal('SIGKILL');
    if (this.child.pid !== undefined) await this.exited;
  }
}

/** Waits until `/health/live` answers 200, the process dies, or the startup timeout passes. */
export async function waitForStart(
  proc: ServerProcess,
  checker: ServerChecker,
  timeoutMs: number,
): Promise<CheckResult> {
  const t0 = performance.now();
  let last = 'no answer yet';
  while (performance.now() - t0 < timeoutMs) {
    if (!proc.running) {
      const { code, signal } = await proc.exited;
      return {
        id: 'start',
        status: 'FAIL',
        reason: `the command exited (${signal ?? `code ${code}`}) before /health/live answered.${proc.tail()}`,
      };
    }
    try {
      const a = await checker.request('GET', `${checker.base}/health/live`, { token: false });
      if (a.status === 200)
        return {
          id: 'start',
          status: 'PASS',
          reason: `/health/live answered 200 after ${Math.round(performance.now() - t0)} ms`,
        };
      last = `answered ${a.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    id: 'start',
    status: 'FAIL',
    reason: `/health/live did not answer 200 within ${timeoutMs} ms (${last}).${proc.tail()}`,
  };
}

interface StreamOutcome {
  /** The response headers arrived: the stream is open. */
  readonly opened: Promise<void>;
  /** How the stream ended: cleanly (body complete) or with the error that cut it. */
  readonly ended: Promise<{ clean: boolean; detail: string }>;
}

function openStream(checker: ServerChecker, options: CheckServerOptions): StreamOutcome | string {
  let body: unknown;
  let headers: Record<string, string> = {};
  // An explicit --stream-tool wins; otherwise a 2026-07-28 server's subscriptions/listen stream.
  const isToolCall = options.streamTool !== undefined;
  if (options.streamTool) {
    body = { jsonrpc: '2.0', id: 90, method: 'tools/call', params: options.streamTool };
  } else if (checker.facts.served.has(MODERN_REVISION)) {
    body = modernRequest(90, 'subscriptions/listen', { notifications: { toolsListChanged: true } });
    headers = modernHeaders('subscriptions/listen');
  } else {
    return 'the server serves no 2026-07-28 (no subscriptions/listen stream) and no --stream-tool was given';
  }
  const allHeaders: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'user-agent': 'mcp-ops-check-server/1.0',
    ...headers,
  };
  if (checker.facts.token) allHeaders.authorization = `Bearer ${checker.facts.token}`;
  let resolveOpened!: () => void;
  let rejectOpened!: (e: Error) => void;
  const opened = new Promise<void>((res, rej) => {
    resolveOpened = res;
    rejectOpened = rej;
  });
  const ended = (async () => {
    try {
      const res = await fetch(options.url, {
        method: 'POST',
        headers: allHeaders,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.graceMs + 10_000),
      });
      if (res.status !== 200) {
        const text = await res.text().catch(() => '');
        rejectOpened(new Error(`the stream request was answered ${res.status} ${text.slice(0, 120)}`));
        return { clean: false, detail: `answered ${res.status}` };
      }
      resolveOpened();
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let bytes = 0;
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        if (text.length < 65_536) text += decoder.decode(value, { stream: true });
      }
      if (isToolCall && !/"id"\s*:\s*90\b/.test(text))
        return {
          clean: false,
          detail: `the tool call's stream ended after ${bytes} bytes without its response (the request was lost)`,
        };
      return {
        clean: true,
        detail: isToolCall
          ? `the open tool call completed with its response (${bytes} bytes)`
          : `the subscriptions/listen stream ended cleanly after ${bytes} bytes`,
      };
    } catch (err) {
      const e = err as { message?: string; cause?: { code?: string; message?: string } };
      rejectOpened(err as Error);
      return {
        clean: false,
        detail: `the stream was cut: ${e.message}${e.cause?.code ? ` (${e.cause.code})` : e.cause?.message ? ` (${e.cause.message})` : ''}`,
      };
    }
  })();
  return { opened, ended };
}

/** The drain check: stream open, SIGTERM, clean end of the stream, exit 0 within the grace period. */
export async function checkDrain(
  proc: ServerProcess,
  checker: ServerChecker,
  options: CheckServerOptions,
): Promise<CheckResult> {
  const fail = (reason: string): CheckResult => ({ id: 'drain', status: 'FAIL', reason });
  if (!proc.running) return fail(`the process had already exited before SIGTERM.${proc.tail()}`);
  const stream = openStream(checker, options);
  let streamNote: string | undefined;
  if (typeof stream === 'string') streamNote = `no stream held open: ${stream}`;
  else {
    try {
      await Promise.race([
        stream.opened,
        new Promise((_, rej) =>
          setTimeout(() => rej(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs),
        ),
      ]);
    } catch (err) {
      return fail(`could not open a stream before SIGTERM: ${(err as Error).message}`);
    }
    // Let the stream settle (keep-alives, a tool call under way) before the signal.
    await new Promise((r) => setTimeout(r, 200));
  }
  const sentAt = performance.now();
  proc.signal('SIGTERM');
  const exit = await Promise.race([
    proc.exited,
    new Promise<undefined>((r) => setTimeout(() => r(undefined), options.graceMs)),
  ]);
  const streamEnd =
    typeof stream === 'string'
      ? undefined
      : await Promise.race([
          stream.ended,
          new Promise<{ clean: false; detail: string }>((r) =>
            setTimeout(() => r({ clean: false, detail: 'the stream was still open' }), 1000),
          ),
        ]);
  if (!exit)
    return fail(
      `the process did not exit within ${options.graceMs} ms of SIGTERM (ECS would SIGKILL it)${streamEnd ? `; ${streamEnd.detail}` : ''}.${proc.tail()}`,
    );
  const tookMs = Math.round(exit.at - sentAt);
  if (exit.signal)
    return fail(
      `the process was killed by ${exit.signal} after ${tookMs} ms: no SIGTERM handler drains it${streamEnd ? `; ${streamEnd.detail}` : ''}`,
    );
  if (exit.code !== 0)
    return fail(`the process exited with code ${exit.code} ${tookMs} ms after SIGTERM, expected 0.${proc.tail()}`);
  if (streamEnd && !streamEnd.clean) return fail(`exited 0 after ${tookMs} ms, but ${streamEnd.detail}`);
  return {
    id: 'drain',
    status: 'PASS',
    reason: `exited 0 ${tookMs} ms after SIGTERM; ${streamEnd ? streamEnd.detail : streamNote}`,
  };
}
