/**
 * Throughput and latency of `tools/list` on the reference MCP server (service/) over loopback,
 * next to a bare Express server returning the same bytes: the ratio is the cost of the MCP layer
 * (Streamable HTTP transport, a fresh MCP server per request, logs, audit, EMF).
 * Load: autocannon with a fixed number of concurrent connections for a fixed time.
 * Servers run in child processes so the load generator does not share their event loop.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import autocannon from 'autocannon';
import { freePort } from '../test/support/services';
import { printTable } from './util';

export const title = 'Reference MCP server: tools/list over loopback vs a bare Express server';

const ROOT = path.join(__dirname, '..');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const REQUEST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function waitUntilLive(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts service/src/main.ts on a free port of 127.0.0.1; its stdout (the log) is discarded. */
async function startMcp(logLevel: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'service', 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: logLevel, SERVICE_NAME: 'bench' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitUntilLive(`http://127.0.0.1:${port}/health/live`, child);
  return { child, url: `http://127.0.0.1:${port}/mcp` };
}

/** A bare Express server that parses the JSON body and answers with fixed bytes and headers. */
async function startBare(body: string, contentType: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const script = `
    const express = require('express');
    const body = Buffer.from(process.env.BENCH_BODY, 'base64');
    const app = express();
    app.disable('x-powered-by'); app.disable('etag');
    app.get('/health/live', (_q, r) => r.json({ status: 'ok' }));
    app.post('/mcp', express.json({ limit: 1048576 }), (_q, r) => {
      r.status(200).set({ 'content-type': process.env.BENCH_CT, 'cache-control': 'no-cache, no-transform', 'x-request-id': require('crypto').randomUUID() }).end(body);
    });
    require('http').createServer(app).listen(${port}, '127.0.0.1');
    process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: { ...process.env, BENCH_BODY: Buffer.from(body).toString('base64'), BENCH_CT: contentType },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitUntilLive(`http://127.0.0.1:${port}/health/live`, child);
  return { child, url: `http://127.0.0.1:${port}/mcp` };
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string): Promise<Figures> {
  // Short warm-up so JIT and connection setup do not count.
  await autocannon({ url, connections: CONNECTIONS, duration: 1, method: 'POST', headers: HEADERS, body: REQUEST });
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    method: 'POST',
    headers: HEADERS,
    body: REQUEST,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx };
}

export async function run(): Promise<void> {
  const children: ChildProcess[] = [];
  try {
    const info = await startMcp('INFO');
    children.push(info.child);
    const sample = await fetch(info.url, { method: 'POST', headers: HEADERS, body: REQUEST });
    const body = await sample.text();
    const contentType = sample.headers.get('content-type') ?? 'text/event-stream';
    if (sample.status !== 200 || !body.includes('"tools"'))
      throw new Error(`unexpected tools/list answer ${sample.status}: ${body.slice(0, 200)}`);

    const mcpInfo = await load(info.url);
    await stop(info.child);

    const quiet = await startMcp('ERROR');
    children.push(quiet.child);
    const mcpQuiet = await load(quiet.url);
    await stop(quiet.child);

    const bare = await startBare(body, contentType);
    children.push(bare.child);
    const bareFigures = await load(bare.url);
    await stop(bare.child);

    const row = (f: Figures) =>
      `${f.rps.toFixed(0).padStart(6)} req/s   p50 ${String(f.p50).padStart(3)} ms   p99 ${String(f.p99).padStart(3)} ms   errors ${f.errors}`;
    console.log(
      `  ${CONNECTIONS} concurrent connections, ${DURATION_S} s each after 1 s warm-up; response ${Buffer.byteLength(body)} bytes (${contentType})`,
    );
    printTable([
      ['bare Express, same bytes', row(bareFigures)],
      ['MCP server, LOG_LEVEL=INFO', row(mcpInfo)],
      ['MCP server, LOG_LEVEL=ERROR', row(mcpQuiet)],
      ['MCP / bare throughput (INFO)', `${(mcpInfo.rps / bareFigures.rps).toFixed(2)}x`],
      ['MCP / bare throughput (ERROR)', `${(mcpQuiet.rps / bareFigures.rps).toFixed(2)}x`],
    ]);
  } finally {
    await Promise.all(children.map(stop));
  }
}
