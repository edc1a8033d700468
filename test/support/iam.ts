/**
 * The IAM of a synthesized template, read the way a reviewer reads it: each role's allowed and denied actions
 * (inline policies, the AWS::IAM::Policy resources attached to it, and its managed policies) and every allowed
 * action granted on `Resource: "*"`. Used by test/app/iam.test.ts and `npx tsx test/app/print-iam.ts`.
 */

/** A role's permissions: sorted action names, managed policies by name. */
export interface RolePermissions {
  readonly allow: string[];
  readonly deny: string[];
  readonly managedPolicies: string[];
}

type Resources = Record<string, { Type: string; Properties?: any; Metadata?: Record<string, unknown> }>;

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A role's readable name: its construct path without the stack and the trailing `/Resource`. */
function roleName(id: string, resource: Resources[string]): string {
  const p = resource.Metadata?.['aws:cdk:path'];
  return typeof p === 'string' ? p.replace(/^[^/]+\//, '').replace(/\/Resource$/, '') : id;
}

function statementsOf(resources: Resources, roleId: string): any[] {
  const role = resources[roleId];
  const statements = list(role.Properties?.Policies).flatMap((p: any) => list(p.PolicyDocument.Statement));
  for (const r of Object.values(resources))
    if (r.Type === 'AWS::IAM::Policy' && list(r.Properties.Roles).some((x: any) => x?.Ref === roleId))
      statements.push(...list(r.Properties.PolicyDocument.Statement));
  return statements;
}

/** The managed policy's name from its ARN (a string or an Fn::Join/Fn::Sub of one). */
function managedPolicyName(arn: unknown): string {
  return (JSON.stringify(arn).match(/:policy\/([^"\]]+)/)?.[1] ?? JSON.stringify(arn)).replace(/\\/g, '');
}

/** Every role of the template with its permissions, by role name. */
export function rolePermissions(template: { Resources: Resources }): Record<string, RolePermissions> {
  const out: Record<string, RolePermissions> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const statements = statementsOf(template.Resources, id);
    const actions = (effect: string) =>
      [...new Set(statements.filter((s) => s.Effect === effect).flatMap((s) => list<string>(s.Action)))].sort();
    out[roleName(id, r)] = {
      allow: actions('Allow'),
      deny: actions('Deny'),
      managedPolicies: list(r.Properties?.ManagedPolicyArns).map(managedPolicyName).sort(),
    };
  }
  return out;
}

/** Every action allowed on `Resource: "*"`, with the roles that have it (role names, sorted). */
export function wildcardActions(template: { Resources: Resources }): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    for (const s of statementsOf(template.Resources, id)) {
      if (s.Effect !== 'Allow' || !list(s.Resource).includes('*')) continue;
      for (const a of list<string>(s.Action)) (out[a] ??= new Set()).add(roleName(id, r));
    }
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([a, roles]) => [a, [...roles].sort()]),
  );
}
