/**
 * Exposure and identity: what the stack opens to the internet and what guards it. Public listeners of
 * internet-facing load balancers with their protocol, TLS policy and authentication actions
 * (`authenticate-oidc`, `authenticate-cognito`, `jwt-validation`, in default actions and listener rules),
 * WAF web ACL associations, bearer-token auth configured in the service (the operational contract's
 * `AUTH_ISSUER`/`AUTH_AUDIENCE`/`AUTH_JWKS_URL`), security-group ingress from outside the VPC, and other
 * public surfaces (public databases, public task IPs, function URLs without auth).
 */
import { code, table } from './markdown';
import { NetworkModel, describePeer, describePorts, isAnywhere, isOutsideVpc } from './network';
import {
  CfnTemplate,
  Entry,
  asList,
  displayName,
  isObject,
  ofType,
  prop,
  refTarget,
  referencedIds,
  render,
} from './template';

export interface PublicListener {
  readonly id: string;
  readonly loadBalancer: string;
  readonly port: string;
  readonly protocol: string;
  /** The TLS policy, or `none (plain HTTP)`. */
  readonly tls: string;
  readonly defaultAction: string;
  /** Authentication actions on the listener or its rules (empty when none). */
  readonly auth: readonly string[];
  readonly webAcl: boolean;
}

export interface OutsideIngress {
  readonly group: string;
  readonly members: readonly string[];
  readonly ports: string;
  readonly source: string;
  readonly anywhere: boolean;
  readonly description: string;
}

export interface ExposureSummary {
  readonly listeners: readonly PublicListener[];
  readonly internalLoadBalancers: number;
  readonly ingress: readonly OutsideIngress[];
  /** Services whose containers verify bearer tokens (the contract's AUTH_* settings are all set). */
  readonly serviceAuth: readonly string[];
  readonly servicesWithoutAuth: readonly string[];
  readonly other: readonly string[];
}

const AUTH_ACTIONS = ['authenticate-oidc', 'authenticate-cognito', 'jwt-validation'];
const AUTH_SETTINGS = ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URL'];

export function exposure(template: CfnTemplate, network: NetworkModel): ExposureSummary {
  const lbs = ofType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  const publicLbs = new Set(
    lbs
      .filter((lb) => render(prop(lb.resource, 'Scheme') ?? 'internet-facing') === 'internet-facing')
      .map((lb) => lb.id),
  );
  const webAcls = new Set(
    ofType(template, 'AWS::WAFv2::WebACLAssociation').flatMap((a) => [
      ...referencedIds(prop(a.resource, 'ResourceArn')),
    ]),
  );
  const rules = ofType(template, 'AWS::ElasticLoadBalancingV2::ListenerRule');
  const listeners: PublicListener[] = [];
  for (const l of ofType(template, 'AWS::ElasticLoadBalancingV2::Listener')) {
    const lb = refTarget(prop(l.resource, 'LoadBalancerArn'));
    if (!lb || !publicLbs.has(lb)) continue;
    const protocol = render(prop(l.resource, 'Protocol'));
    const actions = asList(prop(l.resource, 'DefaultActions'));
    const ruleActions = rules
      .filter((r) => refTarget(prop(r.resource, 'ListenerArn')) === l.id)
      .flatMap((r) => asList(prop(r.resource, 'Actions')));
    const auth = [
      ...new Set([...actions, ...ruleActions].map(actionType).filter((t) => AUTH_ACTIONS.includes(t))),
    ].sort();
    listeners.push({
      id: l.id,
      loadBalancer: displayName({ id: lb, resource: template.Resources![lb] }),
      port: render(prop(l.resource, 'Port')),
      protocol,
      tls: ['HTTPS', 'TLS'].includes(protocol)
        ? render(prop(l.resource, 'SslPolicy') ?? 'ELB default policy')
        : 'none (plain text)',
      defaultAction: actions.map(describeAction).join(', '),
      auth,
      webAcl: webAcls.has(lb),
    });
  }
  const ingress: OutsideIngress[] = network.ingress
    .filter((r) => isOutsideVpc(r.peer, network.vpcCidrs))
    .map((r) => ({
      group: displayName({
        id: r.groupId,
        resource: template.Resources?.[r.groupId] ?? { Type: 'AWS::EC2::SecurityGroup' },
      }),
      members: (network.members.get(r.groupId) ?? []).map((m) =>
        displayName({ id: m, resource: template.Resources![m] }),
      ),
      ports: describePorts(r),
      source: describePeer(r.peer),
      anywhere: isAnywhere(r.peer),
      description: r.description,
    }));
  const { withAuth, withoutAuth } = serviceAuth(template);
  return {
    listeners,
    internalLoadBalancers: lbs.length - publicLbs.size,
    ingress,
    serviceAuth: withAuth,
    servicesWithoutAuth: withoutAuth,
    other: otherExposure(template),
  };
}

