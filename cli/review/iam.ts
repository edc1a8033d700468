/**
 * IAM in a template: every role with who may assume it and what it may do (inline policies, attached
 * `AWS::IAM::Policy`/`ManagedPolicy` resources and managed policy ARNs), wildcard grants, and trust that
 * reaches outside the stack's account (other accounts, `*`, federated identities) in role trust policies
 * and resource policies. Pure functions over template JSON.
 */
import {
  CfnTemplate,
  asList,
  compare,
  displayName,
  entries,
  isObject,
  ofType,
  prop,
  refTarget,
  referencedIds,
  render,
} from './template';

/** One statement of an identity policy, rendered. */
export interface Grant {
  readonly effect: string;
  /** Actions (or `NOT a, b` for NotAction). */
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition: string;
  /** The policy resource or inline policy name it comes from. */
  readonly source: string;
}

/** One principal a role or resource policy trusts. */
export interface TrustedPrincipal {
  /** `Service: lambda.amazonaws.com`, `AWS: arn:aws:iam::222222222222:root`, `Federated: ${Provider}`. */
  readonly principal: string;
  readonly condition: string;
  /** Why it reaches outside the account, or undefined for same-account service principals. */
  readonly external?: string;
}

export interface RoleSummary {
  readonly id: string;
  readonly name: string;
  readonly trust: readonly TrustedPrincipal[];
  readonly managedPolicies: readonly string[];
  readonly grants: readonly Grant[];
}

/** A wildcard in an Allow statement: an action with `*`, a `*` resource, or NotAction/NotResource. */
export interface Wildcard {
  /** Logical id of the role (or policy) that holds it. */
  readonly holder: string;
  readonly holderName: string;
  readonly action: string;
  readonly resource: string;
  /** Stable identity across two templates. */
  readonly key: string;
}

/** Trust that reaches outside the stack's account, on a role or on a resource policy. */
export interface ExternalTrust {
  readonly holder: string;
  readonly holderName: string;
  readonly principal: string;
  readonly reason: string;
  /** The actions the principal is allowed. */
  readonly actions: readonly string[];
  readonly condition: string;
  readonly key: string;
}

const RESOURCE_POLICIES: Record<string, string> = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
  'AWS::Events::EventBusPolicy': 'Statement',
};

/** Every role of the template, sorted by logical id, with its trust and grants. */
export function roles(template: CfnTemplate, account: string | undefined): RoleSummary[] {
  const attached = attachedPolicies(template);
  const local = new Set(Object.keys(template.Resources ?? {}));
  return ofType(template, 'AWS::IAM::Role').map((role) => {
    const inline = asList(prop(role.resource, 'Policies')).flatMap((p) =>
      isObject(p) ? statementsOf(p.PolicyDocument, `inline ${render(p.PolicyName)}`) : [],
    );
    const managed = asList(prop(role.resource, 'ManagedPolicyArns'))
      .map((arn) => {
        const id = refTarget(arn);
        return id && template.Resources?.[id]?.Type === 'AWS::IAM::ManagedPolicy' ? undefined : managedPolicyName(arn);
      })
      .filter((m): m is string => m !== undefined)
      .sort(compare);
    return {
      id: role.id,
      name: displayName(role),
      trust: trustOf(prop(role.resource, 'AssumeRolePolicyDocument'), account, local),
      managedPolicies: managed,
      grants: [...inline, ...(attached.get(role.id) ?? [])],
    };
  });
}

/** The wildcards of every role's Allow statements. */
export function wildcards(list: readonly RoleSummary[]): Wildcard[] {
  const found: Wildcard[] = [];
  for (const r of list) {
    for (const g of r.grants) {
      if (g.effect !== 'Allow') continue;
      for (const action of g.actions) {
        for (const resource of g.resources) {
          const wild =
            action.includes('*') || action.startsWith('NOT ') || resource === '*' || resource.startsWith('NOT ');
          if (wild) {
            found.push({
              holder: r.id,
              holderName: r.name,
              action,
              resource,
              key: `${r.id}|${action}|${resource}`,
            });
          }
        }
      }
    }
  }
  return dedupe(found);
}

/** Trust outside the account: role trust policies and resource policies (buckets, topics, queues, keys, …). */
export function externalTrust(
  template: CfnTemplate,
  list: readonly RoleSummary[],
  account: string | undefined,
): ExternalTrust[] {
  const found: ExternalTrust[] = [];
  const local = new Set(Object.keys(template.Resources ?? {}));
  for (const r of list) {
    for (const t of r.trust) {
      if (t.external) {
        found.push({
          holder: r.id,
          holderName: r.name,
          principal: t.principal,
          reason: t.external,
          actions: ['sts:AssumeRole*'],
          condition: t.condition,
          key: `${r.id}|${t.principal}`,
        });
      }
    }
  }
  for (const e of entries(template)) {
    const field = RESOURCE_POLICIES[e.resource.Type];
    if (!field) continue;
    const doc = prop(e.resource, field);
    for (const st of asList(isObject(doc) ? doc.Statement : doc)) {
      if (!isObject(st) || st.Effect !== 'Allow') continue;
      for (const t of principalsOf(st, account, local)) {
        if (!t.external) continue;
        // A `*` principal narrowed by conditions (aws:SourceAccount, aws:PrincipalOrgID, …) is not open trust.
        if (t.principal === 'AWS: *' && t.condition !== '') continue;
        found.push({
          holder: e.id,
          holderName: displayName(e),
          principal: t.principal,
          reason: t.external,
          actions: asList(st.Action ?? st.NotAction)
            .map(render)
            .sort(compare),
          condition: t.condition,
          key: `${e.id}|${t.principal}`,
        });
      }
    }
  }
  return dedupe(found);
}

