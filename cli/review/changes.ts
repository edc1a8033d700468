/**
 * What a change does against a base template, with `@aws-cdk/cloudformation-diff` (the library behind
 * `cdk diff`): every resource change with its impact (create, update, replace, destroy, orphan) and the
 * properties that cause it, output changes, and the IAM statement and security-group rule changes the
 * library extracts. Stateful resources that would be replaced, destroyed or orphaned are called out.
 *
 * CloudFormation replaces a resource by creating the new one, pointing references at it and then deleting
 * the old one unless its UpdateReplacePolicy is Retain or Snapshot; a resource removed from the template is
 * deleted unless its DeletionPolicy keeps it, and a retained resource leaves CloudFormation's scope and keeps
 * costing money: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatereplacepolicy.html
 */
import { ResourceDifference, ResourceImpact, TemplateDiff, fullDiff } from '@aws-cdk/cloudformation-diff';
import { cell, code, plural, table } from './markdown';
import { CfnResource, CfnTemplate, compare, displayName, render, shortType } from './template';

/** Resource types that hold data or identity a replacement or deletion loses. */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  'AWS::RDS::DBInstance': 'database',
  'AWS::RDS::DBCluster': 'database cluster',
  'AWS::ElastiCache::ReplicationGroup': 'cache',
  'AWS::ElastiCache::CacheCluster': 'cache',
  'AWS::ElastiCache::ServerlessCache': 'cache',
  'AWS::MemoryDB::Cluster': 'cache',
  'AWS::DynamoDB::Table': 'table',
  'AWS::DynamoDB::GlobalTable': 'table',
  'AWS::S3::Bucket': 'bucket',
  'AWS::Logs::LogGroup': 'log group',
  'AWS::KMS::Key': 'key',
  'AWS::SecretsManager::Secret': 'secret',
  'AWS::EFS::FileSystem': 'file system',
  'AWS::OpenSearchService::Domain': 'search domain',
  'AWS::Kinesis::Stream': 'stream',
  'AWS::SQS::Queue': 'queue',
  'AWS::Cognito::UserPool': 'user pool',
  'AWS::Backup::BackupVault': 'backup vault',
};

/** One resource change, summarized. */
export interface ResourceChangeSummary {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly impact: ResourceImpact;
  /** `Prop: old → new`, `Prop (replacement)`, `DeletionPolicy: …`. */
  readonly details: readonly string[];
  /** What kind of data it holds (database, bucket, write-once bucket, …), when stateful. */
  readonly stateful?: string;
  /** What happens to the old physical resource (snapshot, retained, deleted), for stateful replacements and removals. */
  readonly fate?: string;
}

export interface ChangeSummary {
  readonly resources: readonly ResourceChangeSummary[];
  readonly outputs: readonly string[];
  readonly iam: readonly (readonly string[])[];
  readonly securityGroups: readonly (readonly string[])[];
  readonly otherSections: readonly string[];
  readonly permissionsBroadened: boolean;
}

const IMPACT_ORDER: readonly ResourceImpact[] = [
  ResourceImpact.WILL_REPLACE,
  ResourceImpact.MAY_REPLACE,
  ResourceImpact.WILL_DESTROY,
  ResourceImpact.WILL_ORPHAN,
  ResourceImpact.WILL_UPDATE,
  ResourceImpact.WILL_CREATE,
  ResourceImpact.WILL_IMPORT,
  ResourceImpact.NO_CHANGE,
];

const IMPACT_WORDS: Record<ResourceImpact, string> = {
  [ResourceImpact.WILL_REPLACE]: '⛔ replace',
  [ResourceImpact.MAY_REPLACE]: '⚠️ may replace',
  [ResourceImpact.WILL_DESTROY]: '⛔ destroy',
  [ResourceImpact.WILL_ORPHAN]: '⚠️ orphan',
  [ResourceImpact.WILL_UPDATE]: 'update',
  [ResourceImpact.WILL_CREATE]: 'create',
  [ResourceImpact.WILL_IMPORT]: 'import',
  [ResourceImpact.NO_CHANGE]: 'no change',
};

/** Compares `base` (what is deployed) with `current` (what this change deploys). */
export function summarizeChanges(base: CfnTemplate, current: CfnTemplate): ChangeSummary {
  const diff = fullDiff(withoutPaths(base), withoutPaths(current));
  const resources: ResourceChangeSummary[] = [];
  diff.resources.forEachDifference((id, change) => {
    if (change.changeImpact === ResourceImpact.NO_CHANGE) return;
    const original = current.Resources?.[id] ?? base.Resources?.[id];
    resources.push(summarizeResource(id, change, original ? displayName({ id, resource: original }) : id));
  });
  resources.sort((a, b) => IMPACT_ORDER.indexOf(a.impact) - IMPACT_ORDER.indexOf(b.impact) || compare(a.id, b.id));
  const outputs: string[] = [];
  diff.outputs.forEachDifference((id, change) => {
    const verb = change.isAddition ? 'added' : change.isRemoval ? 'removed' : 'changed';
    outputs.push(`${code(id)} ${verb}`);
  });
  return {
    resources,
    outputs: outputs.sort(compare),
    iam: iamRows(diff),
    securityGroups: securityGroupRows(diff),
    otherSections: otherSections(diff),
    permissionsBroadened: diff.permissionsBroadened,
  };
}