export function renderExposure(x: ExposureSummary): string {
  const out: string[] = [];
  out.push('**Public listeners**', '');
  out.push(
    table(
      ['load balancer', 'listener', 'TLS policy', 'default action', 'auth at the listener', 'WAF web ACL'],
      x.listeners.map((l) => [
        code(l.loadBalancer),
        `${l.protocol} ${l.port}`,
        l.tls,
        l.defaultAction,
        l.auth.length ? l.auth.join(', ') : 'none',
        l.webAcl ? 'associated' : 'none',
      ]),
    ),
  );
  if (x.internalLoadBalancers) out.push(`Internal load balancers (not listed): ${x.internalLoadBalancers}.`, '');
  const authLines: string[] = [];
  for (const s of x.serviceAuth)
    authLines.push(`- ${code(s)} verifies bearer tokens (AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL are set).`);
  for (const s of x.servicesWithoutAuth) {
    authLines.push(
      `- ${code(s)} has no bearer-token settings (AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL): unless the image enforces auth itself, anyone who reaches the listener can call it.`,
    );
  }
  if (authLines.length) out.push('**Authentication in the service**', '', ...authLines, '');
  out.push('**Security-group ingress from outside the VPC**', '');
  out.push(
    table(
      ['security group', 'used by', 'ports', 'from', 'rule'],
      x.ingress.map((i) => [
        code(i.group),
        i.members.map(code).join(', ') || '(nothing in this template)',
        i.ports,
        i.anywhere ? `${i.source} (anywhere)` : i.source,
        i.description,
      ]),
    ),
  );
  out.push('**Other public surfaces**', '', x.other.length ? x.other.map((o) => `- ${o}`).join('\n') : '_none_', '');
  return out.join('\n');
}

function actionType(a: unknown): string {
  return isObject(a) ? render(a.Type) : '';
}

function describeAction(a: unknown): string {
  if (!isObject(a)) return '';
  const type = render(a.Type);
  if (type === 'redirect' && isObject(a.RedirectConfig)) {
    return `redirect to ${render(a.RedirectConfig.Protocol ?? '#{protocol}')}:${render(a.RedirectConfig.Port ?? '#{port}')}`;
  }
  if (type === 'fixed-response' && isObject(a.FixedResponseConfig))
    return `fixed response ${render(a.FixedResponseConfig.StatusCode)}`;
  return type;
}

function serviceAuth(template: CfnTemplate): { withAuth: string[]; withoutAuth: string[] } {
  const withAuth: string[] = [];
  const withoutAuth: string[] = [];
  for (const svc of ofType(template, 'AWS::ECS::Service')) {
    if (!asList(prop(svc.resource, 'LoadBalancers')).length) continue;
    const td = template.Resources?.[refTarget(prop(svc.resource, 'TaskDefinition')) ?? ''];
    const names = new Set<string>();
    for (const c of asList(prop(td, 'ContainerDefinitions'))) {
      if (!isObject(c)) continue;
      for (const e of [...asList(c.Environment), ...asList(c.Secrets)]) if (isObject(e)) names.add(render(e.Name));
    }
    (AUTH_SETTINGS.every((n) => names.has(n)) ? withAuth : withoutAuth).push(displayName(svc));
  }
  return { withAuth, withoutAuth };
}

function otherExposure(template: CfnTemplate): string[] {
  const out: string[] = [];
  const name = (e: Entry) => code(displayName(e));
  for (const db of ofType(template, 'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster')) {
    if ([true, 'true'].includes(prop(db.resource, 'PubliclyAccessible') as boolean | string))
      out.push(`${name(db)}: database is publicly accessible`);
  }
  for (const svc of ofType(template, 'AWS::ECS::Service')) {
    const cfg = prop<Record<string, unknown>>(svc.resource, 'NetworkConfiguration');
    const vpc = isObject(cfg?.AwsvpcConfiguration) ? cfg.AwsvpcConfiguration : undefined;
    if (vpc && render(vpc.AssignPublicIp) === 'ENABLED') out.push(`${name(svc)}: tasks get public IP addresses`);
  }
  for (const url of ofType(template, 'AWS::Lambda::Url')) {
    out.push(`${name(url)}: Lambda function URL with auth ${render(prop(url.resource, 'AuthType'))}`);
  }
  for (const api of ofType(template, 'AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api'))
    out.push(`${name(api)}: API Gateway API`);
  for (const cf of ofType(template, 'AWS::CloudFront::Distribution')) {
    const config = prop<Record<string, unknown>>(cf.resource, 'DistributionConfig');
    out.push(`${name(cf)}: CloudFront distribution${config?.WebACLId ? ' with a web ACL' : ' without a web ACL'}`);
  }
  for (const b of ofType(template, 'AWS::S3::Bucket')) {
    const block = prop<Record<string, unknown>>(b.resource, 'PublicAccessBlockConfiguration');
    const all =
      block &&
      ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every((k) =>
        [true, 'true'].includes(block[k] as boolean | string),
      );
    if (!all) out.push(`${name(b)}: bucket without a full public access block`);
  }
  return out;
}
