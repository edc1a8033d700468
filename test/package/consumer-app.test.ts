/**
 * "The README is the test" (issue 10): builds this package, packs it, installs the tarball into a fresh app in a
 * temporary folder without the registry (test/package/tarball.ts), and synthesizes every TypeScript block of
 * README.md's "Using the constructs" section as written: type-checked against the installed package's
 * declarations, then `cdk synth` by the CDK CLI, with no esbuild anywhere in the app or on the PATH.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { buildAndPack, installConsumerApp, packageRoot, tarballManifest } from './tarball';

const run = promisify(execFile);
const README_SECTION = '## Using the constructs in your own stack';

/** The ```ts blocks of one `## ` section of README.md. */
function readmeBlocks(readme: string, heading: string): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const next = readme.indexOf('\n## ', start + heading.length + 2);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** PATH without node_modules/.bin folders (npm test puts ours, with esbuild in it, first). */
function pathWithoutNodeModules(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => !p.split(path.sep).includes('node_modules'))
    .join(path.delimiter);
}

/** Every `node_modules/<name>` folder below `dir` (nested ones too). */
function findPackages(dir: string, name: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const full = path.join(d, e.name);
      if (e.name === name && path.basename(d) === 'node_modules') found.push(full);
      walk(full);
    }
  };
  walk(dir);
  return found;
}

/** The environment of the consumer's commands: no node_modules/.bin on the PATH, no AWS credentials or profile. */
function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: pathWithoutNodeModules(),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  for (const k of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'NODE_OPTIONS']) {
    delete env[k];
  }
  return env;
}

const blocks = readmeBlocks(fs.readFileSync(path.join(packageRoot, 'README.md'), 'utf8'), README_SECTION);
const cdkCli = path.join(packageRoot, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const tsc = path.join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const env = consumerEnv();
// Building, installing and three synths take about a minute on two idle cores; a loaded machine takes longer.
const TIMEOUT_MS = 600_000;

describe('a consumer app installs the packed package and synthesizes the README examples', () => {
  let tmp: string;
  let tarball: string;
  let appDir: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-consumer-'));
    tarball = buildAndPack(tmp);
    appDir = installConsumerApp(path.join(tmp, 'app'), tarball).dir;
    fs.mkdirSync(path.join(appDir, 'bin'));
    blocks.forEach((code, i) => fs.writeFileSync(path.join(appDir, 'bin', `example-${i + 1}.ts`), code));
    // A `cdk init app --language typescript`-style compile: strict, CommonJS output, no @types/node needed.
    fs.writeFileSync(
      path.join(appDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['es2022'],
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          skipLibCheck: true,
          types: [],
          outDir: 'out',
          rootDir: 'bin',
        },
        include: ['bin/*.ts'],
      }),
    );
  }, TIMEOUT_MS);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('the README section has self-contained examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const code of blocks) {
      expect(code).toMatch(/^import .* from 'mcp-ops-cdk';$/m);
      expect(code).toMatch(/new App\(\)/);
    }
  });

  test('the package installs with nothing but its peers: no dependencies, no esbuild, the LICENSE inside', () => {
    const manifest = tarballManifest(tarball);
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.peerDependencies ?? {}).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    const installed = fs.readdirSync(path.join(appDir, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(installed.filter((n) => !n.startsWith('@')).sort()).toEqual(['aws-cdk-lib', 'constructs', 'mcp-ops-cdk']);
    expect(findPackages(path.join(appDir, 'node_modules'), 'esbuild')).toEqual([]);
    expect((env.PATH ?? '').split(path.delimiter).some((p) => fs.existsSync(path.join(p, 'esbuild')))).toBe(false);
    const ours = path.join(appDir, 'node_modules', 'mcp-ops-cdk');
    expect(fs.readFileSync(path.join(ours, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(fs.existsSync(path.join(appDir, 'node_modules', '.bin', 'mcp-ops'))).toBe(true);
  });

  test(
    'every example type-checks against the installed package and synthesizes with `cdk synth`',
    async () => {
      await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: appDir, env }).catch((e) => {
        throw new Error(`README examples do not compile against the package:\n${e.stdout}${e.stderr}`);
      });
      const bundles = path.join(appDir, 'node_modules', 'mcp-ops-cdk', 'dist', 'lambda');
      const shipped = new Set(
        fs.readdirSync(bundles).map((n) => fs.readFileSync(path.join(bundles, n, 'index.js'), 'hex')),
      );
      await Promise.all(
        blocks.map(async (_, i) => {
          const out = path.join(tmp, `cdk.out.${i + 1}`);
          const args = ['synth', '--quiet', '--no-notices', '--app', `node out/example-${i + 1}.js`, '--output', out];
          const synth = run(process.execPath, [cdkCli, ...args], { cwd: appDir, env, timeout: TIMEOUT_MS });
          const result = await synth.catch((e) => {
            throw new Error(`README example ${i + 1} does not synthesize:\n${e.stdout}${e.stderr}`);
          });
          expect(result.stderr).not.toMatch(/Bundling asset/);
          const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
          expect(manifest.missing ?? []).toEqual([]);
          expect(fs.readdirSync(out).filter((f) => f.endsWith('.template.json')).length).toBeGreaterThan(0);
          // The package's Lambdas are its pre-built bundles, staged byte for byte, each alone in its asset folder.
          const assets = fs.readdirSync(out).filter((f) => f.startsWith('asset.'));
          const isShipped = (file: string): boolean =>
            fs.statSync(file).isFile() && shipped.has(fs.readFileSync(file, 'hex'));
          const ours = assets.filter((dir) =>
            fs.readdirSync(path.join(out, dir)).some((f) => isShipped(path.join(out, dir, f))),
          );
          expect(ours.length).toBeGreaterThan(0);
          for (const dir of ours) expect(fs.readdirSync(path.join(out, dir))).toEqual(['index.js']);
        }),
      );
    },
    TIMEOUT_MS,
  );
});