/** The stateful resources this change replaces, destroys or orphans (most severe first). */
export function statefulLosses(summary: ChangeSummary): ResourceChangeSummary[] {
  return summary.resources.filter(
    (r) =>
      r.stateful !== undefined &&
      [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE, ResourceImpact.WILL_DESTROY].includes(r.impact),
  );
}

/** Resources the change removes from the stack but CloudFormation keeps (DeletionPolicy Retain). */
export function orphans(summary: ChangeSummary): ResourceChangeSummary[] {
  return summary.resources.filter((r) => r.impact === ResourceImpact.WILL_ORPHAN);
}

/** One attention line for a stateful replacement, destruction or orphan. */
export function describeLoss(r: ResourceChangeSummary): string {
  const what = `the ${r.stateful ?? shortType(r.type)} ${code(r.name)} (${shortType(r.type)})`;
  const cause = r.details.filter((d) => d.includes('replacement')).join('; ');
  if (r.impact === ResourceImpact.WILL_ORPHAN) {
    return `**Orphans** ${what}: removed from the template, kept by DeletionPolicy Retain; it leaves the stack, keeps costing money and keeps its name taken.`;
  }
  if (r.impact === ResourceImpact.WILL_DESTROY)
    return `**Deletes** ${what}: ${r.fate ?? 'its data is deleted with it'}.`;
  const verb = r.impact === ResourceImpact.MAY_REPLACE ? '**May replace**' : '**Replaces**';
  return `${verb} ${what}${cause ? ` (${cause})` : ''}: a new, empty one is created and the old one ${r.fate ?? 'is deleted'}.`;
}

/** The Markdown of the "Changes" section. */
export function renderChanges(summary: ChangeSummary, baseLabel: string): string {
  const counts = new Map<ResourceImpact, number>();
  for (const r of summary.resources) counts.set(r.impact, (counts.get(r.impact) ?? 0) + 1);
  const parts = IMPACT_ORDER.filter((i) => counts.has(i)).map(
    (i) => `${counts.get(i)} ${IMPACT_WORDS[i].replace(/^\S+ /, '')}`,
  );
  const out: string[] = [`Against ${baseLabel}: ${parts.length ? parts.join(', ') : 'no resource changes'}.`, ''];
  if (summary.resources.length) {
    out.push(
      table(
        ['impact', 'resource', 'type', 'what changes'],
        summary.resources.map((r) => [
          IMPACT_WORDS[r.impact],
          `${code(r.name)}${r.name !== r.id ? ` (${r.id})` : ''}`,
          shortType(r.type),
          r.details.length ? r.details.join('; ') : r.impact === ResourceImpact.WILL_CREATE ? 'new' : '',
        ]),
      ),
    );
  }
  if (summary.outputs.length) out.push(`Outputs: ${summary.outputs.join(', ')}.`, '');
  if (summary.otherSections.length) out.push(`Also changed: ${summary.otherSections.join(', ')}.`, '');
  if (summary.iam.length) {
    out.push(
      `**IAM statement changes**${summary.permissionsBroadened ? ' (permissions broadened)' : ''}:`,
      '',
      table(['', 'resource', 'effect', 'action', 'principal', 'condition'], summary.iam),
    );
  }
  if (summary.securityGroups.length) {
    out.push(
      '**Security-group rule changes**:',
      '',
      table(['', 'group', 'direction', 'protocol', 'peer'], summary.securityGroups),
    );
  }
  return out.join('\n').trimEnd().concat('\n');
}

function summarizeResource(id: string, change: ResourceDifference, name: string): ResourceChangeSummary {
  const resource = (change.newValue ?? change.oldValue) as CfnResource;
  const old = change.oldValue as CfnResource | undefined;
  const type = change.newResourceType ?? change.oldResourceType ?? resource.Type;
  const details: string[] = [];
  if (change.resourceTypeChanged)
    details.push(`type ${change.oldResourceType} → ${change.newResourceType} (replacement)`);
  for (const name of Object.keys(change.propertyUpdates).sort(compare)) {
    const d = change.propertyUpdates[name];
    const replaces = d.changeImpact === ResourceImpact.WILL_REPLACE || d.changeImpact === ResourceImpact.MAY_REPLACE;
    const values = shortValues(d.oldValue, d.newValue);
    const mark =
      d.changeImpact === ResourceImpact.MAY_REPLACE ? ' (may need replacement)' : replaces ? ' (replacement)' : '';
    details.push(`${name}${values ? `: ${values}` : ''}${mark}`);
  }
  for (const name of Object.keys(change.otherChanges).sort(compare)) {
    if (name === 'Metadata') continue;
    const d = change.otherChanges[name];
    details.push(`${name}${shortValues(d.oldValue, d.newValue) ? `: ${shortValues(d.oldValue, d.newValue)}` : ''}`);
  }
  const stateful = statefulKind(resource);
  const impact = change.changeImpact;
  return {
    id,
    name,
    type,
    impact,
    details,
    ...(stateful ? { stateful } : {}),
    ...(stateful ? { fate: fateOf(impact, old) } : {}),
  };
}

