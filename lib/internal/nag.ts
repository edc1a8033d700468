import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A string with tokens as cdk-nag prints it in a finding id (`AwsSolutions-IAM5[Resource::<this>]`), for
 * acknowledging exactly one finding: `Ref` as `<Name>`, `Fn::GetAtt` as `<Resource.Attribute>`, `Fn::Join`
 * flattened, `Fn::Sub`'s `${…}` as `<…>`, `Fn::ImportValue` as its name. The same rules as cdk-nag's own
 * `flattenCfnReference` (cdk-nag/lib/utils/flatten-cfn-reference.js, which the package does not export and
 * consumers need not install); test/internal/nag.test.ts checks the two agree.
 */
export function nagResourceString(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

/** The id of cdk-nag's AwsSolutions-IAM5 finding for a wildcard `resource` (a string with tokens). */
export function nagWildcardResourceId(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${nagResourceString(scope, resource)}]`;
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const o = (node ?? {}) as Record<string, unknown>;
  if (o['Fn::Join']) {
    const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
  if (o['Fn::GetAtt']) {
    const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
  if (o.Ref) return `<${flatten(o.Ref)}>`;
  return JSON.stringify(node);
}
