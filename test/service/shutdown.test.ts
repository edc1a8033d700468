import { spawn } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import { postMcp, rpcMessages, spawnServer, startTestServer } from './helpers';

/** Resolves with the error code of a TCP connect to 127.0.0.1:port (`connected` if it succeeded). */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

/** Reads an SSE response until the first event arrives; returns the rest of the body as a promise. */
async function firstEventThenRest(res: globalThis.Response): Promise<{ first: string; rest: Promise<string> }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let first = '';
  while (!first.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    first += decoder.decode(value, { stream: true });
  }
  const rest = (async () => {
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return { first, rest };
}

const waitCall = (ms: number, id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'wait', arguments: { duration_ms: ms }, _meta: { progressToken: 'p1' } },
});

describe('graceful shutdown (what SIGTERM triggers)', () => {
  test('stops accepting at once, lets the open stream finish its tool call, then closes it', async () => {
    const t = await startTestServer({ SHUTDOWN_GRACE_MS: '10000' });
    try {
      // Long enough that the call is still running when shutdown starts, even on a busy machine.
      const res = await postMcp(t.address.mcpUrl, waitCall(2_000));
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const { first, rest } = await firstEventThenRest(res);
      expect(first).toContain('notifications/progress');
      expect(t.server.activeConnections).toBe(1);

      const shutdown = t.server.shutdown('test');
      // New connections are refused while the in-flight call is still running.
      expect(await tryConnect(t.address.port)).toBe('ECONNREFUSED');

      const body = await rest; // resolves only when the server ends the stream
      const result = rpcMessages('text/event-stream', body).find((m) => m.id === 1);
      expect(result).toMatchObject({ result: { structuredContent: { waited_ms: expect.any(Number) } } });

      const report = await shutdown;
      expect(report).toMatchObject({ inFlightAtStart: 1, drained: true, forcedClosed: 0 });
      expect(t.server.activeConnections).toBe(0);
      expect(await t.server.shutdown()).toBe(report); // idempotent
      expect(t.events('request_completed').some((l) => l.tool === 'wait')).toBe(true);
      expect(t.events('shutdown_started')).toEqual([expect.objectContaining({ in_flight: 1, grace_ms: 10000 })]);
      expect(t.events('shutdown_completed')).toEqual([expect.objectContaining({ drained: true, forced_closed: 0 })]);
    } finally {
      await t.stop();
    }
  });

  test('closes a stream still open when the grace period ends, without waiting for the tool', async () => {
    const t = await startTestServer({ SHUTDOWN_GRACE_MS: '200' });
    try {
      const res = await postMcp(t.address.mcpUrl, waitCall(30_000, 2));
      const { first, rest } = await firstEventThenRest(res);
      expect(first).toContain('notifications/progress');

      const report = await t.server.shutdown('test');
      expect(report).toMatchObject({ inFlightAtStart: 1, drained: false, forcedClosed: 1 });
      // Shutdown did not wait for the 30 s tool call.
      expect(report.durationMs).toBeLessThan(30_000);
      // The stream ended without a result (the client reconnects elsewhere and retries).
      const body = await rest.catch(() => '');
      expect(rpcMessages('text/event-stream', body).find((m) => m.id === 2)).toBeUndefined();
      const failed = await t.waitForLine((l) => l.event === 'request_failed' && l.tool === 'wait');
      expect(failed).toMatchObject({ error_type: 'timeout', error: expect.stringContaining('shutdown') });
      expect(await tryConnect(t.address.port)).toBe('ECONNREFUSED');
    } finally {
      await t.stop();
    }
  });
});

describe('the container entry point', () => {
  test('on SIGTERM finishes the in-flight call and exits 0', async () => {
    const server = await spawnServer({ SERVICE_NAME: 'sigterm-test', SHUTDOWN_GRACE_MS: '10000' });
    try {
      const res = await postMcp(`http://127.0.0.1:${server.port}/mcp`, waitCall(2_000, 3));
      const { first, rest } = await firstEventThenRest(res);
      expect(first).toContain('notifications/progress');
      const exitCode = server.stop(); // SIGTERM
      const body = await rest;
      expect(rpcMessages('text/event-stream', body).find((m) => m.id === 3)).toMatchObject({
        result: expect.anything(),
      });
      expect(await exitCode).toBe(0);
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.event)).toEqual(
        expect.arrayContaining(['server_listening', 'shutdown_started', 'request_completed', 'shutdown_completed']),
      );
      // The stream was open when SIGTERM arrived, and it finished rather than being cut.
      expect(lines.find((l) => l.event === 'shutdown_started')).toMatchObject({ reason: 'SIGTERM', in_flight: 1 });
      expect(lines.find((l) => l.event === 'shutdown_completed')).toMatchObject({ drained: true, forced_closed: 0 });
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      await server.stop();
    }
  }, 60_000);
});

describe('the container entry point with a bad configuration', () => {
  test('exits 78 after writing one config_invalid line that names every problem (the buffered log is flushed on exit)', async () => {
    const entry = path.join(__dirname, '..', '..', 'service', 'src', 'main.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env: { ...process.env, PORT: 'eighty', DATABASE_POOL_SIZE: '5' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (b) => {
      out += b;
    });
    child.stderr!.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(78);
    const lines = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        event: 'config_invalid',
        level: 'ERROR',
        problems: [
          'PORT must be an integer from 0 to 65535, got "eighty"',
          'DATABASE_POOL_SIZE is set but DATABASE_HOST is not; set DATABASE_HOST or remove DATABASE_POOL_SIZE',
        ],
      }),
    ]);
  }, 60_000);
});
