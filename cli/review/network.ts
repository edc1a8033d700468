/**
 * The network model of a template: security groups, the resources that wear them, and their ingress rules
 * (inline `SecurityGroupIngress` and `AWS::EC2::SecurityGroupIngress` resources), plus the VPC CIDRs that
 * tell "inside the VPC" from "outside". Shared by the diagram and the exposure section.
 */
import { CfnTemplate, asList, compare, entries, isObject, ofType, prop, refTarget, render } from './template';

/** Where an ingress rule admits traffic from. */
export type Peer =
  | { readonly kind: 'security-group'; readonly groupId: string }
  | { readonly kind: 'cidr'; readonly cidr: string }
  | { readonly kind: 'prefix-list'; readonly prefixListId: string };

/** One ingress rule of a security group. */
export interface IngressRule {
  /** Logical id of the security group the rule belongs to (or its rendered id when not in this template). */
  readonly groupId: string;
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly peer: Peer;
  readonly description: string;
  /** Logical id of the resource that holds the rule (the group for inline rules). */
  readonly definedBy: string;
}

export interface NetworkModel {
  /** Security group logical id → logical ids of the resources that use it (sorted). */
  readonly members: ReadonlyMap<string, readonly string[]>;
  readonly ingress: readonly IngressRule[];
  /** IPv4 CIDR blocks of the template's VPCs. */
  readonly vpcCidrs: readonly string[];
}

const SG_KEYS = /^(SecurityGroups|SecurityGroupIds|VPCSecurityGroups|VpcSecurityGroupIds)$/;
const RULE_TYPES = ['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress'];

export function networkModel(template: CfnTemplate): NetworkModel {
  const groups = new Set(ofType(template, 'AWS::EC2::SecurityGroup').map((e) => e.id));
  const members = new Map<string, Set<string>>();
  for (const e of entries(template)) {
    if (RULE_TYPES.includes(e.resource.Type)) continue;
    for (const sg of securityGroupsIn(e.resource.Properties)) {
      if (!groups.has(sg)) continue;
      if (!members.has(sg)) members.set(sg, new Set());
      members.get(sg)!.add(e.id);
    }
  }
  const ingress: IngressRule[] = [];
  for (const g of ofType(template, 'AWS::EC2::SecurityGroup')) {
    for (const r of asList(prop(g.resource, 'SecurityGroupIngress'))) {
      if (isObject(r)) ingress.push(rule(g.id, r, g.id));
    }
  }
  for (const r of ofType(template, 'AWS::EC2::SecurityGroupIngress')) {
    const p = r.resource.Properties ?? {};
    const group = refTarget(p.GroupId) ?? render(p.GroupId ?? p.GroupName);
    ingress.push(rule(group, p, r.id));
  }
  const vpcCidrs = ofType(template, 'AWS::EC2::VPC')
    .map((v) => prop(v.resource, 'CidrBlock'))
    .filter((c): c is string => typeof c === 'string');
  return {
    members: new Map([...members.entries()].sort(([a], [b]) => compare(a, b)).map(([k, v]) => [k, [...v].sort()])),
    ingress: ingress.sort((a, b) => compare(key(a), key(b))),
    vpcCidrs,
  };
}

/** `tcp 5432`, `tcp 1024-65535`, `all traffic`, `icmp`. */
export function describePorts(r: Pick<IngressRule, 'protocol' | 'fromPort' | 'toPort'>): string {
  const proto = r.protocol === '-1' ? 'all traffic' : r.protocol;
  if (r.protocol === '-1') return proto;
  if (r.protocol === 'icmp' || r.protocol === '1') return 'icmp';
  if (r.fromPort === undefined) return proto;
  return r.fromPort === r.toPort || r.toPort === undefined
    ? `${proto} ${r.fromPort}`
    : `${proto} ${r.fromPort}-${r.toPort}`;
}

/** `sg:Id`, the CIDR, or `prefix list X`. */
export function describePeer(peer: Peer): string {
  if (peer.kind === 'security-group') return peer.groupId;
  if (peer.kind === 'cidr') return peer.cidr;
  return `prefix list ${peer.prefixListId}`;
}

/** Whether a CIDR peer lies outside every VPC CIDR of the template (IPv6 and unparseable CIDRs count as outside). */
export function isOutsideVpc(peer: Peer, vpcCidrs: readonly string[]): boolean {
  if (peer.kind === 'security-group') return false;
  if (peer.kind === 'prefix-list') return true;
  const inner = parseCidr(peer.cidr);
  if (!inner) return true;
  return !vpcCidrs.some((v) => {
    const outer = parseCidr(v);
    return outer !== undefined && outer.bits <= inner.bits && sameNetwork(outer, inner.address);
  });
}

/** Whether the CIDR admits the whole internet (`0.0.0.0/0`, `::/0`). */
export function isAnywhere(peer: Peer): boolean {
  return peer.kind === 'cidr' && (peer.cidr === '0.0.0.0/0' || peer.cidr === '::/0');
}

function rule(groupId: string, p: Record<string, unknown>, definedBy: string): IngressRule {
  const source = refTarget(p.SourceSecurityGroupId);
  let peer: Peer;
  if (source) peer = { kind: 'security-group', groupId: source };
  else if (p.SourceSecurityGroupId !== undefined)
    peer = { kind: 'security-group', groupId: render(p.SourceSecurityGroupId) };
  else if (p.SourcePrefixListId !== undefined)
    peer = { kind: 'prefix-list', prefixListId: render(p.SourcePrefixListId) };
  else peer = { kind: 'cidr', cidr: render(p.CidrIp ?? p.CidrIpv6 ?? '') };
  const num = (v: unknown) => (v === undefined ? undefined : Number(v));
  return {
    groupId,
    protocol: String(p.IpProtocol ?? '-1'),
    fromPort: num(p.FromPort),
    toPort: num(p.ToPort),
    peer,
    description: typeof p.Description === 'string' ? p.Description : '',
    definedBy,
  };
}

function securityGroupsIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) securityGroupsIn(v, into);
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (SG_KEYS.test(k)) {
        for (const g of asList(v)) {
          const id = refTarget(g);
          if (id) into.add(id);
        }
      } else securityGroupsIn(v, into);
    }
  }
  return into;
}

function key(r: IngressRule): string {
  return `${r.groupId} ${describePeer(r.peer)} ${describePorts(r)} ${r.definedBy}`;
}

function parseCidr(cidr: string): { address: number; bits: number } | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255) || Number(m[5]) > 32) return undefined;
  return { address: ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3], bits: Number(m[5]) };
}

function sameNetwork(outer: { address: number; bits: number }, address: number): boolean {
  if (outer.bits === 0) return true;
  const mask = (0xffffffff << (32 - outer.bits)) >>> 0;
  return (outer.address & mask) >>> 0 === (address & mask) >>> 0;
}
