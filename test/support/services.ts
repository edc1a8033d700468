/**
 * Throwaway PostgreSQL and Redis servers for tests, on free ports of 127.0.0.1, with passwords
 * and no persistence. Installs the packages first (scripts/install-test-services.sh) when the
 * binaries are missing, so `npm test` works on a fresh Debian/Ubuntu machine as root.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (or `nobody`).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { Client } from 'pg';

const INSTALL_SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'install-test-services.sh');

/** A running PostgreSQL server. */
export interface LocalPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /**
   * The server's environment variables of docs/operational-contract.md: TLS off, or with
   * `startPostgres({ tls: true })` TLS on (`DATABASE_TLS=true`, host `localhost`).
   */
  readonly env: Record<string, string>;
  /** With `tls: true`: the PEM file of the test CA that signed the server certificate (for NODE_EXTRA_CA_CERTS). */
  readonly caFile?: string;
  /** Freezes every process of the cluster (SIGSTOP): connections hang, as with a stuck database. */
  suspend(): void;
  /** Undoes {@link suspend}. */
  resume(): void;
  /** Stops the server and deletes its data directory; idempotent. */
  stop(): Promise<void>;
}

/** A running Redis server. */
export interface LocalRedis {
  readonly host: string;
  readonly port: number;
  readonly password: string;
  /**
   * The server's environment variables of docs/operational-contract.md: TLS off, or with
   * `startRedis({ tls: true })` TLS on (`CACHE_TLS=true`, host `localhost`).
   */
  readonly env: Record<string, string>;
  /** With `tls: true`: the PEM file of the test CA that signed the server certificate. */
  readonly caFile?: string;
  /** Stops the server; idempotent. */
  stop(): Promise<void>;
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return r.status === 0 && out !== '' ? out : undefined;
}

/** Directory of the PostgreSQL server binaries (initdb, postgres), newest version first. */
function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs
      .readdirSync(root)
      .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return path.join(root, versions[0], 'bin');
  }
  const initdb = which('initdb');
  return initdb ? path.dirname(fs.realpathSync(initdb)) : undefined;
}

let installed = false;

/**
 * Installs PostgreSQL, Redis and openssl with scripts/install-test-services.sh when one is missing.
 * Runs at most once per test process; throws with the script's output when it fails.
 */
