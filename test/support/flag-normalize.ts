/**
 * Normalizes a synthesized template for the two stack-level feature flags whose effect is notation, not
 * meaning, so that a template from an app without this repository's flags can be compared with one from
 * an app with them:
 * - `@aws-cdk/core:enablePartitionLiterals`: `arn:aws:…` literals instead of `{ Ref: AWS::Partition }`
 *   joins (the partition is known from the region);
 * - `@aws-cdk/aws-iam:minimizePolicies`: policy statements merged and their actions, resources and
 *   principals sorted.
 * Partition references become `aws`, joins of literals become strings, and every policy document becomes
 * the sorted set of its single-action, single-resource, single-principal statements.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const asList = (v: Json | undefined): Json[] =>
  v === undefined ? [undefined as unknown as Json] : Array.isArray(v) ? v : [v];

function expandStatement(st: { [k: string]: Json }): string[] {
  const out: string[] = [];
  const { Action, Resource, Principal, NotAction, NotResource, Sid: _sid, ...rest } = st;
  const principals: Json[] =
    Principal && typeof Principal === 'object' && !Array.isArray(Principal)
      ? Object.entries(Principal).flatMap(([type, v]) => asList(v).map((p) => ({ [type]: p })))
      : asList(Principal);
  for (const action of asList(Action ?? NotAction))
    for (const resource of asList(Resource ?? NotResource))
      for (const principal of principals)
        out.push(
          JSON.stringify({
            ...rest,
            action,
            resource,
            principal,
            not: NotAction !== undefined || NotResource !== undefined,
          }),
        );
  return out;
}

function walk(v: Json): Json {
  if (Array.isArray(v)) return v.map(walk);
  if (v === null || typeof v !== 'object') return v;
  if (Object.keys(v).length === 1 && v.Ref === 'AWS::Partition') return 'aws';
  const o: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(v)) o[k] = walk(x);
  const join = o['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const sep = join[0];
    // Adjacent literals merge (with the separator); a join of literals only is a literal.
    const parts: Json[] = [];
    for (const part of join[1]) {
      const last = parts[parts.length - 1];
      if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = `${last}${sep}${part}`;
      else parts.push(part);
    }
    if (parts.every((x) => typeof x === 'string')) return parts.join(sep);
    if (sep === '') return { 'Fn::Join': ['', parts] };
  }
  if (Array.isArray(o.Statement) && typeof o.Version === 'string') {
    const singles = new Set<string>();
    for (const st of o.Statement)
      if (st && typeof st === 'object' && !Array.isArray(st)) for (const s of expandStatement(st)) singles.add(s);
    return { Version: o.Version, Statement: [...singles].sort() };
  }
  return o;
}

/** The template with the notation of the two flags removed (see the module comment). */
export function normalizeForFlags(template: unknown): any {
  return walk(JSON.parse(JSON.stringify(template)) as Json);
}
