/**
 * A Mermaid architecture diagram derived from the template, not drawn by hand: the resources that carry
 * traffic or data (load balancers, services, functions, databases, caches, buckets, delivery streams,
 * queues, topics, state machines) grouped into edge, service, data, pipelines, backup and DR, and
 * monitoring; and what can reach what:
 * - network paths from security-group ingress (source group's members → target group's members, ports),
 *   and the internet → internet-facing load balancers and anything admitting a CIDR outside the VPC;
 * - data paths from references: log subscriptions, Firehose destinations, S3 notifications, EventBridge
 *   schedules and targets, state-machine tasks, alarm actions, and IAM grants of a compute resource's role
 *   on a drawn resource (read / write / delete / invoke).
 * Deploy-time helpers (custom-resource handlers), KMS keys, log groups and secrets are left out of the
 * picture; the other sections list them.
 */
import { describePorts, isOutsideVpc, NetworkModel } from './network';
import {
  CfnTemplate,
  Entry,
  asList,
  compare,
  displayName,
  entries,
  isObject,
  prop,
  refTarget,
  referencedIds,
  render,
} from './template';

type Category = 'edge' | 'service' | 'data' | 'pipelines' | 'backup' | 'monitoring';

const CATEGORIES: readonly { id: Category; title: string }[] = [
  { id: 'edge', title: 'Edge' },
  { id: 'service', title: 'Service' },
  { id: 'data', title: 'Data' },
  { id: 'pipelines', title: 'Pipelines' },
  { id: 'backup', title: 'Backup and DR' },
  { id: 'monitoring', title: 'Monitoring' },
];

/** Drawn resource types: their label and default category. */
const DRAWN: Readonly<Record<string, { label: string; category: Category }>> = {
  'AWS::ElasticLoadBalancingV2::LoadBalancer': { label: 'load balancer', category: 'edge' },
  'AWS::WAFv2::WebACL': { label: 'WAF web ACL', category: 'edge' },
  'AWS::CloudFront::Distribution': { label: 'CloudFront', category: 'edge' },
  'AWS::ApiGateway::RestApi': { label: 'API Gateway', category: 'edge' },
  'AWS::ApiGatewayV2::Api': { label: 'API Gateway', category: 'edge' },
  'AWS::ECS::Service': { label: 'ECS service', category: 'service' },
  'AWS::Lambda::Function': { label: 'Lambda', category: 'service' },
  'AWS::RDS::DBInstance': { label: 'RDS', category: 'data' },
  'AWS::RDS::DBCluster': { label: 'RDS cluster', category: 'data' },
  'AWS::ElastiCache::ReplicationGroup': { label: 'ElastiCache', category: 'data' },
  'AWS::ElastiCache::CacheCluster': { label: 'ElastiCache', category: 'data' },
  'AWS::DynamoDB::Table': { label: 'DynamoDB', category: 'data' },
  'AWS::EFS::FileSystem': { label: 'EFS', category: 'data' },
  'AWS::S3::Bucket': { label: 'S3', category: 'data' },
  'AWS::OpenSearchService::Domain': { label: 'OpenSearch', category: 'pipelines' },
  'AWS::KinesisFirehose::DeliveryStream': { label: 'Firehose', category: 'pipelines' },
  'AWS::Kinesis::Stream': { label: 'Kinesis', category: 'pipelines' },
  'AWS::SQS::Queue': { label: 'SQS', category: 'pipelines' },
  'AWS::StepFunctions::StateMachine': { label: 'Step Functions', category: 'backup' },
  'AWS::SNS::Topic': { label: 'SNS', category: 'monitoring' },
  'AWS::CloudWatch::Dashboard': { label: 'dashboard', category: 'monitoring' },
};

/** Construct-path words that move a resource to another group (a backup bucket is backup, not data). */
const PATH_CATEGORIES: readonly [RegExp, Category][] = [
  [/backup|disaster|recovery|restore/i, 'backup'],
  [/monitor|probe|alarm/i, 'monitoring'],
  [/logging|audit|logs?\b|accesslog|firehose|indexer/i, 'pipelines'],
];

/** Deploy-time helper functions (custom-resource handlers), not part of the running system. */
const HELPER =
  /^Custom::|CustomResourceProvider|^BucketNotificationsHandler|^LogRetention[0-9a-f]{32}|^AWS[0-9a-f]{32}/;

interface Node {
  readonly id: string;
  readonly label: string;
  readonly category: Category;
}

/** How an edge was found; a diagram shows the most specific kind of label an edge has. */
type EdgeKind = 'network' | 'flow' | 'iam' | 'config';
const KIND_ORDER: readonly EdgeKind[] = ['network', 'flow', 'iam', 'config'];

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly labels: Map<EdgeKind, Set<string>>;
}

