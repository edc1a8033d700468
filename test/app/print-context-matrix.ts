/**
 * Prints the context-key matrix of the default app with each row's result (for reports and reviews):
 * `npx tsx test/app/print-context-matrix.ts`. The assertions are in context-matrix.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildDefaultApp } from '../../lib/app/build';
import { CONTEXT_KEYS } from '../../lib/app/config';
import { testApp, validationReport } from '../support/app';
import { COMBINATION_ROWS, MatrixRow, singleRows } from './context-matrix';

function run(row: MatrixRow, baseline?: string) {
  const app = testApp({ 'aws:cdk:bundling-stacks': [], ...row.context });
  const started = Date.now();
  const stack = buildDefaultApp(app);
  const { findings, warnings } = validationReport(app);
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8'));
  const template = fs.readFileSync(path.join(app.outdir, stack.templateFile), 'utf8');
  return {
    ms: Date.now() - started,
    findings: findings.length,
    lookups: (manifest.missing ?? []).length,
    changed: baseline === undefined ? '—' : template !== baseline ? 'yes' : 'no',
    warnings: [...new Set(warnings.map((w) => w.rule.replace(/^Annotation::mcp-ops:/, '')))].join(', ') || '—',
    template,
  };
}

const base = run({ name: 'defaults', context: {} });
const rows = [...singleRows(CONTEXT_KEYS.map((k) => k.key)), ...COMBINATION_ROWS];
const out = ['| row | context | nag findings | lookups | template changed | warnings |', '|---|---|---|---|---|---|'];
out.push(`| defaults | — | ${base.findings} | ${base.lookups} | — | ${base.warnings} |`);
for (const row of rows) {
  const r = run(row, base.template);
  const ctx = Object.entries(row.context)
    .map(([k, v]) => `${k}=${v.length > 40 ? `${v.slice(0, 37)}…` : v}`)
    .join(' ');
  out.push(`| ${row.name} | ${ctx} | ${r.findings} | ${r.lookups} | ${r.changed} | ${r.warnings} |`);
}
process.stdout.write(`${out.join('\n')}\n`);
