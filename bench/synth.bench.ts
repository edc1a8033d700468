import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { buildDefaultApp } from '../lib/app/build';
import { median, printTable, timeMs } from './util';

export const title = 'Synthesis: default app vs an empty aws-cdk-lib app';

const RUNS = 5;
const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'));

function outdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-bench-'));
}

export async function run(): Promise<void> {
  // Warm up module loading and esbuild once, so the runs compare synthesis, not require().
  { const app = new App({ context: cdkJson.context, outdir: outdir() }); buildDefaultApp(app); app.synth(); }
  const full: number[] = [];
  const empty: number[] = [];
  let templateFile = '';
  for (let i = 0; i < RUNS; i++) {
    const dir = outdir();
    full.push(await timeMs(() => {
      const app = new App({ context: cdkJson.context, outdir: dir });
      const stack = buildDefaultApp(app);
      app.synth();
      templateFile = path.join(dir, stack.templateFile);
    }));
    empty.push(await timeMs(() => {
      const app = new App({ context: cdkJson.context, outdir: outdir() });
      new Stack(app, 'Empty', { env: { account: '111111111111', region: 'eu-west-1' } });
      app.synth();
    }));
  }
  const template = fs.readFileSync(templateFile, 'utf8');
  const resources = Object.keys(JSON.parse(template).Resources).length;
  const fullMs = median(full);
  const emptyMs = median(empty);
  printTable([
    ['runs (each)', RUNS],
    ['default app synth, median ms', fullMs.toFixed(0)],
    ['empty app synth, median ms', emptyMs.toFixed(1)],
    ['ratio default/empty', (fullMs / emptyMs).toFixed(1)],
    ['template resources', resources],
    ['template bytes', Buffer.byteLength(template)],
  ]);
}