/** The diagram as a fenced Mermaid block, followed by a one-line legend. */
export function renderDiagram(template: CfnTemplate, network: NetworkModel): string {
  const { nodes, helpers } = drawnNodes(template);
  const ids = new Set(nodes.map((n) => n.id));
  const edges = new Map<string, Edge>();
  const add: Add = (from, to, label, kind) => {
    if (from === to || !ids.has(from) || !ids.has(to)) return;
    const k = `${from}\u0000${to}`;
    const e = edges.get(k) ?? { from, to, labels: new Map<EdgeKind, Set<string>>() };
    e.labels.set(kind, (e.labels.get(kind) ?? new Set<string>()).add(label));
    edges.set(k, e);
  };
  const alarmCount = entries(template).filter(
    (e) => e.resource.Type.startsWith('AWS::CloudWatch::') && e.resource.Type.endsWith('Alarm'),
  ).length;
  if (alarmCount) {
    nodes.push({ id: 'alarms', label: `${alarmCount} CloudWatch alarms`, category: 'monitoring' });
    ids.add('alarms');
  }
  const hasInternet = internetEdges(template, network, ids, add);
  if (hasInternet) ids.add('internet');
  const scheduled = eventEdges(template, ids, add);
  if (scheduled) ids.add('events');
  networkEdges(network, add);
  referenceEdges(template, ids, add);
  iamEdges(template, ids, add);

  const lines = ['```mermaid', 'flowchart LR'];
  if (hasInternet) {
    lines.push('  internet((Internet))');
    ids.add('internet');
  }
  if (scheduled) lines.push('  events{{EventBridge}}');
  for (const c of CATEGORIES) {
    const members = nodes.filter((n) => n.category === c.id).sort((a, b) => compare(a.id, b.id));
    if (!members.length) continue;
    lines.push(`  subgraph ${c.id}[${c.title}]`);
    for (const n of members) lines.push(`    ${n.id}["${escape(n.label)}"]`);
    lines.push('  end');
  }
  const isNetwork = (e: Edge) => e.labels.has('network');
  const sorted = [...edges.values()].sort(
    (a, b) => Number(isNetwork(b)) - Number(isNetwork(a)) || compare(a.from, b.from) || compare(a.to, b.to),
  );
  for (const e of sorted) {
    const kind = KIND_ORDER.find((k) => e.labels.has(k))!;
    const label = [...e.labels.get(kind)!]
      .filter((l) => l !== '')
      .sort(compare)
      .join(', ');
    const arrow = isNetwork(e) ? '-->' : '-.->';
    lines.push(`  ${e.from} ${arrow}${label ? `|"${escape(label)}"|` : ''} ${e.to}`);
  }
  lines.push('```', '');
  lines.push(
    `Solid arrows: network paths (security groups, listeners). Dotted: data and control paths (subscriptions, destinations, notifications, schedules, task invocations, alarm actions, IAM grants).${helpers ? ` Not drawn: ${helpers} deploy-time helper function${helpers === 1 ? '' : 's'}, KMS keys, log groups and secrets.` : ' Not drawn: KMS keys, log groups and secrets.'}`,
  );
  return lines.join('\n').concat('\n');
}

function drawnNodes(template: CfnTemplate): { nodes: Node[]; helpers: number } {
  const nodes: Node[] = [];
  let helpers = 0;
  for (const e of entries(template)) {
    const kind = DRAWN[e.resource.Type];
    if (!kind) continue;
    const name = displayName(e);
    if (e.resource.Type === 'AWS::Lambda::Function' && HELPER.test(name)) {
      helpers++;
      continue;
    }
    const override = kind.category === 'edge' ? undefined : PATH_CATEGORIES.find(([re]) => re.test(name))?.[1];
    nodes.push({
      id: e.id,
      label: `${kind.label}<br/>${name}${detail(template, e)}`,
      category: override ?? kind.category,
    });
  }
  return { nodes, helpers };
}

/** One extra line for a node: a service's task size and count, a database's class, a bucket's lock. */
function detail(template: CfnTemplate, e: Entry): string {
  const p = e.resource.Properties ?? {};
  switch (e.resource.Type) {
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
      return `<br/>${render(p.Scheme ?? 'internet-facing')}`;
    case 'AWS::ECS::Service': {
      const td = template.Resources?.[refTarget(p.TaskDefinition) ?? ''];
      const cpu = prop(td, 'Cpu');
      return cpu === undefined
        ? ''
        : `<br/>${Number(cpu) / 1024} vCPU, ${Number(prop(td, 'Memory')) / 1024} GiB × ${render(p.DesiredCount ?? '?')}`;
    }
    case 'AWS::RDS::DBInstance':
      return `<br/>${render(p.Engine)} ${render(p.DBInstanceClass)}${[true, 'true'].includes(p.MultiAZ as string | boolean) ? ' Multi-AZ' : ''}`;
    case 'AWS::ElastiCache::ReplicationGroup':
      return `<br/>${render(p.CacheNodeType)} × ${render(p.NumCacheClusters ?? p.NumNodeGroups ?? 1)}`;
    case 'AWS::S3::Bucket':
      return [true, 'true'].includes(p.ObjectLockEnabled as string | boolean) ? '<br/>Object Lock' : '';
    default:
      return '';
  }
}

