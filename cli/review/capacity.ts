/**
 * The capacity a template deploys: each ECS service's task size, desired count and autoscaling range, the
 * database and cache sizes, NAT gateways, load balancers and functions; and, through a {@link CostModel},
 * its monthly cost, with the change against the base.
 */
import { CapacityFacts, CostModel, DataCapacity, MonthlyCost, ServiceCapacity } from './cost';
import { code, table } from './markdown';
import { CfnTemplate, displayName, isObject, ofType, prop, refTarget, referencedIds, render } from './template';

export const COST_NOT_AVAILABLE = 'cost: not available in this build';

/** Reads the capacity of a template. */
export function capacityFacts(template: CfnTemplate, region: string | undefined): CapacityFacts {
  return {
    ...(region ? { region } : {}),
    services: services(template),
    data: dataTier(template),
    natGateways: ofType(template, 'AWS::EC2::NatGateway').length,
    loadBalancers: ofType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').length,
    lambdaFunctions: ofType(template, 'AWS::Lambda::Function').length,
  };
}

/** The capacity section: a table (with the base's values when given) and the cost line. */
export function renderCapacity(
  current: CapacityFacts,
  base: CapacityFacts | undefined,
  costModel: CostModel | undefined,
): string {
  const rows: string[][] = [];
  const row = (what: string, now: string, before: string | undefined) =>
    rows.push(base ? [what, now, before ?? '(none)', before === now ? '' : 'changed'] : [what, now]);
  for (const s of current.services) {
    const b = base?.services.find((x) => x.id === s.id);
    row(`${code(s.name)} task size`, taskSize(s), b && taskSize(b));
    row(`${code(s.name)} tasks (min–max, desired)`, taskRange(s), b && taskRange(b));
    row(`${code(s.name)} scaling`, s.scaling.join('; ') || 'none', b && (b.scaling.join('; ') || 'none'));
  }
  for (const d of current.data) {
    const b = base?.data.find((x) => x.id === d.id);
    row(`${code(d.name)} (${d.kind})`, dataSize(d), b && dataSize(b));
  }
  row('NAT gateways', String(current.natGateways), base && String(base.natGateways));
  row('load balancers', String(current.loadBalancers), base && String(base.loadBalancers));
  row('Lambda functions', String(current.lambdaFunctions), base && String(base.lambdaFunctions));
  const headers = base ? ['', 'this change', 'base', ''] : ['', 'value'];
  return [table(headers, rows), costLine(current, base, costModel)].join('\n');
}

function costLine(current: CapacityFacts, base: CapacityFacts | undefined, model: CostModel | undefined): string {
  if (!model) return `${COST_NOT_AVAILABLE}.\n`;
  const now = model.monthlyCost(current);
  if (!now)
    return `cost: the cost model cannot price this configuration${current.region ? ` in ${current.region}` : ''}.\n`;
  const before = base ? model.monthlyCost(base) : undefined;
  const out = [`Monthly cost at minimum capacity: **${usd(now.totalUsd)}**${maximum(now)}${delta(now, before)}.`, ''];
  out.push(
    table(
      ['item', 'per month'],
      now.lines.map((l) => [l.item, usd(l.monthlyUsd)]),
    ),
  );
  if (now.notes.length) out.push(now.notes.map((n) => `- ${n}`).join('\n'), '');
  return out.join('\n');
}

function maximum(c: MonthlyCost): string {
  return c.atMaximumUsd === undefined ? '' : ` (at the autoscaling maximum: ${usd(c.atMaximumUsd)})`;
}

function delta(now: MonthlyCost, before: MonthlyCost | undefined): string {
  if (!before) return '';
  const d = now.totalUsd - before.totalUsd;
  return d === 0 ? ', unchanged from the base' : `, ${d > 0 ? '+' : '−'}${usd(Math.abs(d))} against the base`;
}

