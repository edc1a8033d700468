/**
 * Reading a synthesized CloudFormation template: resources by type, references between them, and values
 * rendered as short text. Pure functions over plain JSON (no CDK imports), shared by every report section.
 */

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** A CloudFormation template as JSON. */
export interface CfnTemplate {
  readonly Description?: string;
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Description?: string; Value?: unknown }>;
  readonly [key: string]: unknown;
}

/** A resource with its logical id. */
export interface Entry {
  readonly id: string;
  readonly resource: CfnResource;
}

/** Every resource, sorted by logical id (the report's order is the template's content, never insertion order). */
export function entries(template: CfnTemplate): Entry[] {
  return Object.keys(template.Resources ?? {})
    .sort()
    .map((id) => ({ id, resource: template.Resources![id] }));
}

/** Resources of one or more types, sorted by logical id. */
export function ofType(template: CfnTemplate, ...types: string[]): Entry[] {
  return entries(template).filter((e) => types.includes(e.resource.Type));
}

/** A resource's property, or undefined. */
export function prop<T = unknown>(resource: CfnResource | undefined, name: string): T | undefined {
  return resource?.Properties?.[name] as T | undefined;
}

/** The construct path of a resource (`aws:cdk:path` metadata) without the stack and `/Resource`, or its logical id. */
export function displayName(entry: Entry): string {
  const p = entry.resource.Metadata?.['aws:cdk:path'];
  if (typeof p !== 'string') return entry.id;
  const parts = p.split('/').slice(1);
  if (parts.length > 1 && (parts[parts.length - 1] === 'Resource' || parts[parts.length - 1] === 'Default'))
    parts.pop();
  return parts.join('/') || entry.id;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at, or undefined for anything else. */
export function refTarget(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.Ref === 'string' && !value.Ref.startsWith('AWS::')) return value.Ref;
  const att = value['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

/** Every logical id referenced anywhere inside a value (Ref, Fn::GetAtt, and `${Id}` / `${Id.Attr}` in Fn::Sub). */
export function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, into);
  } else if (isObject(value)) {
    const target = refTarget(value);
    if (target) into.add(target);
    const sub = value['Fn::Sub'];
    const subText = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : '';
    for (const m of subText.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g)) {
      if (!m[1].startsWith('AWS')) into.add(m[1]);
    }
    for (const v of Object.values(value)) referencedIds(v, into);
  }
  return into;
}

/**
 * A value as short readable text: literals as they are, `Ref` as `${Id}`, `Fn::GetAtt` as `${Id.Attr}`,
 * `Fn::Join` joined, `Fn::Sub` as its template, pseudo parameters by name; anything else as compact JSON.
 */
export function render(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(render).join(', ');
  if (isObject(value)) {
    if (typeof value.Ref === 'string') return `\${${value.Ref}}`;
    const att = value['Fn::GetAtt'];
    if (Array.isArray(att)) return `\${${att.map(String).join('.')}}`;
    if (typeof att === 'string') return `\${${att}}`;
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return (join[1] as unknown[]).map(render).join(join[0]);
    }
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') return sub;
    if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
    const select = value['Fn::Select'];
    if (Array.isArray(select)) return `\${Select(${render(select[0])}, ${render(select[1])})}`;
    if (value['Fn::ImportValue'] !== undefined) return `\${Import(${render(value['Fn::ImportValue'])})}`;
    return JSON.stringify(value);
  }
  return String(value);
}

/** A value as a list (a single value becomes a list of one; undefined an empty list). */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The short type name for tables and diagrams (`AWS::RDS::DBInstance` → `RDS::DBInstance`). */
export function shortType(type: string): string {
  return type.replace(/^AWS::/, '');
}

/** Locale-independent string order (the report must not depend on the machine's locale). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