type Add = (from: string, to: string, label: string, kind: EdgeKind) => void;

function internetEdges(template: CfnTemplate, network: NetworkModel, ids: Set<string>, add: Add): boolean {
  let any = false;
  const addInternet = (to: string, label: string) => {
    ids.add('internet');
    add('internet', to, label, 'network');
    any = true;
  };
  for (const l of entries(template).filter((e) => e.resource.Type === 'AWS::ElasticLoadBalancingV2::Listener')) {
    const lb = refTarget(prop(l.resource, 'LoadBalancerArn'));
    const scheme = render(prop(template.Resources?.[lb ?? ''], 'Scheme') ?? 'internet-facing');
    if (lb && scheme === 'internet-facing')
      addInternet(lb, `${render(prop(l.resource, 'Protocol'))} ${render(prop(l.resource, 'Port'))}`);
  }
  for (const r of network.ingress) {
    if (!isOutsideVpc(r.peer, network.vpcCidrs)) continue;
    for (const m of network.members.get(r.groupId) ?? []) {
      // Load balancers already show their listeners; other members show the rule itself.
      if (template.Resources?.[m]?.Type !== 'AWS::ElasticLoadBalancingV2::LoadBalancer')
        addInternet(m, describePorts(r));
    }
  }
  return any;
}

function networkEdges(network: NetworkModel, add: Add): void {
  for (const r of network.ingress) {
    if (r.peer.kind !== 'security-group') continue;
    const sources = network.members.get(r.peer.groupId) ?? [];
    const targets = network.members.get(r.groupId) ?? [];
    for (const s of sources) for (const t of targets) add(s, t, describePorts(r), 'network');
  }
}

function eventEdges(template: CfnTemplate, ids: Set<string>, add: Add): boolean {
  let any = false;
  for (const rule of entries(template).filter((e) => e.resource.Type === 'AWS::Events::Rule')) {
    const schedule = prop(rule.resource, 'ScheduleExpression');
    const label = schedule !== undefined ? render(schedule) : 'event pattern';
    for (const t of asList(prop(rule.resource, 'Targets'))) {
      if (!isObject(t)) continue;
      const target = [...referencedIds(t.Arn)].find((id) => ids.has(id));
      if (target) {
        ids.add('events');
        add('events', target, label, 'flow');
        any = true;
      }
    }
  }
  return any;
}

function referenceEdges(template: CfnTemplate, ids: Set<string>, add: Add): void {
  const servicesOf = (taskDefinition: string) =>
    entries(template)
      .filter(
        (e) =>
          e.resource.Type === 'AWS::ECS::Service' && refTarget(prop(e.resource, 'TaskDefinition')) === taskDefinition,
      )
      .map((e) => e.id);
  const writersOf = (logGroup: string) => {
    const out: string[] = [];
    for (const e of entries(template)) {
      if (!referencedIds(e.resource.Properties).has(logGroup)) continue;
      if (e.resource.Type === 'AWS::ECS::TaskDefinition') out.push(...servicesOf(e.id));
      else if (ids.has(e.id)) out.push(e.id);
    }
    return out;
  };
  for (const e of entries(template)) {
    const p = e.resource.Properties ?? {};
    switch (e.resource.Type) {
      case 'AWS::Logs::SubscriptionFilter': {
        const group = refTarget(p.LogGroupName);
        const dest = [...referencedIds(p.DestinationArn)].find((id) => ids.has(id));
        if (group && dest) for (const w of writersOf(group)) add(w, dest, 'log subscription', 'flow');
        break;
      }
      case 'AWS::KinesisFirehose::DeliveryStream': {
        const s3 = isObject(p.ExtendedS3DestinationConfiguration)
          ? p.ExtendedS3DestinationConfiguration
          : p.S3DestinationConfiguration;
        for (const b of referencedIds(isObject(s3) ? s3.BucketARN : undefined)) add(e.id, b, 'delivers', 'flow');
        break;
      }
      case 'Custom::S3BucketNotifications': {
        const bucket = refTarget(p.BucketName);
        const config = isObject(p.NotificationConfiguration) ? p.NotificationConfiguration : {};
        for (const c of [
          ...asList(config.LambdaFunctionConfigurations),
          ...asList(config.QueueConfigurations),
          ...asList(config.TopicConfigurations),
        ]) {
          for (const t of referencedIds(c)) if (bucket) add(bucket, t, 'object events', 'flow');
        }
        break;
      }
      case 'AWS::StepFunctions::StateMachine':
        for (const t of referencedIds(p.DefinitionString ?? p.Definition)) {
          if (template.Resources?.[t]?.Type === 'AWS::ECS::TaskDefinition')
            for (const s of servicesOf(t)) add(e.id, s, 'runs tasks', 'flow');
          else add(e.id, t, 'task', 'flow');
        }
        break;
      case 'AWS::CloudWatch::Alarm':
      case 'AWS::CloudWatch::CompositeAlarm':
        for (const a of [...asList(p.AlarmActions), ...asList(p.OKActions)]) {
          const t = refTarget(a);
          if (t) add('alarms', t, 'notifies', 'flow');
        }
        break;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        for (const attr of asList(p.LoadBalancerAttributes)) {
          if (isObject(attr) && attr.Key === 'access_logs.s3.bucket') {
            const b = refTarget(attr.Value);
            if (b) add(e.id, b, 'access logs', 'flow');
          }
        }
        break;
      case 'AWS::Lambda::Function': {
        const env = isObject(p.Environment) ? p.Environment.Variables : undefined;
        for (const t of referencedIds(env)) add(e.id, t, 'uses', 'config');
        break;
      }
      default:
        break;
    }
  }
}