function attachedPolicies(template: CfnTemplate): Map<string, Grant[]> {
  const byRole = new Map<string, Grant[]>();
  for (const p of ofType(template, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
    const grants = statementsOf(prop(p.resource, 'PolicyDocument'), displayName(p));
    const targets = new Set<string>();
    for (const r of asList(prop(p.resource, 'Roles'))) {
      const id = refTarget(r);
      if (id) targets.add(id);
    }
    // A managed policy may also be attached from the role's side (ManagedPolicyArns: [{ Ref: policy }]).
    if (p.resource.Type === 'AWS::IAM::ManagedPolicy') {
      for (const role of ofType(template, 'AWS::IAM::Role')) {
        if (asList(prop(role.resource, 'ManagedPolicyArns')).some((a) => refTarget(a) === p.id)) targets.add(role.id);
      }
    }
    for (const t of targets) byRole.set(t, [...(byRole.get(t) ?? []), ...grants]);
  }
  return byRole;
}

function statementsOf(doc: unknown, source: string): Grant[] {
  if (!isObject(doc)) return [];
  return asList(doc.Statement)
    .filter(isObject)
    .map((st) => ({
      effect: String(st.Effect ?? 'Allow'),
      actions:
        st.NotAction !== undefined
          ? asList(st.NotAction).map((a) => `NOT ${render(a)}`)
          : asList(st.Action).map(render).sort(compare),
      resources:
        st.NotResource !== undefined
          ? asList(st.NotResource).map((a) => `NOT ${render(a)}`)
          : asList(st.Resource).map(render).sort(compare),
      condition: st.Condition === undefined ? '' : renderCondition(st.Condition),
      source,
    }));
}

function trustOf(doc: unknown, account: string | undefined, local: ReadonlySet<string>): TrustedPrincipal[] {
  if (!isObject(doc)) return [];
  return asList(doc.Statement)
    .filter((st): st is Record<string, unknown> => isObject(st) && st.Effect === 'Allow')
    .flatMap((st) => principalsOf(st, account, local));
}

function principalsOf(
  st: Record<string, unknown>,
  account: string | undefined,
  local: ReadonlySet<string>,
): TrustedPrincipal[] {
  const condition = st.Condition === undefined ? '' : renderCondition(st.Condition);
  const principal = st.Principal;
  const out: TrustedPrincipal[] = [];
  if (principal === '*') return [{ principal: 'AWS: *', condition, external: 'any AWS principal' }];
  if (!isObject(principal)) return out;
  for (const kind of Object.keys(principal).sort(compare)) {
    for (const value of asList(principal[kind])) {
      const text = render(value);
      // A role or user of this template (`${Role.Arn}`) is in the stack's own account.
      const internal = [...referencedIds(value)].some((id) => local.has(id));
      out.push({
        principal: `${kind}: ${text}`,
        condition,
        external: internal && kind === 'AWS' ? undefined : externalReason(kind, value, text, account),
      });
    }
  }
  return out;
}

function externalReason(kind: string, value: unknown, text: string, account: string | undefined): string | undefined {
  if (kind === 'Service') return undefined;
  if (kind === 'Federated') return 'federated identity (web identity / SAML)';
  if (kind !== 'AWS') return `${kind} principal`;
  if (text === '*') return 'any AWS principal';
  if (isObject(value) && (value.Ref === 'AWS::AccountId' || render(value).includes('${AWS::AccountId}')))
    return undefined;
  const m = /^(\d{12})$/.exec(text) ?? /^arn:[^:]*:iam::(\d{12}):/.exec(text) ?? /:iam::(\d{12}):/.exec(text);
  if (m) return account !== undefined && m[1] === account ? undefined : `account ${m[1]}`;
  if (text.includes('${AWS::AccountId}')) return undefined;
  return 'an account this template does not name';
}

/** A condition block as `StringEquals aws:SourceAccount=111111111111; …`. */
export function renderCondition(condition: unknown): string {
  if (!isObject(condition)) return render(condition);
  const parts: string[] = [];
  for (const op of Object.keys(condition).sort(compare)) {
    const inner = condition[op];
    if (!isObject(inner)) {
      parts.push(`${op} ${render(inner)}`);
      continue;
    }
    for (const k of Object.keys(inner).sort(compare))
      parts.push(`${op} ${k}=${asList(inner[k]).map(render).join(',')}`);
  }
  return parts.join('; ');
}

function managedPolicyName(arn: unknown): string {
  const text = render(arn);
  const m = /:policy\/(.+)$/.exec(text);
  return m ? m[1] : text;
}

function dedupe<T extends { key: string }>(list: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of list) if (!seen.has(item.key)) seen.set(item.key, item);
  return [...seen.values()].sort((a, b) => compare(a.key, b.key));
}
