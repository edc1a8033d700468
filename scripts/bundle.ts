/**
 * `npm run bundle` (also run by `npm run build` and by `prepare`, so `npm ci` leaves the bundles in place): builds,
 * with esbuild's API and this repository's lock file, the code the package ships pre-bundled:
 *
 * - every Lambda handler `lambda/<name>/index.ts` → `dist/lambda/<name>/index.js`, the whole asset directory that
 *   `McpOpsFunction` deploys with `lambda.Code.fromAsset` (Node.js 24, one minified CommonJS file, AWS SDK included,
 *   no source map; docs/packaging.md gives the figures behind these choices);
 * - the operator CLI `cli/mcp-ops.ts` → `dist/cli/mcp-ops.js`, package.json's `bin` (Node.js 20.19+, the engines
 *   range, since it runs on the operator's machine).
 *
 * Consumers of the package therefore need neither esbuild nor the handlers' or the CLI's dependencies. esbuild's
 * metafile of each bundle goes to `dist/bundle-meta/` (not shipped): its inputs tell when a bundle is stale.
 *
 * Usage: `tsx scripts/bundle.ts [--if-stale] [--quiet]`. `--if-stale` rebuilds only bundles that are missing or older
 * than one of their inputs (the jest global setup uses it).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { build, BuildOptions, Metafile } from 'esbuild';
import { CLI_BUNDLE, LAMBDA_BUNDLES_DIR, LAMBDA_BUNDLE_FILE } from '../lib/internal/paths';

const root = path.join(__dirname, '..');
const META_DIR = path.join(root, 'dist', 'bundle-meta');

/** One bundle: an entry point and the single file esbuild writes for it. */
export interface BundleSpec {
  /** `lambda/<name>` or `cli`. */
  readonly id: string;
  /** Absolute path of the entry point. */
  readonly entry: string;
  /** Absolute path of the output file. */
  readonly outfile: string;
  readonly options: BuildOptions;
}

/** What the Lambdas and the CLI share: one self-contained CommonJS file, minified, for Node. */
const COMMON: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  minify: true,
  // Prefer the packages' ES module builds: esbuild tree-shakes them, while the AWS SDK's CommonJS builds are one
  // file per client with every command in it (backup: 731 KB instead of 1.3 MB, and a faster cold import).
  mainFields: ['module', 'main'],
  // No source maps: a map deployed beside the code doubles the asset and needs NODE_OPTIONS=--enable-source-maps,
  // which slows every cold start; handler errors carry their own context (bucket, key, field), see docs/packaging.md.
  sourcemap: false,
  // Licence notices of the bundled packages stay in the file (at its end), as their licences ask.
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
  write: false,
};

