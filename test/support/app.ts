import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));

/** The feature flags of cdk.json (including `@aws-cdk/core:validateAgainstDefaultRules: true`). */
export const featureFlags: Record<string, unknown> = Object.fromEntries(
  Object.entries(cdkJson.context as Record<string, unknown>).filter(([k]) => k.startsWith('@aws-cdk')),
);

/** A test App with the project's feature flags and no asset staging outside a temp dir. */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...featureFlags, ...context } });
}

/** A stack in a fixed account and region (no credentials, no lookups). */
export function testStack(app: App = testApp(), id = 'TestStack', props: StackProps = {}): Stack {
  return new Stack(app, id, { env: { account: '111111111111', region: 'eu-west-1' }, ...props });
}

/** One finding of a validation plugin (cdk-nag's AwsSolutions, or CloudFormation's own rules). */
export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
  readonly description: string;
}

/**
 * Adds cdk-nag's AwsSolutionsChecks as a validation plugin, synthesizes the app and returns every
 * unacknowledged finding, errors and warnings alike (an empty list means clean). The app must not
 * have been synthesized before, and should not be reused for other assertions.
 */
export function nagFindings(app: App): Finding[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return validationReport(app).findings;
}

/**
 * Synthesizes an app whose validation plugins are already added (the default app adds cdk-nag itself) and
 * returns the report: the unacknowledged findings (see {@link nagFindings}) and, apart, the construct
 * annotations at warning level (e.g. `mcp-ops:settingIgnored`), which are not findings.
 */
export function validationReport(app: App): { findings: Finding[]; warnings: Finding[] } {
  try {
    app.synth();
  } catch (err) {
    if (!/ValidationFailed|Validation failed|validation-report/.test(String(err))) throw err;
  }
  const reportFile = path.join(app.outdir, 'validation-report.json');
  const findings: Finding[] = [];
  const warnings: Finding[] = [];
  if (!fs.existsSync(reportFile)) return { findings, warnings };
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  for (const plugin of report.pluginReports ?? []) {
    for (const v of plugin.violations ?? []) {
      for (const c of v.violatingConstructs ?? []) {
        const finding = {
          plugin: plugin.pluginName,
          rule: v.ruleName,
          severity: v.severity,
          path: c.constructPath,
          description: v.description,
        };
        // Construct annotations (e.g. McpService's "no certificate" warning) are asserted where they are made.
        if (String(v.ruleName).startsWith('Annotation::') && v.severity !== 'error') warnings.push(finding);
        else findings.push(finding);
      }
    }
  }
  return { findings, warnings };
}

/** Readable one-line form of findings, for test failure messages. */
export function describeFindings(findings: Finding[]): string[] {
  return findings.map((f) => `${f.severity} ${f.rule} at ${f.path}: ${f.description}`);
}
