/**
 * `-c compliance=...`: the packs it names run beside AwsSolutions, an unknown name is a clear error, and the
 * default app is clean under all four (the context-matrix rows are, in test/app/context-matrix.test.ts).
 */
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildDefaultApp } from '../../lib/app/build';
import { COMPLIANCE_PACKS, parseAppConfig } from '../../lib/app/config';
import { VALIDATION_PLUGINS_METADATA } from '../../lib/internal/validation-metadata';
import { describeFindings, testApp, validationReport } from '../support/app';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

describe('compliance context key', () => {
  test('unset: AwsSolutions only', () => {
    expect(parseAppConfig({}).compliance).toEqual([]);
  });

  test('any subset, any order and case, each once, in the documented order', () => {
    expect(parseAppConfig({ compliance: 'serverless, HIPAA,hipaa' }).compliance).toEqual(['hipaa', 'serverless']);
    expect(parseAppConfig({ compliance: [...COMPLIANCE_PACKS].reverse() }).compliance).toEqual([...COMPLIANCE_PACKS]);
  });

  test('an unknown pack is an error naming the value and the allowed packs', () => {
    expect(() => parseAppConfig({ compliance: 'nist-800-53-r5,sox' })).toThrow(
      'context compliance: expected a comma-separated list of nist-800-53-r5, hipaa, pci-dss-3.2.1, serverless, got "sox"',
    );
    expect(() => parseAppConfig({ compliance: 7 })).toThrow(/context compliance: expected a comma-separated list/);
  });

  test('the default app under all four packs: no unacknowledged finding; the packs are recorded', () => {
    const app = testApp({ ...NO_BUNDLING, compliance: COMPLIANCE_PACKS.join(',') });
    const stack = buildDefaultApp(app);
    const { findings } = validationReport(app);
    expect(describeFindings(findings)).toEqual([]);
    const names = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless'];
    expect(stack.node.metadata.find((m) => m.type === VALIDATION_PLUGINS_METADATA)?.data).toEqual(names);
    expect(stack.templateOptions.metadata).toEqual({ 'mcp-ops:compliance-packs': names });
  });

  test.each([
    ['deletionProtection', 'false', ['RDSInstanceDeletionProtectionEnabled', 'ELBDeletionProtectionEnabled']],
    ['waf', 'false', ['ALBWAFEnabled']],
  ])(
    '-c %s=%s alone under all four packs: clean, each explicit opt-out acknowledged with its reason',
    (key, value, rules) => {
      const app = testApp({ ...NO_BUNDLING, compliance: COMPLIANCE_PACKS.join(','), [key]: value });
      const stack = buildDefaultApp(app);
      expect(describeFindings(validationReport(app).findings)).toEqual([]);
      const acknowledged = JSON.stringify(
        stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules')),
      );
      for (const rule of rules)
        expect(acknowledged).toMatch(new RegExp(`NIST\\.800\\.53\\.R5-${rule}[^]*switched off explicitly`));
    },
  );

  test('the packs do run: a finding they own fails the synth', () => {
    const app = testApp({ ...NO_BUNDLING, compliance: 'pci-dss-3.2.1' });
    const stack = buildDefaultApp(app);
    // An unencrypted log group of nobody's making: PCI DSS's CloudWatchLogGroupEncrypted, not an AwsSolutions rule.
    new logs.LogGroup(stack, 'Stray');
    const rules = validationReport(app).findings.map((f) => `${f.plugin}:${f.rule}`);
    expect(rules).toContain('PCI.DSS.321:PCI.DSS.321-CloudWatchLogGroupEncrypted');
  });
});
