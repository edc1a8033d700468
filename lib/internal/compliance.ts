import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The cdk-nag compliance packs whose rule ids an acknowledgement names: a rule that several packs share
 * (e.g. `IAMNoInlinePolicy`) is acknowledged in each, with the same reason. An id of a pack that does not
 * have the rule, or that did not run, matches nothing.
 */
const PACK_PREFIXES = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless'] as const;

/**
 * Acknowledges compliance-pack rules on the construct that causes them (and its children), one specific
 * reason per rule: `{ LambdaInsideVPC: 'calls only AWS APIs ...' }`. docs/compliance.md lists them all.
 */
export function acknowledgeCompliance(scope: IConstruct, reasons: Readonly<Record<string, string>>): void {
  Validations.of(scope).acknowledge(
    ...Object.entries(reasons).flatMap(([rule, reason]) =>
      PACK_PREFIXES.map((prefix) => ({ id: `${prefix}-${rule}`, reason })),
    ),
  );
}
