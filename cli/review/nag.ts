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

export function renderValidation(v: ValidationSummary, compact = false): string {
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
  // Acknowledgements of packs that did not run on this synth (the compliance packs acknowledge their rules where
  // the finding arises, for apps that run them) are counted, not listed: they answer no finding here, and listing
  // them would push the report past a pull-request comment's size.
  const ranPacks = new Set(v.packs ?? []);
  // A pack's rule ids carry its name with dots (NIST.800-53.R5 → `NIST.800.53.R5-…`).
  const packOf = (a: Acknowledgement): string =>
    CDK_NAG_PACKS.find((p) => a.pack === p || a.rule.startsWith(`${p.replace(/-/g, '.')}-`)) ?? a.pack;
  const shown = v.acknowledgements.filter((a) => !CDK_NAG_PACKS.includes(packOf(a)) || ranPacks.has(packOf(a)));
  const notRun = new Map<string, number>();
  for (const a of v.acknowledgements) if (!shown.includes(a)) notRun.set(packOf(a), (notRun.get(packOf(a)) ?? 0) + 1);
  const byRule = new Map<string, { pack: string; count: number; paths: Set<string> }>();
  for (const a of shown) {
    const k = `${a.pack}\u0000${a.rule}`;
    const e = byRule.get(k) ?? { pack: a.pack, count: 0, paths: new Set<string>() };
    e.count++;
    e.paths.add(a.path);
    byRule.set(k, e);
  }
  out.push(
    `Acknowledged: ${plural(shown.length, 'acknowledgement')} of ${plural(byRule.size, 'rule')}, each with its reason:`,
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
    compact
      ? `Every acknowledgement with its reason is in the full report (\`mcp-ops review --out <file>\`); this one is shortened to fit a pull-request comment.`
      : details(
          `Every acknowledgement (${shown.length}), by rule and reason`,
          table(
            ['rule', 'findings', 'constructs', 'reason'],
            groupByReason(shown).map((g) => [
              code(g.rule),
              g.findings.map((x) => (x ? code(x) : 'all')).join('<br>'),
              g.paths.map(code).join('<br>'),
              g.reason,
            ]),
          ),
        ),
  );
  if (notRun.size > 0)
    out.push(
      '',
      `Also in the template, for packs that did not run here (\`-c compliance=…\`): ${[...notRun.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([pack, n]) => `${plural(n, 'acknowledgement')} of ${code(pack)}`)
        .join(', ')}.`,
    );
  return out.join('\n');
}

/** Acknowledgements of one rule with one reason, together: the same reason is written once. */
function groupByReason(
  acks: readonly Acknowledgement[],
): Array<{ rule: string; reason: string; findings: string[]; paths: string[] }> {
  const groups = new Map<string, { rule: string; reason: string; findings: string[]; paths: string[] }>();
  for (const a of acks) {
    const key = `${a.rule}\u0000${a.reason}`;
    const g = groups.get(key) ?? { rule: a.rule, reason: a.reason, findings: [], paths: [] };
    if (!g.findings.includes(a.finding)) g.findings.push(a.finding);
    if (!g.paths.includes(a.path)) g.paths.push(a.path);
    groups.set(key, g);
  }
  return [...groups.values()];
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
