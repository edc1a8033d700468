import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { buildDefaultApp } from '../lib/app/build';
import { median, printTable, timeMs } from './util';

export const title = 'Synthesis: default app vs a minimal aws-cdk-lib app (one placeholder resource)';

const RUNS = 5;
const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'));

function outdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-bench-'));
}

export async function run(): Promise<void> {
  // Warm up module loading and esbuild once, so the runs compare synthesis, not require().
  {
    const app = new App({ context: cdkJson.context, outdir: outdir() });
    buildDefaultApp(app);
    app.synth();
  }
  const full: number[] = [];
  const empty: number[] = [];
  let templateFile = '';
  for (let i = 0; i < RUNS; i++) {
    const dir = outdir();
    full.push(
      await timeMs(() => {
        const app = new App({ context: cdkJson.context, outdir: dir });
        const stack = buildDefaultApp(app);
        app.synth();
        templateFile = path.join(dir, stack.templateFile);
      }),
    );
    empty.push(
      await timeMs(() => {
        // The smallest aws-cdk-lib app CloudFormation accepts: one stack with one placeholder resource
        // (an empty Resources section is itself a validation error), same context as the default app.
        const app = new App({ context: cdkJson.context, outdir: outdir() });
        const stack = new Stack(app, 'Empty', { env: { account: '111111111111', region: 'eu-west-1' } });
        new CfnWaitConditionHandle(stack, 'Placeholder');
        app.synth();
      }),
    );
  }
  const template = fs.readFileSync(templateFile, 'utf8');
  const resources = Object.keys(JSON.parse(template).Resources).length;
  const fullMs = median(full);
  const emptyMs = median(empty);
  printTable([
    ['runs (each)', RUNS],
    ['default app synth, median ms', fullMs.toFixed(0)],
    ['minimal app synth, median ms', emptyMs.toFixed(1)],
    ['ratio default/minimal', (fullMs / emptyMs).toFixed(1)],
    ['template resources', resources],
    ['template bytes', Buffer.byteLength(template)],
  ]);
}
