/**
 * The review report: Markdown for a pull-request comment, one part per stack, byte-identical for the same
 * input (everything is sorted by content; no dates, paths or machine details). Sections: what needs
 * attention (stateful replacements first), the architecture diagram, exposure and identity, IAM, changes
 * against the base, alarms, capacity and cost, synth-time validation, and the pre-production checklist.
 */
import { ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { AlarmSummary, alarms as readAlarms } from './alarms';
import { Assembly, StackArtifact } from './assembly';
import { capacityFacts, renderCapacity } from './capacity';
import { ChangeSummary, describeLoss, orphans, renderChanges, statefulLosses, summarizeChanges } from './changes';
import { checklist, renderChecklist } from './checklist';
import { CostModel } from './cost';
import { renderDiagram } from './diagram';
import { exposure, renderExposure } from './exposure';
import { ExternalTrust, RoleSummary, Wildcard, externalTrust, roles, wildcards } from './iam';
import { bullets, cell, code, details, plural, table } from './markdown';
import { renderValidation, validationSummary } from './nag';
import { isOutsideVpc, networkModel } from './network';
import { CfnTemplate, compare, entries } from './template';

/** Marks the report so CI can find and update its own pull-request comment instead of adding another. */
export const REPORT_MARKER = '<!-- mcp-ops-review -->';

export interface ReviewOptions {
  /** What is deployed now (the comparison's base). */
  readonly base?: Assembly;
  /** How the base is named in the report (e.g. `main`, the file name). */
  readonly baseLabel?: string;
  /** Prices the capacity; without one the report says the cost is not available in this build. */
  readonly costModel?: CostModel;
  /**
   * Leave out the per-acknowledgement table (the per-rule counts stay), for a report that must fit a
   * pull-request comment. The CLI turns it on when the full report is over the comment limit.
   */
  readonly compact?: boolean;
}

export function renderReport(app: Assembly, options: ReviewOptions = {}): string {
  const parts = app.stacks.map((stack) => renderStack(stack, app, options));
  return [REPORT_MARKER, ...parts].join('\n');
}

function renderStack(stack: StackArtifact, app: Assembly, options: ReviewOptions): string {
  const t = stack.template;
  const baseStack = options.base ? pairBase(stack, app, options.base) : undefined;
  const baseTemplate: CfnTemplate | undefined = options.base ? (baseStack?.template ?? { Resources: {} }) : undefined;
  const baseLabel = options.baseLabel ?? 'the base';
  const account = stack.account ?? baseStack?.account;
  const network = networkModel(t);
  const roleList = roles(t, account);
  const wild = wildcards(roleList);
  const trust = externalTrust(t, roleList, account);
  const baseRoles = baseTemplate ? roles(baseTemplate, account) : undefined;
  const baseWild = baseRoles ? new Set(wildcards(baseRoles).map((w) => w.key)) : undefined;
  const baseTrust =
    baseRoles && baseTemplate ? new Set(externalTrust(baseTemplate, baseRoles, account).map((x) => x.key)) : undefined;
  const newWild = baseWild ? wild.filter((w) => !baseWild.has(w.key)) : [];
  const newTrust = baseTrust ? trust.filter((x) => !baseTrust.has(x.key)) : [];
  const changes = baseTemplate ? summarizeChanges(baseTemplate, t) : undefined;
  const alarmList = readAlarms(t);
  const baseAlarms = baseTemplate ? readAlarms(baseTemplate) : undefined;
  const capacity = capacityFacts(t, stack.region);
  const exposed = exposure(t, network);
  const validation = validationSummary(stack.metadata, app.openFindings, app.featureFlags);

  const out: string[] = [];
  out.push(`## mcp-ops review: ${code(stack.displayName)}`, '');
  if (t.Description) out.push(`> ${cell(t.Description)}`, '');
  out.push(
    [
      plural(entries(t).length, 'resource'),
      plural(roleList.length, 'IAM role'),
      plural(alarmList.length, 'alarm'),
      stack.account && stack.region ? `aws://${stack.account}/${stack.region}` : 'environment-agnostic',
      options.base ? `compared with ${baseLabel}` : 'no base given (`--base`): nothing to compare',
    ].join(' · '),
    '',
  );

  out.push('### Needs attention', '');
  out.push(bullets(attention(changes, newTrust, newWild, exposed, network, baseTemplate, validation.open.length)));

  out.push('### Architecture', '', renderDiagram(t, network));
  out.push('### Exposure and identity', '', renderExposure(exposed));
  out.push('### IAM', '', renderIam(roleList, wild, trust, newWild, newTrust, options.base !== undefined, baseLabel));
  out.push(`### Changes against ${baseLabel}`, '');
  out.push(
    changes
      ? renderChanges(changes, baseLabel)
      : 'No base given: run with `--base <cdk.out folder or template file>` to see what this change does to the deployed stack.\n',
  );
  out.push('### Alarms', '', renderAlarms(alarmList, baseAlarms));
  out.push(
    '### Capacity and cost',
    '',
    renderCapacity(
      capacity,
      baseTemplate ? capacityFacts(baseTemplate, baseStack?.region ?? stack.region) : undefined,
      options.costModel,
    ),
  );
  out.push('### Synth-time validation (cdk-nag)', '', renderValidation(validation, options.compact ?? false));
  out.push('### Pre-production checklist', '');
  out.push(
    'From the operations guide (Operational Readiness → Pre-Production Checklist); status as far as the template shows it.',
    '',
  );
  out.push(renderChecklist(checklist(t, alarmList, capacity)));
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

/** The base stack for `stack`: same artifact id, same display name, or the only stack on both sides. */
function pairBase(stack: StackArtifact, app: Assembly, base: Assembly): StackArtifact | undefined {
  return (
    base.stacks.find((b) => b.id === stack.id) ??
    base.stacks.find((b) => b.displayName === stack.displayName) ??
    (base.stacks.length === 1 && app.stacks.length === 1 ? base.stacks[0] : undefined)
  );
}

function attention(
  changes: ChangeSummary | undefined,
  newTrust: readonly ExternalTrust[],
  newWild: readonly Wildcard[],
  exposed: ReturnType<typeof exposure>,
  network: ReturnType<typeof networkModel>,
  base: CfnTemplate | undefined,
  openFindings: number,
): string[] {
  const items: string[] = [];
  if (changes) {
    for (const r of statefulLosses(changes)) items.push(`⛔ ${describeLoss(r)}`);
    for (const r of orphans(changes)) items.push(`⚠️ ${describeLoss(r)}`);
    const destroyed = changes.resources.filter((r) => r.impact === ResourceImpact.WILL_DESTROY && !r.stateful);
    if (destroyed.length)
      items.push(
        `⚠️ **Deletes** ${plural(destroyed.length, 'resource')}: ${destroyed.map((r) => code(r.name)).join(', ')}.`,
      );
  }
  for (const x of newTrust)
    items.push(
      `🆕 **New external trust**: ${code(x.holderName)} trusts ${code(x.principal)} (${x.reason})${x.condition ? ` when ${x.condition}` : ''}.`,
    );
  if (newWild.length) {
    const byHolder = new Map<string, string[]>();
    for (const w of newWild)
      byHolder.set(w.holderName, [...(byHolder.get(w.holderName) ?? []), `${code(w.action)} on ${code(w.resource)}`]);
    for (const [holder, grants] of [...byHolder.entries()].sort(([a], [b]) => compare(a, b))) {
      items.push(`🆕 **New wildcard** in ${code(holder)}: ${grants.join(', ')}.`);
    }
  }
  if (base) {
    const before = networkModel(base);
    const seen = new Set(
      before.ingress.map((r) => `${r.groupId} ${JSON.stringify(r.peer)} ${r.protocol} ${r.fromPort} ${r.toPort}`),
    );
    for (const r of network.ingress) {
      if (!isOutsideVpc(r.peer, network.vpcCidrs)) continue;
      if (seen.has(`${r.groupId} ${JSON.stringify(r.peer)} ${r.protocol} ${r.fromPort} ${r.toPort}`)) continue;
      items.push(
        `🆕 **New ingress from outside the VPC**: ${code(r.peer.kind === 'cidr' ? r.peer.cidr : r.peer.kind)} to ${code(r.groupId)}.`,
      );
    }
  }
  if (changes?.permissionsBroadened && !newWild.length && !newTrust.length)
    items.push('IAM permissions are broadened (see the IAM statement changes below).');
  for (const l of exposed.listeners) {
    if (l.tls.startsWith('none') && !l.defaultAction.startsWith('redirect')) {
      items.push(
        `⚠️ Public listener ${code(`${l.protocol} ${l.port}`)} on ${code(l.loadBalancer)} has no TLS: requests, including bearer tokens, cross the internet in plain text.`,
      );
    }
  }
  if (openFindings)
    items.push(`⚠️ ${plural(openFindings, 'validation finding')} still open (see Synth-time validation).`);
  return items;
}

function renderIam(
  list: readonly RoleSummary[],
  wild: readonly Wildcard[],
  trust: readonly ExternalTrust[],
  newWild: readonly Wildcard[],
  newTrust: readonly ExternalTrust[],
  compared: boolean,
  baseLabel: string,
): string {
  const out: string[] = [];
  const statements = list.reduce((n, r) => n + r.grants.length, 0);
  out.push(
    `${plural(list.length, 'role')}, ${plural(statements, 'policy statement')}, ${plural(wild.length, 'wildcard grant')}, ${plural(trust.length, 'external trust')}.`,
    '',
  );
  if (compared) {
    out.push(
      newWild.length || newTrust.length
        ? `New against ${baseLabel}: ${plural(newWild.length, 'wildcard')}, ${plural(newTrust.length, 'external trust')} (marked 🆕).`
        : `No new wildcard and no new external trust against ${baseLabel}.`,
      '',
    );
  }
  const newKeys = new Set(newWild.map((w) => w.key));
  const newTrustKeys = new Set(newTrust.map((x) => x.key));
  out.push('**Trust outside the account**', '');
  out.push(
    table(
      ['', 'holder', 'principal', 'why it is external', 'may', 'condition'],
      trust.map((x) => [
        newTrustKeys.has(x.key) ? '🆕' : '',
        code(x.holderName),
        code(x.principal),
        x.reason,
        x.actions.map(code).join(', '),
        x.condition,
      ]),
    ),
  );
  const wildTable = table(
    ['', 'role', 'action', 'resource'],
    wild.map((w) => [newKeys.has(w.key) ? '🆕' : '', code(w.holderName), code(w.action), code(w.resource)]),
  );
  const onStar = wild.filter((w) => w.resource === '*').length;
  out.push(
    `**Wildcard grants**: ${plural(wild.length, 'grant')} with an action with \`*\`, a \`*\` resource or NotAction/NotResource (${onStar} on resource \`*\`; the cdk-nag acknowledgements below give each one's reason).`,
    '',
    wild.length > 12 ? details(`Every wildcard grant (${wild.length})`, wildTable) : wildTable,
  );
  out.push('**Roles**', '');
  for (const r of list) {
    const marks = wild.filter((w) => w.holder === r.id).length;
    const trusted = r.trust.map((t) => t.principal.replace(/^Service: /, '')).join(', ') || 'nobody';
    const body: string[] = [
      `Assumed by: ${r.trust.map((t) => `${code(t.principal)}${t.condition ? ` when ${t.condition}` : ''}`).join('; ') || 'nobody'}.`,
      '',
    ];
    if (r.managedPolicies.length) body.push(`Managed policies: ${r.managedPolicies.map(code).join(', ')}.`, '');
    body.push(
      table(
        ['effect', 'actions', 'resources', 'condition'],
        r.grants.map((g) => [
          g.actions.some((a) => g.resources.some((res) => newKeys.has(`${r.id}|${a}|${res}`)))
            ? `🆕 ${g.effect}`
            : g.effect,
          g.actions.map(code).join('<br>'),
          g.resources.map(code).join('<br>'),
          g.condition,
        ]),
      ),
    );
    out.push(
      details(
        `${r.name} (${trusted}): ${plural(r.grants.length, 'statement')}${marks ? `, ${plural(marks, 'wildcard')}` : ''}`,
        body.join('\n'),
      ),
    );
  }
  return out.join('\n');
}

function renderAlarms(list: readonly AlarmSummary[], base: readonly AlarmSummary[] | undefined): string {
  const before = base ? new Map(base.map((a) => [a.id, a])) : undefined;
  const change = (a: AlarmSummary) => {
    if (!before) return [];
    const b = before.get(a.id);
    if (!b) return ['🆕 new'];
    return [b.threshold !== a.threshold || b.severity !== a.severity ? 'changed' : ''];
  };
  const headers = ['alarm', 'severity', 'threshold', 'runbook', ...(before ? ['against the base'] : [])];
  const rows = list.map((a) => [
    code(a.name),
    a.severity,
    a.threshold,
    a.runbook ? runbookLink(a.runbook) : 'none',
    ...change(a),
  ]);
  const removed = base ? base.filter((b) => !list.some((a) => a.id === b.id)) : [];
  const out = [table(headers, rows)];
  if (removed.length) out.push(`Removed against the base: ${removed.map((a) => code(a.name)).join(', ')}.`, '');
  return out.join('\n');
}

function runbookLink(runbook: string): string {
  if (!/^https?:\/\//.test(runbook)) return code(runbook);
  const label = runbook.replace(/^https?:\/\/[^/]+\//, '').replace(/^.*\/(docs\/)/, '$1');
  return `[${label}](${runbook})`;
}
