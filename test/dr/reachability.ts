/**
 * Reads a synthesized template and answers: can the readiness task (ecs:runTask.sync in the DR state
 * machine) open a TCP connection to the restored database and cache? The restored resources get the
 * security groups in the restore function's environment; the readiness task gets the ones in its
 * NetworkConfiguration. Only security groups are looked at (one VPC, local routes, no NACLs).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { allStates, definitionFromTemplate } from './local-sfn';
import { synthesizedWorkflow } from './workflow-harness';

type Json = Record<string, any>;

/** `getatt:<id>.GroupId` (as local-sfn and the harness render tokens) → `<id>`. */
function sgIds(rendered: string[]): string[] {
  return rendered.map((r) => {
    const m = /^getatt:([^.]+)\.GroupId$/.exec(r);
    if (!m) throw new Error(`reachability: security group ${r} is not a GetAtt of a group in this stack`);
    return m[1];
  });
}

const refersTo = (v: unknown, id: string): boolean =>
  JSON.stringify(v) === JSON.stringify({ 'Fn::GetAtt': [id, 'GroupId'] });
let portOf: (v: unknown) => number = Number;
/** A port number, or a DB instance's `Endpoint.Port` (its `Port` property, 5432 by default). */
function resolvePort(resources: Record<string, Json>): (v: unknown) => number {
  return (v) => {
    const att = (v as Json | undefined)?.['Fn::GetAtt'] as string[] | undefined;
    if (att && att[1] === 'Endpoint.Port') return Number(resources[att[0]]?.Properties?.Port ?? 5432);
    return Number(v);
  };
}
const covers = (rule: Json, port: number): boolean =>
  rule.IpProtocol === '-1' ||
  (rule.IpProtocol === 'tcp' && portOf(rule.FromPort) <= port && port <= portOf(rule.ToPort));

/** Whether `from` may open TCP `port` on `to`: an ingress rule on `to` from `from`, and egress on `from` that allows it. */
function allowed(resources: Record<string, Json>, from: string, to: string, port: number): boolean {
  const ingress =
    Object.values(resources).some(
      (r) =>
        r.Type === 'AWS::EC2::SecurityGroupIngress' &&
        refersTo(r.Properties.GroupId, to) &&
        refersTo(r.Properties.SourceSecurityGroupId, from) &&
        covers(r.Properties, port),
    ) ||
    (resources[to]?.Properties?.SecurityGroupIngress ?? []).some(
      (r: Json) => refersTo(r.SourceSecurityGroupId, from) && covers(r, port),
    );
  const inlineEgress: Json[] = resources[from]?.Properties?.SecurityGroupEgress ?? [];
  const egress =
    inlineEgress.some((r) => r.CidrIp === '0.0.0.0/0' && covers(r, port)) ||
    inlineEgress.some((r) => refersTo(r.DestinationSecurityGroupId, to) && covers(r, port)) ||
    Object.values(resources).some(
      (r) =>
        r.Type === 'AWS::EC2::SecurityGroupEgress' &&
        refersTo(r.Properties.GroupId, from) &&
        refersTo(r.Properties.DestinationSecurityGroupId, to) &&
        covers(r.Properties, port),
    );
  return ingress && egress;
}

export interface Reachability {
  readonly readinessSecurityGroups: string[];
  readonly database?: { securityGroups: string[]; port: number; reachable: boolean };
  readonly cache?: { securityGroups: string[]; port: number; reachable: boolean };
}

/** What the readiness task can reach, from the template alone. */
export function readinessReachability(template: Template): Reachability {
  const resources = template.toJSON().Resources as Record<string, Json>;
  portOf = resolvePort(resources);
  const readiness = allStates(definitionFromTemplate(template)).find(([name]) => name === 'Readiness task')?.[1] as
    Json | undefined;
  if (!readiness) throw new Error('reachability: no readiness task in the state machine');
  const readinessSgs = sgIds(readiness.Parameters.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups as string[]);
  const env = synthesizedWorkflow(template).environment;
  const reach = (sgs: string[], port: number) => ({
    securityGroups: sgs,
    port,
    reachable: sgs.some((to) => readinessSgs.some((from) => allowed(resources, from, to, port))),
  });
  const out: { -readonly [K in keyof Reachability]: Reachability[K] } = { readinessSecurityGroups: readinessSgs };
  if (env.DB_SECURITY_GROUP_IDS) {
    // A restore keeps the source's port (PITR and snapshot alike).
    const prodId = env.PRODUCTION_DB_INSTANCE_ID.replace(/^ref:/, '');
    out.database = reach(
      sgIds(env.DB_SECURITY_GROUP_IDS.split(',')),
      portOf(resources[prodId]?.Properties?.Port ?? 5432),
    );
  }
  if (env.CACHE_SECURITY_GROUP_IDS) {
    // The restored replication group is created without a Port: ElastiCache's 6379.
    out.cache = reach(sgIds(env.CACHE_SECURITY_GROUP_IDS.split(',')), 6379);
  }
  return out;
}