/** A copy without `aws:cdk:path` metadata: a construct path is a name, not a change CloudFormation makes. */
function withoutPaths(template: CfnTemplate): CfnTemplate {
  const resources: Record<string, CfnResource> = {};
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    if (!r.Metadata || !('aws:cdk:path' in r.Metadata)) {
      resources[id] = r;
      continue;
    }
    const { ['aws:cdk:path']: _path, ...rest } = r.Metadata;
    resources[id] = Object.keys(rest).length ? { ...r, Metadata: rest } : (({ Metadata: _m, ...bare }) => bare)(r);
  }
  return { ...template, Resources: resources };
}

function statefulKind(resource: CfnResource): string | undefined {
  const kind = STATEFUL_TYPES[resource.Type];
  if (!kind) return undefined;
  const lock = resource.Properties?.ObjectLockEnabled;
  if (resource.Type === 'AWS::S3::Bucket' && (lock === true || lock === 'true'))
    return 'write-once (Object Lock) bucket';
  return kind;
}

function fateOf(impact: ResourceImpact, old: CfnResource | undefined): string | undefined {
  if (!old) return undefined;
  const policy = impact === ResourceImpact.WILL_DESTROY ? old.DeletionPolicy : old.UpdateReplacePolicy;
  const attribute = impact === ResourceImpact.WILL_DESTROY ? 'DeletionPolicy' : 'UpdateReplacePolicy';
  if (policy === 'Snapshot') return `is deleted after a final snapshot (${attribute} Snapshot)`;
  if (policy === 'Retain' || policy === 'RetainExceptOnCreate') {
    return `is kept outside the stack (${attribute} ${policy}): it keeps costing money, and nothing points at it any more`;
  }
  return `is deleted with its data (no ${attribute} keeps it)`;
}

/** `a → b` for short scalar values, else empty (the table then just names the property). */
function shortValues(oldValue: unknown, newValue: unknown): string {
  const show = (v: unknown) => (v === undefined ? '(none)' : render(v));
  const a = show(oldValue);
  const b = show(newValue);
  if (
    a.length > 60 ||
    b.length > 60 ||
    a.startsWith('{') ||
    b.startsWith('{') ||
    a.startsWith('[') ||
    b.startsWith('[')
  )
    return '';
  return `${code(a)} → ${code(b)}`;
}

function iamRows(diff: TemplateDiff): string[][] {
  const rows: string[][] = [];
  const add = (
    sign: string,
    st: { render(): { resource: string; effect: string; action: string; principal: string; condition: string } },
  ) => {
    const r = st.render();
    rows.push([sign, r.resource, r.effect, r.action, r.principal, r.condition].map((c) => cell(stripAnsi(c))));
  };
  for (const st of diff.iamChanges.statements.additions) add('+', st);
  for (const st of diff.iamChanges.statements.removals) add('−', st);
  for (const p of diff.iamChanges.managedPolicies.additions)
    rows.push(['+', p.identityArn, 'managed policy', p.managedPolicyArn, '', ''].map(cell));
  for (const p of diff.iamChanges.managedPolicies.removals)
    rows.push(['−', p.identityArn, 'managed policy', p.managedPolicyArn, '', ''].map(cell));
  return rows.sort((a, b) => compare(a.slice(1).join(' '), b.slice(1).join(' ')) || compare(a[0], b[0]));
}

function securityGroupRows(diff: TemplateDiff): string[][] {
  const rows: string[][] = [];
  const add = (
    sign: string,
    direction: string,
    r: { groupId: string; describeProtocol(): string; describePeer(): string },
  ) => rows.push([sign, r.groupId, direction, r.describeProtocol(), r.describePeer()].map((c) => cell(stripAnsi(c))));
  for (const r of diff.securityGroupChanges.ingress.additions) add('+', 'in', r);
  for (const r of diff.securityGroupChanges.ingress.removals) add('−', 'in', r);
  for (const r of diff.securityGroupChanges.egress.additions) add('+', 'out', r);
  for (const r of diff.securityGroupChanges.egress.removals) add('−', 'out', r);
  return rows.sort((a, b) => compare(a.slice(1).join(' '), b.slice(1).join(' ')) || compare(a[0], b[0]));
}

function otherSections(diff: TemplateDiff): string[] {
  const out: string[] = [];
  if (diff.description?.isDifferent) out.push('the stack description');
  if (diff.parameters.differenceCount) out.push(plural(diff.parameters.differenceCount, 'parameter'));
  if (diff.conditions.differenceCount) out.push(plural(diff.conditions.differenceCount, 'condition'));
  if (diff.mappings.differenceCount) out.push(plural(diff.mappings.differenceCount, 'mapping'));
  if (diff.unknown.differenceCount) out.push(plural(diff.unknown.differenceCount, 'other template section'));
  return out;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
