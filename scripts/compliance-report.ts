/**
 * Counts the unacknowledged cdk-nag findings of the default app, per pack and rule, under AwsSolutions and the
 * four compliance packs (NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1, Serverless): the figures of
 * docs/compliance.md. One synth per variant, the packs applied together, Lambda bundling skipped.
 *
 *   npx tsx scripts/compliance-report.ts             # the default app
 *   npx tsx scripts/compliance-report.ts --variants  # and every combination row of test/app/context-matrix.ts
 *                                                    # (the recovery-Region rows included)
 *   npx tsx scripts/compliance-report.ts --rules     # with the count of each rule
 *   npx tsx scripts/compliance-report.ts --paths     # with each finding's construct path
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildDefaultApp } from '../lib/app/build';
import { COMPLIANCE_PACKS } from '../lib/app/config';
import { COMBINATION_ROWS, RECOVERY_COMBINATION_ROWS } from '../test/app/context-matrix';
import { featureFlags, Finding, validationReport } from '../test/support/app';

const PLUGINS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless'];

function findingsOf(context: Record<string, string>): Finding[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-compliance-'));
  try {
    const app = new App({
      outdir,
      context: {
        ...featureFlags,
        'aws:cdk:bundling-stacks': [],
        ...context,
        compliance: COMPLIANCE_PACKS.join(','),
      },
    });
    buildDefaultApp(app);
    // The synth prints its own validation report; this script prints the counts.
    const quiet = () => undefined;
    const saved = { log: console.log, error: console.error, warn: console.warn };
    Object.assign(console, { log: quiet, error: quiet, warn: quiet });
    try {
      return validationReport(app).findings;
    } finally {
      Object.assign(console, saved);
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function summary(name: string, findings: Finding[], rules: boolean): string[] {
  const lines = [`${name}: ${findings.length} unacknowledged finding(s)`];
  for (const plugin of [...PLUGINS, ...new Set(findings.map((f) => f.plugin).filter((p) => !PLUGINS.includes(p)))]) {
    const mine = findings.filter((f) => f.plugin === plugin);
    const byRule = new Map<string, number>();
    for (const f of mine) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    lines.push(`  ${plugin}: ${mine.length} finding(s), ${byRule.size} rule(s)`);
    if (rules)
      for (const [rule, n] of [...byRule].sort(([a], [b]) => (a < b ? -1 : 1))) {
        lines.push(`    ${rule}: ${n}`);
        if (paths) for (const f of mine.filter((x) => x.rule === rule)) lines.push(`      ${f.path}`);
      }
  }
  return lines;
}

const args = process.argv.slice(2);
const paths = args.includes('--paths');
const rules = paths || args.includes('--rules');
const rows = [
  { name: 'default app', context: {} },
  ...(args.includes('--variants') ? [...COMBINATION_ROWS, ...RECOVERY_COMBINATION_ROWS] : []),
];
let total = 0;
for (const row of rows) {
  const findings = findingsOf({ ...row.context });
  total += findings.length;
  process.stdout.write(summary(row.name, findings, rules).join('\n') + '\n');
}
process.exitCode = total === 0 ? 0 : 1;