function iamEdges(template: CfnTemplate, ids: Set<string>, add: Add): void {
  // Compute resources and the role each runs as.
  const runsAs = new Map<string, string[]>();
  const bind = (role: unknown, node: string) => {
    const r = refTarget(role);
    if (r) runsAs.set(r, [...(runsAs.get(r) ?? []), node]);
  };
  for (const e of entries(template)) {
    const p = e.resource.Properties ?? {};
    if (e.resource.Type === 'AWS::Lambda::Function' && ids.has(e.id)) bind(p.Role, e.id);
    if (e.resource.Type === 'AWS::StepFunctions::StateMachine') bind(p.RoleArn, e.id);
    if (e.resource.Type === 'AWS::KinesisFirehose::DeliveryStream') {
      const s3 = isObject(p.ExtendedS3DestinationConfiguration) ? p.ExtendedS3DestinationConfiguration : {};
      bind(s3.RoleARN, e.id);
    }
    if (e.resource.Type === 'AWS::ECS::Service') {
      const td = template.Resources?.[refTarget(p.TaskDefinition) ?? ''];
      bind(prop(td, 'TaskRoleArn'), e.id);
    }
  }
  for (const policy of entries(template).filter((e) => e.resource.Type === 'AWS::IAM::Policy')) {
    const holders = asList(prop(policy.resource, 'Roles')).flatMap((r) => runsAs.get(refTarget(r) ?? '') ?? []);
    if (!holders.length) continue;
    const doc = prop<Record<string, unknown>>(policy.resource, 'PolicyDocument');
    const verbs = new Map<string, Set<string>>();
    for (const st of asList(doc?.Statement)) {
      if (!isObject(st) || st.Effect !== 'Allow') continue;
      const kinds = new Set(
        asList(st.Action)
          .map((a) => verb(render(a)))
          .filter((v): v is string => v !== undefined),
      );
      for (const t of referencedIds(st.Resource)) {
        if (!ids.has(t) || template.Resources?.[t]?.Type === 'AWS::CloudWatch::Dashboard') continue;
        const set = verbs.get(t) ?? new Set<string>();
        for (const k of kinds) set.add(k);
        verbs.set(t, set);
      }
    }
    for (const h of holders) {
      for (const [t, kinds] of verbs) if (kinds.size) add(h, t, [...kinds].sort(compare).join('/'), 'iam');
    }
  }
}

function verb(action: string): string | undefined {
  const name = action.split(':')[1] ?? action;
  if (name === '*') return 'all';
  if (/^(Invoke|StartExecution|StartSyncExecution|RunTask|SendMessage|Publish|PutRecord)/.test(name)) return 'invoke';
  if (/^(Delete|Remove|Terminate|Abort)/.test(name)) return 'delete';
  if (
    /^(Put|Create|Update|Post|Restore|Copy|Modify|Add|Write|Reboot|Start|Stop|Tag|Untag|Upload|Replace|Set|Failover)/.test(
      name,
    )
  )
    return 'write';
  if (/^(Get|List|Describe|Head|Select|Read|Query|Scan|BatchGet|Receive|Decrypt)/.test(name)) return 'read';
  return undefined;
}

function escape(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/\|/g, '/');
}
