import * as fs from 'fs';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { NIST80053R5Checks } from 'cdk-nag';
import type { Finding } from '../support/app';

/**
 * Synthesizes `app` with cdk-nag's NIST 800-53 R5 pack as a validation plugin and returns its unacknowledged
 * findings (construct annotations left out). The app must not have been synthesized before.
 */
export function nistFindings(app: App): Finding[] {
  Validations.of(app).addPlugins(new NIST80053R5Checks(app));
  try {
    app.synth();
  } catch (err) {
    if (!/ValidationFailed|Validation failed|validation-report/.test(String(err))) throw err;
  }
  const reportFile = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const findings: Finding[] = [];
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      if (String(v.ruleName).startsWith('Annotation::')) continue;
      for (const c of v.violatingConstructs ?? []) {
        findings.push({
          plugin: plugin.pluginName,
          rule: v.ruleName,
          severity: v.severity,
          path: c.constructPath,
          description: v.description,
        });
      }
    }
  }
  return findings;
}
