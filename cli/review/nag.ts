/**
 * The synth-time validation of a stack: which cdk-nag packs ran (the `mcp-ops:validation-plugins` metadata
 * the default app records), whether CloudFormation's own rules ran (`@aws-cdk/core:validateAgainstDefaultRules`),
 * what was acknowledged and why (`aws:cdk:acknowledged-rules` construct metadata, written to the stack's
 * metadata file by aws-cdk-lib), and the findings the validation report still lists.
 */
import { VALIDATION_PLUGINS_METADATA } from '../../lib/internal/validation-metadata';
import { MetadataEntry, OpenFinding } from './assembly';
import { code, details, plural, table } from './markdown';
import { compare, isObject } from './template';

export interface Acknowledgement {
  /** `AwsSolutions`, `CloudFormation-Validate`, or `construct annotations`. */
  readonly pack: string;
  /** `AwsSolutions-IAM5`, `W3010`, `mcp-ops:noCertificate`. */
  readonly rule: string;
  /** The narrowed finding (`Resource::*`), or empty for the whole rule. */
  readonly finding: string;
  /** Construct path the acknowledgement is on (it covers everything below it). */
  readonly path: string;
  readonly reason: string;
}

export interface ValidationSummary {
  /** Packs recorded as run, or undefined when the app did not record them. */
  readonly packs?: readonly string[];
  readonly cloudFormationRules: boolean;
  readonly acknowledgements: readonly Acknowledgement[];
  readonly open: readonly OpenFinding[];
}

const CDK_NAG_PACKS = [
  'AwsSolutions',
  'HIPAA.Security',
  'NIST.800-53.R4',
  'NIST.800-53.R5',
  'PCI.DSS.321',
  'Serverless',
];

export function validationSummary(
  metadata: readonly MetadataEntry[],
  open: readonly OpenFinding[],
  featureFlags: Readonly<Record<string, unknown>>,
): ValidationSummary {
  const recorded = metadata.filter((m) => m.type === VALIDATION_PLUGINS_METADATA);
  const packs = recorded.length
    ? [...new Set(recorded.flatMap((m) => (Array.isArray(m.data) ? m.data.map(String) : [String(m.data)])))].sort(
        compare,
      )
    : undefined;
  const known = [...new Set([...CDK_NAG_PACKS, ...(packs ?? [])])].sort((a, b) => b.length - a.length);
  const acknowledgements: Acknowledgement[] = [];
  for (const m of metadata) {
    if (m.type !== 'aws:cdk:acknowledged-rules' || !isObject(m.data)) continue;
    for (const [id, value] of Object.entries(m.data)) {
      const reason =
        typeof value === 'string'
          ? value
          : isObject(value) && typeof value.reason === 'string'
            ? value.reason
            : JSON.stringify(value);
      acknowledgements.push({ ...parseRule(id, known), path: m.path.replace(/^\//, ''), reason });
    }
  }
  acknowledgements.sort((a, b) =>
    compare(`${a.pack} ${a.rule} ${a.path} ${a.finding}`, `${b.pack} ${b.rule} ${b.path} ${b.finding}`),
  );
  return {
    ...(packs ? { packs } : {}),
    cloudFormationRules: featureFlags['@aws-cdk/core:validateAgainstDefaultRules'] === true,
    acknowledgements,
    open,
  };
}

export function renderValidation(v: ValidationSummary): string {
  const ran: string[] = [];
  if (v.packs) ran.push(...v.packs.map((p) => `cdk-nag ${code(p)}`));
  if (v.cloudFormationRules) ran.push("CloudFormation's own rules (`@aws-cdk/core:validateAgainstDefaultRules`)");
  const out: string[] = [];
  out.push(
    v.packs
      ? `Ran at synth: ${ran.join(', ')}. Any finding not acknowledged fails the synth.`
      : `Packs that ran: not recorded in this cloud assembly (the app adds no ${code(VALIDATION_PLUGINS_METADATA)} metadata; the default app does).${v.cloudFormationRules ? ` CloudFormation's own rules ran (\`@aws-cdk/core:validateAgainstDefaultRules\`).` : ''}`,
    '',
  );
  if (v.open.length) {
    out.push(
      `**Findings still open** (${v.open.length}):`,
      '',
      table(
        ['severity', 'plugin', 'rule', 'construct', 'finding'],
        v.open.map((f) => [f.severity, f.plugin, code(f.rule), code(f.path), f.description]),
      ),
    );
  } else {
    out.push('Findings still open: none.', '');
  }
  if (!v.acknowledgements.length) {
    out.push('Acknowledged: nothing.');
    return out.join('\n').concat('\n');
  }
  const byRule = new Map<string, { pack: string; count: number; paths: Set<string> }>();
  for (const a of v.acknowledgements) {
    const k = `${a.pack}\u0000${a.rule}`;
    const e = byRule.get(k) ?? { pack: a.pack, count: 0, paths: new Set<string>() };
    e.count++;
    e.paths.add(a.path);
    byRule.set(k, e);
  }
  out.push(
    `Acknowledged: ${plural(v.acknowledgements.length, 'acknowledgement')} of ${plural(byRule.size, 'rule')}, each with its reason:`,
    '',
    table(
      ['pack', 'rule', 'acknowledgements', 'constructs'],
      [...byRule.entries()].map(([k, e]) => [
        e.pack,
        code(k.split('\u0000')[1]),
        String(e.count),
        String(e.paths.size),
      ]),
    ),
    details(
      `Every acknowledgement (${v.acknowledgements.length})`,
      table(
        ['rule', 'finding', 'construct', 'reason'],
        v.acknowledgements.map((a) => [code(a.rule), a.finding ? code(a.finding) : 'all', code(a.path), a.reason]),
      ),
    ),
  );
  return out.join('\n');
}

function parseRule(id: string, packs: readonly string[]): Pick<Acknowledgement, 'pack' | 'rule' | 'finding'> {
  const bare = id.replace(/^annotation::/i, '');
  const cfn = /^([A-Za-z]+-Validate)::(.+)$/.exec(bare);
  if (cfn) return { pack: cfn[1], rule: cfn[2], finding: '' };
  for (const pack of packs) {
    if (bare.startsWith(`${pack}-`)) {
      const m = /^([^[]+)(?:\[(.*)\])?$/.exec(bare)!;
      return { pack, rule: m[1], finding: m[2] ?? '' };
    }
  }
  return { pack: 'construct annotations', rule: bare, finding: '' };
}
