/**
 * Every documented context key of the default app, at a non-default value, alone and in the combinations
 * that interact, synthesizes offline (no lookups) and passes cdk-nag (AwsSolutions) and CloudFormation's
 * own rules with no unacknowledged finding; and each key changes the template (none is silently ignored).
 * The combinations also pass the four compliance packs (NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1,
 * Serverless), applied together in the same synth. One synth per row, lambda bundling skipped (the bundles
 * are tested elsewhere).
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildDefaultApp } from '../../lib/app/build';
import { COMPLIANCE_PACKS, CONTEXT_KEYS } from '../../lib/app/config';
import { describeFindings, testApp, validationReport } from '../support/app';
import { COMBINATION_ROWS, MatrixRow, NON_DEFAULT, RECOVERY_COMBINATION_ROWS, singleRows } from './context-matrix';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

interface RowResult {
  readonly findings: string[];
  readonly warnings: string[];
  readonly missing: unknown[];
  /** The stack template, for the "changes something" check (without the record of the packs that ran). */
  readonly template: string;
}

const ALL_PACKS = COMPLIANCE_PACKS.join(',');

/** The template without `mcp-ops:compliance-packs`, which records the packs that ran and changes nothing else. */
function withoutPackRecord(template: string): string {
  const parsed = JSON.parse(template);
  if (parsed.Metadata) delete parsed.Metadata['mcp-ops:compliance-packs'];
  if (parsed.Metadata && Object.keys(parsed.Metadata).length === 0) delete parsed.Metadata;
  return JSON.stringify(parsed);
}

function synthRow(context: Record<string, string>, normalise = false): RowResult {
  const app = testApp({ ...NO_BUNDLING, ...context });
  const stack = buildDefaultApp(app);
  const { findings, warnings } = validationReport(app);
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8'));
  const template = fs.readFileSync(path.join(app.outdir, stack.templateFile), 'utf8');
  return {
    findings: describeFindings(findings),
    warnings: warnings.map((w) => w.rule.replace(/^Annotation::/, '')),
    missing: manifest.missing ?? [],
    template: normalise ? withoutPackRecord(template) : template,
  };
}

const DEFAULT = synthRow({});
const DEFAULT_NORMALISED = withoutPackRecord(DEFAULT.template);
const keys = CONTEXT_KEYS.map((k) => k.key);

test('every documented key has a non-default value in the matrix', () => {
  expect(Object.keys(NON_DEFAULT).sort()).toEqual([...keys].sort());
});

test('the default app: clean, offline', () => {
  expect(DEFAULT.findings).toEqual([]);
  expect(DEFAULT.missing).toEqual([]);
});

describe.each<[string, MatrixRow[], boolean]>([
  ['alone', singleRows(keys), false],
  ['combined, under every compliance pack', [...COMBINATION_ROWS], true],
  ['combined with a recovery Region, under every compliance pack', [...RECOVERY_COMBINATION_ROWS], true],
])('context keys %s', (_kind, rows, packs) => {
  test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const result = synthRow(packs ? { ...row.context, compliance: ALL_PACKS } : row.context, packs);
    expect(result.findings).toEqual([]);
    expect(result.missing).toEqual([]);
    // Each setting reaches the template, or says why it does not: a key that did neither would be ignored silently.
    const baseline = packs ? DEFAULT_NORMALISED : DEFAULT.template;
    if (row.warns) for (const id of row.warns) expect(result.warnings).toContain(id);
    else expect({ templateChanged: result.template !== baseline }).toEqual({ templateChanged: true });
  });
});
