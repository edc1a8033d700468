/**
 * The default readiness command, run for real with `node -e` against a tiny stand-in for the
 * service's `dist/main.js` that answers `/health/ready` on 127.0.0.1.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_READINESS_COMMAND } from '../../lib/dr/ready-check';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net
      .createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

/** Runs the readiness command in a directory whose dist/main.js answers with `status`. */
async function runCheck(
  status: number | 'none',
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ready-check-'));
  fs.mkdirSync(path.join(dir, 'dist'));
  fs.writeFileSync(
    path.join(dir, 'dist', 'main.js'),
    status === 'none'
      ? '/* does not listen */'
      : `
    require('http').createServer((req, res) => {
      const ok = req.url === '/health/ready' && ${status} === 200;
      res.writeHead(req.url === '/health/ready' ? ${status} : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'fail', host: process.env.DATABASE_HOST, checks: { database: { status: ok ? 'ok' : 'fail' } } }));
    }).listen(Number(process.env.PORT), '127.0.0.1');`,
  );
  const port = await freePort();
  try {
    return await new Promise((resolve, reject) => {
      const [cmd, ...args] = DEFAULT_READINESS_COMMAND;
      const child = spawn(cmd === 'node' ? process.execPath : cmd, args, {
        cwd: dir,
        env: { PATH: process.env.PATH, PORT: String(port), READY_CHECK_ATTEMPTS: '2', ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => {
        output += d;
      });
      child.stderr.on('data', (d) => {
        output += d;
      });
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, output }));
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('default readiness command', () => {
  test('exits 0 when the service answers /health/ready with 200', async () => {
    const r = await runCheck(200);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/ready: .*"status":"ok"/);
  });
  test('exits 1 when readiness keeps failing (503 naming the check)', async () => {
    const r = await runCheck(503);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/not ready: 503 .*"database"/);
  });
  test('the server starts with the restored endpoints (RESTORED_DATABASE_HOST over the secret-delivered DATABASE_HOST)', async () => {
    const r = await runCheck(200, { DATABASE_HOST: 'prod.db', RESTORED_DATABASE_HOST: 'mcp-dr-abc.db' });
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/"host":"mcp-dr-abc\.db"/);
    const plain = await runCheck(200, { DATABASE_HOST: 'prod.db' });
    expect(plain.output).toMatch(/"host":"prod\.db"/);
  });
  test('exits 1 when nothing listens', async () => {
    const r = await runCheck('none');
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/not ready: .*ECONNREFUSED/);
  });
});
