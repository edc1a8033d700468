/**
 * Whole-process `cdk synth --quiet` of the default app (cdk.json's app command) against the floor (bench/floor-app.ts,
 * one resource), both through this repository's CDK CLI with the same flags, the same cdk.json context and the same
 * app runner, alternating runs. What a user waits for at `npx cdk synth`: CLI start, the app's module loading,
 * construction, cdk-nag's validation plugin, writing the assembly and (before pre-bundling) esbuild.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { median, printTable } from './util';

export const title = 'Synthesis: whole-process `cdk synth` of the default app vs the floor (one resource)';

const RUNS = 3;
const root = path.join(__dirname, '..');
const cdkCli = path.join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const defaultApp: string = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).app;
// The floor runs through the same runner as cdk.json's app command (`npx tsx <file>`), so only the app differs.
const floorApp = defaultApp.replace(/bin\/mcp-ops\.ts/, 'bench/floor-app.ts');

/** Wall time in ms of one `cdk synth --quiet` of `app` into a fresh folder; throws with the CLI's output on failure. */
function synthMs(app: string): { ms: number; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-synth-bench-'));
  const start = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [cdkCli, 'synth', '--quiet', '--no-notices', '--no-version-reporting', '--app', app, '--output', outdir],
    { cwd: root, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`cdk synth --app '${app}' failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { ms, outdir };
}

export async function run(): Promise<void> {
  if (floorApp === defaultApp)
    throw new Error(`cannot derive the floor app from cdk.json's app command: ${defaultApp}`);
  const full: number[] = [];
  const floor: number[] = [];
  let outdir = '';
  for (let i = 0; i < RUNS; i++) {
    const f = synthMs(defaultApp);
    full.push(f.ms);
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
    outdir = f.outdir;
    const e = synthMs(floorApp);
    floor.push(e.ms);
    fs.rmSync(e.outdir, { recursive: true, force: true });
  }
  const templateFile = fs.readdirSync(outdir).find((f) => f.endsWith('.template.json'));
  const template = templateFile ? fs.readFileSync(path.join(outdir, templateFile), 'utf8') : '{"Resources":{}}';
  fs.rmSync(outdir, { recursive: true, force: true });
  const fullMs = median(full);
  const floorMs = median(floor);
  printTable([
    ['command', `cdk synth --quiet --app '<app>' (runs: ${RUNS} each, alternating)`],
    ['default app, median s', (fullMs / 1000).toFixed(2)],
    ['floor (one resource), median s', (floorMs / 1000).toFixed(2)],
    ['ratio default/floor (goal <= 1.5)', (fullMs / floorMs).toFixed(2)],
    ['template resources', Object.keys(JSON.parse(template).Resources).length],
    ['template bytes', Buffer.byteLength(template)],
  ]);
}
