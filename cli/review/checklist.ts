/**
 * The operations guide's pre-production checklist (Operational Readiness → Pre-Production Checklist),
 * item by item: what the template provides (detected from its resources, not assumed) and what it
 * leaves to the team.
 *
 * SNS delivers to an e-mail or HTTPS subscription only once it is confirmed (the endpoint visits the
 * SubscribeURL of the confirmation message; tokens are valid for three days):
 * https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html,
 * https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
import { AlarmSummary } from './alarms';
import { CapacityFacts } from './cost';
import { code, listing, plural, table } from './markdown';
import { CfnTemplate, asList, displayName, isObject, ofType, prop, refTarget, referencedIds, render } from './template';

export type ChecklistStatus = 'provided' | 'partly' | 'team';

export interface ChecklistItem {
  /** The guide's wording. */
  readonly item: string;
  readonly status: ChecklistStatus;
  readonly provided: string;
  readonly leftToTeam: string;
}

/** The guide's eight items, in its order. */
export const CHECKLIST = [
  'Monitoring dashboards configured',
  'Alerts and notifications set up',
  'Logging pipeline established',
  'Backup and recovery tested',
  'Runbooks documented',
  'On-call rotation scheduled',
  'Incident response plan ready',
  'Capacity planning completed',
] as const;

const MARK: Record<ChecklistStatus, string> = { provided: '✅ provided', partly: '🟡 partly', team: '⬜ the team' };

export function checklist(
  template: CfnTemplate,
  alarms: readonly AlarmSummary[],
  capacity: CapacityFacts,
): ChecklistItem[] {
  const subs = subscriptions(template);
  return [
    dashboards(template),
    alerts(template, alarms, subs),
    logging(template),
    backups(template),
    runbooks(alarms),
    onCall(alarms, subs),
    incidentResponse(template, alarms),
    capacityPlan(capacity, alarms),
  ];
}

export function renderChecklist(items: readonly ChecklistItem[]): string {
  return table(
    ['checklist item', 'status', 'what the stack provides', 'what it leaves to the team'],
    items.map((i) => [i.item, MARK[i.status], i.provided, i.leftToTeam]),
  );
}

interface Subscription {
  readonly topic: string;
  readonly protocol: string;
}

function subscriptions(template: CfnTemplate): Subscription[] {
  const out: Subscription[] = [];
  for (const s of ofType(template, 'AWS::SNS::Subscription')) {
    out.push({
      topic: refTarget(prop(s.resource, 'TopicArn')) ?? render(prop(s.resource, 'TopicArn')),
      protocol: render(prop(s.resource, 'Protocol')),
    });
  }
  for (const t of ofType(template, 'AWS::SNS::Topic')) {
    for (const s of asList(prop(t.resource, 'Subscription')))
      if (isObject(s)) out.push({ topic: t.id, protocol: render(s.Protocol) });
  }
  return out;
}

function dashboards(template: CfnTemplate): ChecklistItem {
  const boards = ofType(template, 'AWS::CloudWatch::Dashboard');
  if (!boards.length) {
    return {
      item: CHECKLIST[0],
      status: 'team',
      provided: 'no CloudWatch dashboard',
      leftToTeam: 'build a dashboard of the golden signals (latency, traffic, errors, saturation)',
    };
  }
  const described = boards.map((b) => {
    const body = render(prop(b.resource, 'DashboardBody'));
    const widgets = (body.match(/"type":"(metric|alarm|log|text)"/g) ?? []).length;
    return `${code(displayName(b))} (${plural(widgets, 'widget')})`;
  });
  return {
    item: CHECKLIST[0],
    status: 'provided',
    provided: `CloudWatch dashboard ${listing(described)}`,
    leftToTeam: 'check it answers your service’s questions; share its URL (stack output DashboardUrl) with on-call',
  };
}

function alerts(template: CfnTemplate, alarms: readonly AlarmSummary[], subs: readonly Subscription[]): ChecklistItem {
  if (!alarms.length)
    return {
      item: CHECKLIST[1],
      status: 'team',
      provided: 'no alarms',
      leftToTeam: 'alarms on the golden signals, and somewhere for them to go',
    };
  const inComposite = new Set(
    ofType(template, 'AWS::CloudWatch::CompositeAlarm').flatMap((c) => [
      ...referencedIds(prop(c.resource, 'AlarmRule')),
      ...alarmNamesIn(render(prop(c.resource, 'AlarmRule'))),
    ]),
  );
  const silent = alarms.filter((a) => !a.actions.length && !inComposite.has(a.id) && !inComposite.has(a.name));
  const topics = [...new Set(alarms.flatMap((a) => a.actions))]
    .filter((t) => template.Resources?.[t]?.Type === 'AWS::SNS::Topic')
    .sort();
  const unsubscribed = topics.filter((t) => !subs.some((s) => s.topic === t));
  const provided = [
    `${plural(alarms.length, 'alarm')} notifying ${topics.length ? listing(topics.map((t) => code(displayName({ id: t, resource: template.Resources![t] })))) : 'no topic'}`,
  ];
  const protocols = [...new Set(subs.filter((s) => topics.includes(s.topic)).map((s) => s.protocol))].sort();
  if (protocols.length) provided.push(`subscriptions: ${protocols.join(', ')}`);
  const left: string[] = [];
  if (unsubscribed.length)
    left.push(
      `subscribe someone: ${listing(unsubscribed.map((t) => code(displayName({ id: t, resource: template.Resources![t] }))))} has no subscription in the template, so nobody is notified`,
    );
  if (protocols.some((p) => p === 'email' || p === 'https'))
    left.push('confirm the e-mail/HTTPS subscriptions (SNS delivers only after confirmation)');
  if (silent.length)
    left.push(
      `${plural(silent.length, 'alarm')} with no action and not in a composite: ${listing(silent.slice(0, 5).map((a) => code(a.name)))}${silent.length > 5 ? ', …' : ''}`,
    );
  return {
    item: CHECKLIST[1],
    status: unsubscribed.length || silent.length ? 'partly' : 'provided',
    provided: provided.join('; '),
    leftToTeam: left.length ? left.join('; ') : 'test a notification end to end (set an alarm state once)',
  };
}

