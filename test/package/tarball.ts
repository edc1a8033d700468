/**
 * Builds this package, packs it the way it is published, and installs the tarball into a fresh consumer app
 * without the registry: the helper behind test/package/*.test.ts and bench/consumer-install.bench.ts.
 *
 * Offline installs: `npm ci` of this repository leaves every tarball it installed in npm's cache, keyed by
 * integrity, but no registry metadata (packuments), so `npm install --offline <name>@<version>` cannot resolve a
 * version. The consumer app therefore gets a package-lock.json cut from this repository's own lock: the closure of
 * what the app asks for (aws-cdk-lib, constructs and the tarball's own dependencies), at the versions and
 * integrities we test with. npm then installs from the cache alone, as a consumer pinned to those versions would.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export const packageRoot = path.join(__dirname, '..', '..');

/** The npm script that builds what `npm pack` ships: the Lambda and CLI bundles, then the jsii compile (`.jsii`). */
export const BUILD_SCRIPT = 'build';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs npm with its output captured (a passing test prints nothing); throws with npm's output on failure. */
export function runNpm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(npm, [...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `npm ${args.join(' ')} (in ${cwd}) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`,
    );
  }
}

/**
 * `npm run <build> && npm pack` into `destDir` (pack skips `prepare`: the build just ran); returns the tarball's path.
 */
export function buildAndPack(destDir: string, buildScript = BUILD_SCRIPT): string {
  if (buildScript !== BUILD_SCRIPT) runNpm(['run', '--silent', buildScript], packageRoot);
  else {
    // `npm run build`, skipping what is fresh: `npm test` has just run the jsii compile, which takes most of the time.
    runNpm(['run', '--silent', 'bundle', '--', '--if-stale', '--quiet'], packageRoot);
    if (assemblyStale()) runNpm(['run', '--silent', 'compile'], packageRoot);
  }
  const out = runNpm(['pack', '--ignore-scripts', '--json', '--pack-destination', destDir], packageRoot);
  const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
  const tarball = path.join(destDir, path.basename(filename));
  if (!fs.existsSync(tarball)) throw new Error(`npm pack reported ${filename} but ${tarball} does not exist`);
  return tarball;
}

/**
 * Whether the jsii output (`.jsii`, written last beside dist/lib) is missing or older than one of its inputs: a file
 * under lib/, package.json or tsconfig.jsii.json.
 */
export function assemblyStale(): boolean {
  const assembly = path.join(packageRoot, '.jsii');
  if (!fs.existsSync(assembly) || !fs.existsSync(path.join(packageRoot, 'dist', 'lib', 'index.js'))) return true;
  const built = fs.statSync(assembly).mtimeMs;
  const inputs = ['package.json', 'tsconfig.jsii.json'].map((f) => path.join(packageRoot, f));
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else inputs.push(full);
    }
  };
  walk(path.join(packageRoot, 'lib'));
  return inputs.some((f) => fs.statSync(f).mtimeMs > built);
}

/** The version of a package installed in this repository's node_modules. */
export function installedVersion(name: string): string {
  return readJson(path.join(packageRoot, 'node_modules', name, 'package.json')).version;
}

/** The package.json inside a packed tarball. */
export function tarballManifest(tarball: string): PackageManifest {
  return JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly bin?: Record<string, string> | string;
  readonly [key: string]: unknown;
}

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly [key: string]: unknown;
}

/**
 * The entries of this repository's package-lock.json that installing `roots` needs: every package reachable from
 * them by dependencies, optional and peer dependencies, each resolved the way Node does (nearest `node_modules`
 * first), kept at its place in the tree.
 */
export function lockClosure(roots: readonly string[]): Record<string, LockEntry> {
  const packages: Record<string, LockEntry> = readJson(path.join(packageRoot, 'package-lock.json')).packages;
  const picked: Record<string, LockEntry> = {};
  const resolve = (from: string, name: string): string | undefined => {
    for (let dir = from; ; dir = parentOf(dir)) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (packages[candidate]) return candidate;
      if (!dir) return undefined;
    }
  };
  const visit = (location: string): void => {
    if (picked[location]) return;
    const entry = packages[location];
    picked[location] = entry;
    const wanted = { ...entry.peerDependencies, ...entry.optionalDependencies, ...entry.dependencies };
    for (const name of Object.keys(wanted)) {
      const found = resolve(location, name);
      if (found) visit(found);
      else if (entry.dependencies?.[name]) throw new Error(`package-lock.json: ${location} needs ${name}, not locked`);
    }
  };
  for (const name of roots) {
    const found = resolve('', name);
    if (!found) throw new Error(`package-lock.json has no ${name}`);
    visit(found);
  }
  return picked;
}

/** `node_modules/a/node_modules/@s/b` → `node_modules/a`; `node_modules/a` → the root (''). */
function parentOf(location: string): string {
  const i = location.lastIndexOf('/node_modules/');
  return i < 0 ? '' : location.slice(0, i);
}

export interface ConsumerApp {
  readonly dir: string;
  readonly nodeModules: string;
}

/**
 * A fresh app in `dir` with aws-cdk-lib and constructs (the versions this repository tests with) and, when given,
 * the packed tarball, all installed by npm from its cache (`--offline`: never the registry; no install scripts).
 */
export function installConsumerApp(dir: string, tarball?: string): ConsumerApp {
  fs.mkdirSync(dir, { recursive: true });
  const dependencies: Record<string, string> = {
    'aws-cdk-lib': installedVersion('aws-cdk-lib'),
    constructs: installedVersion('constructs'),
  };
  const roots = Object.keys(dependencies);
  const packages: Record<string, LockEntry> = {};
  if (tarball) {
    // The tarball goes in as a `file:` dependency with its own lock entry, the way `npm install ./x.tgz` records it.
    const ours = tarballManifest(tarball);
    const spec = `file:${path.relative(dir, tarball)}`;
    dependencies[ours.name] = spec;
    roots.push(...Object.keys({ ...ours.dependencies, ...ours.optionalDependencies }));
    const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
    packages[`node_modules/${ours.name}`] = {
      version: ours.version,
      resolved: spec,
      integrity,
      license: ours.license,
      ...pick(ours, ['dependencies', 'optionalDependencies', 'peerDependencies', 'bin', 'engines']),
    };
  }
  for (const [location, entry] of Object.entries(lockClosure(roots))) packages[location] = withoutDevFlags(entry);
  const name = 'consumer-app';
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, dependencies }, null, 2));
  const lock = { name, lockfileVersion: 3, requires: true, packages: { '': { name, dependencies }, ...packages } };
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  runNpm(['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], dir);
  return { dir, nodeModules: path.join(dir, 'node_modules') };
}

function pick<T extends object>(o: T, keys: readonly string[]): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => keys.includes(k) && v !== undefined)) as Partial<T>;
}

/** A lock entry as it reads in an app that depends on it for production (our lock marks the peers `dev`). */
function withoutDevFlags(entry: LockEntry): LockEntry {
  const { dev: _dev, devOptional, ...rest } = entry;
  return devOptional ? { ...rest, optional: true } : rest;
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