/** Every bundle this package ships: one per `lambda/<name>/index.ts`, and the CLI. */
export function bundleSpecs(): BundleSpec[] {
  const lambdaDir = path.join(root, 'lambda');
  const handlers = fs
    .readdirSync(lambdaDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(lambdaDir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
  return [
    ...handlers.map((name) => ({
      id: `lambda/${name}`,
      entry: path.join(lambdaDir, name, 'index.ts'),
      outfile: path.join(root, LAMBDA_BUNDLES_DIR, name, LAMBDA_BUNDLE_FILE),
      // The runtime McpOpsFunction deploys (lambda.Runtime.NODEJS_24_X).
      options: { ...COMMON, target: 'node24' },
    })),
    {
      id: 'cli',
      entry: path.join(root, 'cli', 'mcp-ops.ts'),
      outfile: path.join(root, CLI_BUNDLE),
      // package.json engines: node >= 20.19. The entry's `#!/usr/bin/env node` line is kept. aws-cdk-lib and
      // constructs are the package's peers, installed beside it: a subcommand that synthesizes uses the app's copy.
      // pg's optional native binding is only loaded when asked for (NODE_PG_FORCE_NATIVE); it is not installed.
      options: {
        ...COMMON,
        target: 'node20.19',
        external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'pg-native'],
      },
    },
  ];
}

function metaFile(spec: BundleSpec): string {
  return path.join(META_DIR, `${spec.id.replace(/\//g, '-')}.json`);
}

/**
 * Whether a bundle must be rebuilt: its output or metafile is missing, or its output is older than one of the inputs
 * esbuild read for it last time (sources and node_modules files), this script, or package-lock.json.
 */
export function isStale(spec: BundleSpec): boolean {
  if (!fs.existsSync(spec.outfile) || !fs.existsSync(metaFile(spec))) return true;
  const built = fs.statSync(spec.outfile).mtimeMs;
  let inputs: string[];
  try {
    inputs = Object.keys((JSON.parse(fs.readFileSync(metaFile(spec), 'utf8')) as Metafile).inputs);
  } catch {
    return true;
  }
  const files = [...inputs.map((f) => path.resolve(root, f)), __filename, path.join(root, 'package-lock.json')];
  // A deleted input (a moved source file) also means the bundle was built from something that no longer exists.
  return files.some((f) => !fs.existsSync(f) || fs.statSync(f).mtimeMs > built);
}

export interface BundleResult {
  readonly id: string;
  readonly outfile: string;
  readonly bytes: number;
  readonly gzippedBytes: number;
  /** False when the bundle was fresh (--if-stale) or esbuild produced the bytes already on disk. */
  readonly written: boolean;
}

/**
 * Builds the bundles (all, or only the stale ones). Output files are replaced atomically, and only when their bytes
 * change, so a test synthesizing from `dist/lambda` while another rebuilds never reads half a file.
 */
export async function buildBundles(options: { ifStale?: boolean } = {}): Promise<BundleResult[]> {
  const specs = bundleSpecs().filter((s) => !options.ifStale || isStale(s));
  return Promise.all(specs.map(buildOne));
}

async function buildOne(spec: BundleSpec): Promise<BundleResult> {
  const result = await build({
    ...spec.options,
    absWorkingDir: root,
    entryPoints: [spec.entry],
    outfile: spec.outfile,
  });
  const [output] = result.outputFiles ?? [];
  if (!output || result.outputFiles!.length !== 1) {
    throw new Error(`${spec.id}: esbuild wrote ${result.outputFiles?.length ?? 0} files, expected exactly one`);
  }
  const peers = Object.keys(result.metafile!.inputs).filter((f) => /node_modules\/(aws-cdk-lib|constructs)\//.test(f));
  if (spec.id.startsWith('lambda/') && peers.length > 0) {
    // A handler that pulls in construct code would ship aws-cdk-lib in its bundle: keep CDK imports out of what
    // lambda/ imports from lib/ (pure modules only).
    throw new Error(`${spec.id}: the bundle would include ${peers[0]} (and ${peers.length - 1} more CDK files)`);
  }
  const bytes = Buffer.from(output.contents);
  const written = writeIfChanged(spec.outfile, bytes);
  if (!written) fs.utimesSync(spec.outfile, new Date(), new Date()); // fresh now, whatever the inputs' times
  writeIfChanged(metaFile(spec), Buffer.from(JSON.stringify(result.metafile)));
  if (spec.id === 'cli') fs.chmodSync(spec.outfile, 0o755);
  return {
    id: spec.id,
    outfile: spec.outfile,
    bytes: bytes.length,
    gzippedBytes: zlib.gzipSync(bytes).length,
    written,
  };
}

function writeIfChanged(file: string, bytes: Buffer): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file).equals(bytes)) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
  return true;
}

async function main(argv: readonly string[]): Promise<void> {
  const unknown = argv.filter((a) => a !== '--if-stale' && a !== '--quiet');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]}; usage: bundle.ts [--if-stale] [--quiet]`);
  const results = await buildBundles({ ifStale: argv.includes('--if-stale') });
  if (argv.includes('--quiet')) return;
  for (const r of results) {
    const where = path.relative(root, r.outfile);
    const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;
    console.log(`${where}: ${kb(r.bytes)} (${kb(r.gzippedBytes)} gzipped)${r.written ? '' : ', unchanged'}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`bundle: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}