function usd(n: number): string {
  return `$${n.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

function services(template: CfnTemplate): ServiceCapacity[] {
  const targets = ofType(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
  const policies = ofType(template, 'AWS::ApplicationAutoScaling::ScalingPolicy');
  return ofType(template, 'AWS::ECS::Service').map((svc) => {
    const td = template.Resources?.[refTarget(prop(svc.resource, 'TaskDefinition')) ?? ''];
    const target = targets.find((t) => referencedIds(prop(t.resource, 'ResourceId')).has(svc.id));
    const scaling = target
      ? policies
          .filter((p) => refTarget(prop(p.resource, 'ScalingTargetId')) === target.id)
          .map((p) =>
            scalingOf(
              prop(p.resource, 'TargetTrackingScalingPolicyConfiguration'),
              render(prop(p.resource, 'PolicyType')),
            ),
          )
      : [];
    const num = (v: unknown) => (v === undefined ? undefined : Number(v));
    const platform = prop<Record<string, unknown>>(td, 'RuntimePlatform');
    return {
      id: svc.id,
      name: displayName(svc),
      launchType: render(
        prop(svc.resource, 'LaunchType') ??
          (prop(svc.resource, 'CapacityProviderStrategy') ? 'capacity providers' : 'EC2'),
      ),
      ...(prop(td, 'Cpu') !== undefined ? { taskCpu: num(prop(td, 'Cpu')) } : {}),
      ...(prop(td, 'Memory') !== undefined ? { taskMemoryMiB: num(prop(td, 'Memory')) } : {}),
      architecture: render(platform?.CpuArchitecture ?? 'X86_64'),
      ...(prop(svc.resource, 'DesiredCount') !== undefined
        ? { desiredCount: num(prop(svc.resource, 'DesiredCount')) }
        : {}),
      ...(target
        ? { minTasks: num(prop(target.resource, 'MinCapacity')), maxTasks: num(prop(target.resource, 'MaxCapacity')) }
        : {}),
      scaling: scaling.sort(),
    };
  });
}

function scalingOf(config: unknown, type: string): string {
  if (!isObject(config)) return type || 'step scaling';
  const spec = config.PredefinedMetricSpecification;
  const metric = isObject(spec)
    ? render(spec.PredefinedMetricType)
    : isObject(config.CustomizedMetricSpecification)
      ? render(config.CustomizedMetricSpecification.MetricName)
      : 'custom metric';
  return `${metric} → ${render(config.TargetValue)}`;
}

function dataTier(template: CfnTemplate): DataCapacity[] {
  const out: DataCapacity[] = [];
  for (const db of ofType(template, 'AWS::RDS::DBInstance')) {
    out.push({
      id: db.id,
      name: displayName(db),
      kind: 'database',
      engine: render(prop(db.resource, 'Engine')),
      instanceClass: render(prop(db.resource, 'DBInstanceClass')),
      nodes: 1,
      multiAz: [true, 'true'].includes(prop(db.resource, 'MultiAZ') as boolean | string),
      ...(prop(db.resource, 'AllocatedStorage') !== undefined
        ? { storageGiB: Number(prop(db.resource, 'AllocatedStorage')) }
        : {}),
    });
  }
  for (const c of ofType(template, 'AWS::ElastiCache::ReplicationGroup')) {
    const groups = Number(prop(c.resource, 'NumNodeGroups') ?? 1);
    const perGroup = prop(c.resource, 'NumCacheClusters') ?? Number(prop(c.resource, 'ReplicasPerNodeGroup') ?? 0) + 1;
    out.push({
      id: c.id,
      name: displayName(c),
      kind: 'cache',
      engine: render(prop(c.resource, 'Engine') ?? 'redis'),
      instanceClass: render(prop(c.resource, 'CacheNodeType')),
      nodes: prop(c.resource, 'NumCacheClusters') !== undefined ? Number(perGroup) : groups * Number(perGroup),
      multiAz: [true, 'true'].includes(prop(c.resource, 'MultiAZEnabled') as boolean | string),
    });
  }
  for (const c of ofType(template, 'AWS::ElastiCache::CacheCluster')) {
    out.push({
      id: c.id,
      name: displayName(c),
      kind: 'cache',
      engine: render(prop(c.resource, 'Engine')),
      instanceClass: render(prop(c.resource, 'CacheNodeType')),
      nodes: Number(prop(c.resource, 'NumCacheNodes') ?? 1),
      multiAz: render(prop(c.resource, 'AZMode')) === 'cross-az',
    });
  }
  return out;
}

function taskSize(s: ServiceCapacity): string {
  if (s.taskCpu === undefined) return `${s.launchType}, size set by the capacity provider`;
  return `${s.taskCpu / 1024} vCPU, ${s.taskMemoryMiB === undefined ? '?' : `${s.taskMemoryMiB / 1024} GiB`} (${s.launchType}, ${s.architecture})`;
}

function taskRange(s: ServiceCapacity): string {
  const range = s.minTasks === undefined ? 'no autoscaling' : `${s.minTasks}–${s.maxTasks}`;
  return `${range}, desired ${s.desiredCount ?? 'unset'}`;
}

function dataSize(d: DataCapacity): string {
  const parts = [
    `${d.engine ? `${d.engine} ` : ''}${d.instanceClass ?? ''}`.trim(),
    `${d.nodes} node${d.nodes === 1 ? '' : 's'}`,
  ];
  if (d.multiAz) parts.push('Multi-AZ');
  if (d.storageGiB !== undefined) parts.push(`${d.storageGiB} GiB`);
  return parts.join(', ');
}
