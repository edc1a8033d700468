/**
 * Throughput and latency of `tools/list` on the reference MCP server (service/) over loopback, for
 * each protocol revision, side by side with the baselines of bench/mcp-bare-servers.ts: the bare
 * 2.x SDK with the same tools (the target: the reference server within 10 % of it), the bare 1.x
 * SDK (what the 2.x SDK costs against it, 2025 revision only) and a bare HTTP server answering with
 * the same bytes (the cost of MCP itself).
 *
 * Load: autocannon, a fixed number of connections for a fixed time per target, in rounds that
 * visit every target in turn, so that load from other work on the machine hits them all alike;
 * the figures are the medians over the rounds. Servers run in child processes so the load
 * generator does not share their event loop. Besides requests/s and p99 it prints the server
 * process's CPU time per request (from /proc, Linux only), which depends far less than throughput
 * on what else the machine is running. Knobs: BENCH_CONNECTIONS (10), BENCH_DURATION_S (3),
 * BENCH_ROUNDS (3).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import autocannon from 'autocannon';
import { freePort } from '../test/support/services';
import { median, printTable } from './util';

export const title =
  'Reference MCP server: tools/list per protocol revision vs bare SDK servers and a bare HTTP server';

const ROOT = path.join(__dirname, '..');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';

/** The tools/list request of each revision, as the official clients send it. */
const REQUESTS: Record<string, { body: string; headers: Record<string, string> }> = {
  [MODERN]: {
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN,
          'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      'mcp-method': 'tools/list',
    },
  },
  [LEGACY]: {
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': LEGACY,
    },
  },
};

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
}

async function waitUntilLive(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
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

async function start(args: string[], env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', ...args.map((a) => a.replace('$PORT', String(port)))], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitUntilLive(`http://127.0.0.1:${port}/health/live`, child);
  return { child, url: `http://127.0.0.1:${port}/mcp` };
}

interface Figures {
  rps: number;
  p99: number;
  /** Server CPU milliseconds per request (NaN where /proc is missing). */
  cpuMs: number;
  errors: number;
}

/** User + system CPU time of a process in milliseconds (Linux /proc), NaN elsewhere. */
function cpuTimeMs(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function load(server: Server, revision: string, durationS: number): Promise<Figures> {
  const { body, headers } = REQUESTS[revision];
  const cpuBefore = cpuTimeMs(server.child.pid);
  const r = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: durationS,
    method: 'POST',
    headers,
    body,
  });
  const cpuMs = (cpuTimeMs(server.child.pid) - cpuBefore) / Math.max(1, r.requests.total);
  return { rps: r.requests.average, p99: r.latency.p99, cpuMs, errors: r.errors + r.timeouts + r.non2xx };
}

/** The reference server's answer to a revision's tools/list: the bytes the bare HTTP server returns. */
async function sample(url: string, revision: string): Promise<{ body: string; contentType: string }> {
  const { body, headers } = REQUESTS[revision];
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  if (res.status !== 200 || !text.includes('"tools"'))
    throw new Error(`unexpected ${revision} tools/list answer ${res.status}: ${text.slice(0, 200)}`);
  return { body: text, contentType: res.headers.get('content-type') ?? 'application/json' };
}

export async function run(): Promise<void> {
  const servers: Server[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-bench-'));
  try {
    // The production configuration, less the rate limit (one client would exhaust it at once).
    const reference = await start([path.join('service', 'src', 'main.ts')], {
      LOG_LEVEL: 'INFO',
      SERVICE_NAME: 'bench',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    servers.push(reference);
    const bare = path.join('bench', 'mcp-bare-servers.ts');
    const sdk2 = await start([bare, 'sdk2', '$PORT']);
    const sdk1 = await start([bare, 'sdk1', '$PORT']);
    servers.push(sdk2, sdk1);
    const bytes: Record<string, Server> = {};
    const sizes: Record<string, string> = {};
    for (const revision of [MODERN, LEGACY]) {
      const { body, contentType } = await sample(reference.url, revision);
      const file = path.join(dir, `${revision}.body`);
      fs.writeFileSync(file, body);
      bytes[revision] = await start([bare, 'bytes', '$PORT', file, contentType]);
      servers.push(bytes[revision]);
      sizes[revision] = `${Buffer.byteLength(body)} bytes ${contentType.split(';')[0]}`;
    }

    const targets: Array<{ label: string; revision: string; server: Server }> = [
      { label: `${MODERN}  reference server`, revision: MODERN, server: reference },
      { label: `${MODERN}  bare 2.x SDK`, revision: MODERN, server: sdk2 },
      { label: `${MODERN}  bare HTTP, same bytes`, revision: MODERN, server: bytes[MODERN] },
      { label: `${LEGACY}  reference server`, revision: LEGACY, server: reference },
      { label: `${LEGACY}  bare 2.x SDK`, revision: LEGACY, server: sdk2 },
      { label: `${LEGACY}  bare 1.x SDK`, revision: LEGACY, server: sdk1 },
      { label: `${LEGACY}  bare HTTP, same bytes`, revision: LEGACY, server: bytes[LEGACY] },
    ];
    for (const t of targets) await load(t.server, t.revision, 1); // warm-up: JIT, connections
    const runs = new Map<string, Figures[]>(targets.map((t) => [t.label, []]));
    for (let round = 0; round < ROUNDS; round++)
      for (const t of targets) runs.get(t.label)!.push(await load(t.server, t.revision, DURATION_S));

    const fig = new Map(
      targets.map((t) => {
        const r = runs.get(t.label)!;
        return [
          t.label,
          {
            rps: median(r.map((f) => f.rps)),
            p99: median(r.map((f) => f.p99)),
            cpuMs: median(r.map((f) => f.cpuMs)),
            errors: r.reduce((n, f) => n + f.errors, 0),
          },
        ];
      }),
    );
    const row = (f: Figures) =>
      `${f.rps.toFixed(0).padStart(6)} req/s   p99 ${String(f.p99).padStart(5)} ms   CPU ${f.cpuMs.toFixed(2).padStart(5)} ms/req   errors ${f.errors}`;
    const ratio = (a: string, b: string) => {
      const x = fig.get(a)!;
      const y = fig.get(b)!;
      return `throughput ${((x.rps / y.rps) * 100).toFixed(0)} %, CPU per request ${((x.cpuMs / y.cpuMs) * 100).toFixed(0)} %`;
    };
    console.log(
      `  ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s per target (medians); ${MODERN} answer ${sizes[MODERN]}, ${LEGACY} answer ${sizes[LEGACY]}`,
    );
    printTable([
      ...targets.map((t): [string, string] => [t.label, row(fig.get(t.label)!)]),
      [`${MODERN}  reference / bare 2.x SDK`, ratio(targets[0].label, targets[1].label)],
      [`${LEGACY}  reference / bare 2.x SDK`, ratio(targets[3].label, targets[4].label)],
      [`${LEGACY}  bare 2.x SDK / bare 1.x SDK`, ratio(targets[4].label, targets[5].label)],
      [`${MODERN} vs ${LEGACY}, bare 2.x SDK`, ratio(targets[1].label, targets[4].label)],
    ]);
  } finally {
    await Promise.all(servers.map((s) => stop(s.child)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