export function ensureTestServices(): void {
  if (installed) return;
  if (postgresBinDir() === undefined || which('redis-server') === undefined || which('openssl') === undefined) {
    const r = spawnSync('bash', [INSTALL_SCRIPT], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    });
    if (r.status !== 0) {
      throw new Error(`scripts/install-test-services.sh failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
  }
  if (postgresBinDir() === undefined)
    throw new Error('PostgreSQL server binaries (initdb) not found after installation');
  if (which('redis-server') === undefined) throw new Error('redis-server not found after installation');
  if (which('openssl') === undefined) throw new Error('openssl not found after installation');
  installed = true;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** uid/gid of the first existing user among `names`. */
function lookupUser(names: string[]): { name: string; uid: number; gid: number } | undefined {
  for (const name of names) {
    const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (r.status === 0 && g.status === 0) return { name, uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
  }
  return undefined;
}

function chownRecursive(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (fs.lstatSync(p).isDirectory()) chownRecursive(p, uid, gid);
    else fs.chownSync(p, uid, gid);
  }
}

async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms:\n${output()}`);
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Sends `signal` to `pid` and each of its child processes (by id). */
function signalTree(pid: number, signal: NodeJS.Signals): void {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  const children = r.stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  for (const p of [pid, ...children]) {
    try {
      process.kill(p, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Connects with the password and runs `SELECT 1`; false while the server is starting. */
async function pgAnswers(port: number, user: string, password: string, database: string): Promise<boolean> {
  const client = new Client({ host: '127.0.0.1', port, user, password, database, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Options of {@link startPostgres}. */
export interface PostgresOptions {
  /**
   * Serve TLS with a certificate for `localhost` (and 127.0.0.1) signed by a throwaway test CA
   * (made with the `openssl` command, which Debian's postgresql package brings along).
   * @default false
   */
  readonly tls?: boolean;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed (exit ${r.status}): ${r.stderr}`);
}

/** A test CA and a server certificate for localhost/127.0.0.1 signed by it, in `dir`. */
function makeServerCertificate(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=mcp-ops test CA'],
    dir,
  );
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  fs.writeFileSync(
    path.join(dir, 'server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  fs.chmodSync(path.join(dir, 'server.key'), 0o600); // PostgreSQL refuses a key others can read
  return {
    caFile: path.join(dir, 'ca.pem'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
  };
}

/**
 * Starts a throwaway PostgreSQL cluster: `initdb` into a temp dir (SCRAM password auth), then
 * `postgres` on a free port of 127.0.0.1 with durability off (fsync, synchronous_commit).
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<LocalPostgres> {
  ensureTestServices();
  const bin = postgresBinDir()!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-pg-'));
  const dataDir = path.join(dir, 'data');
  const user = 'mcp_test';
  const password = randomBytes(12).toString('hex');
  const database = 'postgres';
  const pwfile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  const certificate = options.tls ? makeServerCertificate(dir) : undefined;

  // As root, run as an unprivileged user: setpriv execs in place, so the child's pid is postgres itself.
  let prefix: string[] = [];
  if (isRoot()) {
    const account = lookupUser(['postgres', 'nobody']);
    if (!account) throw new Error('running as root but neither a postgres nor a nobody user exists to run PostgreSQL');
    chownRecursive(dir, account.uid, account.gid);
    prefix = ['setpriv', `--reuid=${account.uid}`, `--regid=${account.gid}`, '--clear-groups', '--'];
  }
  const run = (cmd: string, args: string[]) =>
    (prefix.length ? [prefix[0], [...prefix.slice(1), cmd, ...args]] : [cmd, args]) as [string, string[]];

  const [initCmd, initArgs] = run(path.join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    user,
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--no-locale',
    '--no-sync',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  if (init.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (exit ${init.status}):\n${init.stdout}\n${init.stderr}`);
  }

  const port = await freePort();
  const [cmd, args] = run(path.join(bin, 'postgres'), [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'shared_buffers=16MB',
    '-c',
    'max_connections=40',
    '-c',
    'logging_collector=off',
    ...(certificate
      ? ['-c', 'ssl=on', '-c', `ssl_cert_file=${certificate.certFile}`, '-c', `ssl_key_file=${certificate.keyFile}`]
      : []),
  ]);
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (b: Buffer): void => {
    output = (output + b.toString()).slice(-8_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.pid) signalTree(child.pid, 'SIGCONT');
    await stopChild(child, 'SIGINT'); // fast shutdown
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'PostgreSQL',
      () => pgAnswers(port, user, password, database),
      child,
      () => output,
      30_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    database,
    env: {
      DATABASE_HOST: certificate ? 'localhost' : '127.0.0.1',
      DATABASE_PORT: String(port),
      DATABASE_NAME: database,
      DATABASE_USERNAME: user,
      DATABASE_PASSWORD: password,
      DATABASE_TLS: certificate ? 'true' : 'false',
    },
    caFile: certificate?.caFile,
    suspend: () => {
      if (child.pid) signalTree(child.pid, 'SIGSTOP');
    },
    resume: () => {
      if (child.pid) signalTree(child.pid, 'SIGCONT');
    },
    stop,
  };
}

/** Sends AUTH and PING over a raw socket (TLS when `caFile` is given); true on +PONG. */
function redisAnswers(port: number, password: string, caFile?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = caFile
      ? tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(caFile), servername: 'localhost' })
      : net.connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on(caFile ? 'secureConnect' : 'connect', () => socket.write(`AUTH ${password}\r\nPING\r\n`));
    socket.on('data', (b) => {
      data += b.toString();
      if (data.includes('+PONG')) done(true);
      else if (data.includes('-')) done(false);
    });
  });
}

/**
 * Starts a throwaway redis-server on a free port of 127.0.0.1 with a password and no persistence;
 * with `tls: true` it serves only TLS, with a certificate for localhost from a test CA (as
 * {@link startPostgres}).
 */
export async function startRedis(options: { readonly tls?: boolean } = {}): Promise<LocalRedis> {
  ensureTestServices();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-redis-'));
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  const certificate = options.tls ? makeServerCertificate(dir) : undefined;
  const listen = certificate
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        certificate.certFile,
        '--tls-key-file',
        certificate.keyFile,
        '--tls-ca-cert-file',
        certificate.caFile,
        '--tls-auth-clients',
        'no',
      ]
    : ['--port', String(port)];
  const child = spawn(
    which('redis-server')!,
    [
      ...listen,
      '--bind',
      '127.0.0.1',
      '--requirepass',
      password,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (b: Buffer): void => {
    output = (output + b.toString()).slice(-8_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopChild(child, 'SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'Redis',
      () => redisAnswers(port, password, certificate?.caFile),
      child,
      () => output,
      15_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    password,
    env: {
      CACHE_HOST: certificate ? 'localhost' : '127.0.0.1',
      CACHE_PORT: String(port),
      CACHE_TLS: certificate ? 'true' : 'false',
      CACHE_AUTH_TOKEN: password,
    },
    caFile: certificate?.caFile,
    stop,
  };
}
