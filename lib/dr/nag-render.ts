import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A resource string as cdk-nag renders it in a finding id (`AwsSolutions-IAM5[Resource::<this>]`): `Ref` as
 * `<Name>`, `Fn::GetAtt` as `<Resource.Attribute>`, `Fn::Join` flattened. For acknowledging one finding exactly.
 */
export function nagResourceString(scope: IConstruct, value: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (o.Ref) return `<${o.Ref}>`;
    if (o['Fn::GetAtt']) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
    if (o['Fn::Join'])
      return (o['Fn::Join'] as [string, unknown[]])[1].map(render).join((o['Fn::Join'] as [string, unknown[]])[0]);
    return JSON.stringify(v);
  };
  return render(Stack.of(scope).resolve(value));
}