function logging(template: CfnTemplate): ChecklistItem {
  const streams = ofType(template, 'AWS::KinesisFirehose::DeliveryStream');
  const filters = ofType(template, 'AWS::Logs::SubscriptionFilter');
  const groups = ofType(template, 'AWS::Logs::LogGroup');
  const forever = groups.filter((g) => prop(g.resource, 'RetentionInDays') === undefined);
  const locked = ofType(template, 'AWS::S3::Bucket').filter((b) =>
    [true, 'true'].includes(prop(b.resource, 'ObjectLockEnabled') as boolean | string),
  );
  const search = ofType(template, 'AWS::OpenSearchService::Domain');
  if (!streams.length && !filters.length) {
    return {
      item: CHECKLIST[2],
      status: groups.length ? 'partly' : 'team',
      provided: `${plural(groups.length, 'log group')}, no delivery pipeline`,
      leftToTeam: 'ship logs to durable storage and a place to search them',
    };
  }
  const provided = [
    `${plural(filters.length, 'log subscription')} into ${plural(streams.length, 'Firehose stream')}`,
    `${plural(groups.length, 'log group')}`,
  ];
  if (locked.length) provided.push(`write-once (Object Lock) ${listing(locked.map((b) => code(displayName(b))))}`);
  if (search.length) provided.push(`OpenSearch ${listing(search.map((d) => code(displayName(d))))}`);
  const left = [
    search.length
      ? 'who reads the indexes, and their retention'
      : 'a search tool over the archive (OpenSearch indexing is opt-in)',
  ];
  if (forever.length) left.push(`${plural(forever.length, 'log group')} never expire: set a retention`);
  return { item: CHECKLIST[2], status: 'provided', provided: provided.join('; '), leftToTeam: left.join('; ') };
}

function backups(template: CfnTemplate): ChecklistItem {
  const rules = ofType(template, 'AWS::Events::Rule');
  const machines = ofType(template, 'AWS::StepFunctions::StateMachine');
  const functions = ofType(template, 'AWS::Lambda::Function');
  const targets = (r: (typeof rules)[number], ids: Set<string>) =>
    asList(prop(r.resource, 'Targets')).some((t) => isObject(t) && [...referencedIds(t.Arn)].some((id) => ids.has(id)));
  const scheduled = rules.filter((r) => prop(r.resource, 'ScheduleExpression') !== undefined);
  const scheduleOf = (ids: Set<string>) =>
    scheduled.filter((r) => targets(r, ids)).map((r) => render(prop(r.resource, 'ScheduleExpression')));
  const backupFns = functions.filter((f) => /backup/i.test(displayName(f)));
  const backupSchedules = scheduleOf(new Set(backupFns.map((f) => f.id)));
  // A drill is a schedule that starts the restore workflow, directly or through a function (`start-drill`).
  const machineIds = new Set(machines.map((m) => m.id));
  const startsDrill = (r: (typeof rules)[number]) => {
    const text = JSON.stringify([prop(r.resource, 'Description'), prop(r.resource, 'Targets')]);
    return targets(r, machineIds) || (/drill/i.test(text) && /start/i.test(text));
  };
  const drillSchedules = scheduled.filter(startsDrill).map((r) => render(prop(r.resource, 'ScheduleExpression')));
  const native = ofType(template, 'AWS::Backup::BackupPlan');
  const provided: string[] = [];
  if (backupSchedules.length)
    provided.push(
      `backups on ${listing(backupSchedules.map(code))} by ${listing(backupFns.map((f) => code(displayName(f))))}`,
    );
  if (native.length) provided.push(`${plural(native.length, 'AWS Backup plan')}`);
  if (machines.length)
    provided.push(
      `restore workflow ${listing(machines.map((m) => code(displayName(m))))}${drillSchedules.length ? `, drilled on ${listing(drillSchedules.map(code))}` : ', no scheduled drill'}`,
    );
  if (!provided.length)
    return {
      item: CHECKLIST[3],
      status: 'team',
      provided: 'no backup schedule or restore workflow',
      leftToTeam: 'backups, a restore procedure, and a tested restore',
    };
  return {
    item: CHECKLIST[3],
    status: 'partly',
    provided: provided.join('; '),
    leftToTeam:
      'a template cannot show a restore passed: after the first deploy run `mcp-ops verify --drill` (or wait for the first drill) and keep the drill-age alarm green',
  };
}

