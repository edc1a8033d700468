/**
 * Every documented context key of the default app, at a non-default value, alone and in the combinations
 * that interact, synthesizes offline (no lookups) and passes cdk-nag (AwsSolutions) and CloudFormation's
 * own rules with no unacknowledged finding; and each key changes the template (none is silently ignored).
 * One synth per row, lambda bundling skipped (the bundles are tested elsewhere).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildDefaultApp } from '../../lib/app/build';
import { CONTEXT_KEYS } from '../../lib/app/config';
import { describeFindings, testApp, validationReport } from '../support/app';
import { COMBINATION_ROWS, MatrixRow, NON_DEFAULT, singleRows } from './context-matrix';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

interface RowResult {
  readonly findings: string[];
  readonly warnings: string[];
  readonly missing: unknown[];
  /** The stack template, for the "changes something" check. */
  readonly template: string;
}

function synthRow(context: Record<string, string>): RowResult {
  const app = testApp({ ...NO_BUNDLING, ...context });
  const stack = buildDefaultApp(app);
  const { findings, warnings } = validationReport(app);
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8'));
  const template = fs.readFileSync(path.join(app.outdir, stack.templateFile), 'utf8');
  return {
    findings: describeFindings(findings),
    warnings: warnings.map((w) => w.rule.replace(/^Annotation::/, '')),
    missing: manifest.missing ?? [],
    template,
  };
}

const DEFAULT = synthRow({});
const keys = CONTEXT_KEYS.map((k) => k.key);

test('every documented key has a non-default value in the matrix', () => {
  expect(Object.keys(NON_DEFAULT).sort()).toEqual([...keys].sort());
});

test('the default app: clean, offline', () => {
  expect(DEFAULT.findings).toEqual([]);
  expect(DEFAULT.missing).toEqual([]);
});

describe.each<[string, MatrixRow[]]>([
  ['alone', singleRows(keys)],
  ['combined', [...COMBINATION_ROWS]],
])('context keys %s', (_kind, rows) => {
  test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const result = synthRow(row.context);
    expect(result.findings).toEqual([]);
    expect(result.missing).toEqual([]);
    // Each setting reaches the template, or says why it does not: a key that did neither would be ignored silently.
    if (row.warns) for (const id of row.warns) expect(result.warnings).toContain(id);
    else expect({ templateChanged: result.template !== DEFAULT.template }).toEqual({ templateChanged: true });
  });
});