function runbooks(alarms: readonly AlarmSummary[]): ChecklistItem {
  const linked = alarms.filter((a) => a.runbook);
  const placeholder = linked.filter((a) => /example-org|example\.com/.test(a.runbook));
  const relative = linked.filter((a) => !/^https?:\/\//.test(a.runbook));
  const left: string[] = [];
  if (linked.length < alarms.length)
    left.push(`${plural(alarms.length - linked.length, 'alarm')} without a runbook link`);
  if (placeholder.length)
    left.push(
      `${plural(placeholder.length, 'link')} point at the placeholder repository: set runbookBaseUrl to where on-call reads them`,
    );
  if (relative.length) left.push(`${plural(relative.length, 'link')} are repository paths, not URLs on-call can open`);
  left.push('keep them current after each incident');
  return {
    item: CHECKLIST[4],
    status:
      alarms.length && linked.length === alarms.length && !placeholder.length && !relative.length
        ? 'provided'
        : linked.length
          ? 'partly'
          : 'team',
    provided: alarms.length
      ? `${linked.length} of ${plural(alarms.length, 'alarm')} link a runbook`
      : 'no alarms to link runbooks from',
    leftToTeam: left.join('; '),
  };
}

function onCall(alarms: readonly AlarmSummary[], subs: readonly Subscription[]): ChecklistItem {
  const pages = alarms.filter((a) => a.severity === 'page');
  const paging = subs.filter((s) => ['https', 'lambda', 'sqs'].includes(s.protocol));
  const provided = [
    pages.length
      ? `a page alarm (${listing(pages.map((a) => code(a.name)))}) separates what wakes someone from warnings`
      : 'no alarm is marked as the page',
    paging.length
      ? `${plural(paging.length, 'machine subscription')} (${[...new Set(paging.map((s) => s.protocol))].sort().join(', ')}) for a paging tool`
      : 'no paging-tool (HTTPS) subscription',
  ];
  return {
    item: CHECKLIST[5],
    status: paging.length ? 'partly' : 'team',
    provided: provided.join('; '),
    leftToTeam: 'the rotation itself: who is on call, escalation and hand-over live in your paging tool',
  };
}

function incidentResponse(template: CfnTemplate, alarms: readonly AlarmSummary[]): ChecklistItem {
  const aids: string[] = [];
  if (alarms.some((a) => a.runbook)) aids.push('runbooks linked from the alarms');
  if (
    ofType(template, 'AWS::S3::Bucket').some((b) =>
      [true, 'true'].includes(prop(b.resource, 'ObjectLockEnabled') as boolean | string),
    )
  )
    aids.push('a write-once audit trail');
  if (ofType(template, 'AWS::StepFunctions::StateMachine').length) aids.push('a restore workflow');
  if (ofType(template, 'AWS::Logs::QueryDefinition').length)
    aids.push(
      `${plural(ofType(template, 'AWS::Logs::QueryDefinition').length, 'saved Logs Insights query', 'saved Logs Insights queries')}`,
    );
  return {
    item: CHECKLIST[6],
    status: 'team',
    provided: aids.length ? `aids: ${listing(aids)}` : 'nothing a template can hold',
    leftToTeam: 'the plan: roles, severity levels, communication, post-incident review',
  };
}

function capacityPlan(capacity: CapacityFacts, alarms: readonly AlarmSummary[]): ChecklistItem {
  const scaled = capacity.services.filter((s) => s.minTasks !== undefined);
  if (!capacity.services.length)
    return {
      item: CHECKLIST[7],
      status: 'team',
      provided: 'no ECS service',
      leftToTeam: 'size the service for its peak',
    };
  const plan = scaled.map(
    (s) => `${code(s.name)} ${s.minTasks}–${s.maxTasks} tasks${s.scaling.length ? ` (${s.scaling.join('; ')})` : ''}`,
  );
  const planAlarm = alarms.filter(
    (a) => /capacity plan/i.test(`${a.threshold} ${a.name}`) || /AboveCapacity|PerTask/.test(a.name),
  );
  return {
    item: CHECKLIST[7],
    status: scaled.length ? 'provided' : 'partly',
    provided: `${plan.length ? listing(plan) : 'fixed task count, no autoscaling'}${planAlarm.length ? `; ${plural(planAlarm.length, 'alarm')} on traffic beyond the plan` : ''}`,
    leftToTeam:
      'check the model’s inputs (peak rps, latency, CPU per request) against a load test (`npm run bench`) and production, and re-plan when they change',
  };
}

function alarmNamesIn(rule: string): string[] {
  return [...rule.matchAll(/:alarm:([^)"]+)/g)].map((m) => m[1]);
}
