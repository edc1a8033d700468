/**
 * The alarms of a template: name, severity, threshold in words and runbook. The project's alarm
 * descriptions follow `[severity] service: what. Threshold: … Runbook: <url>`; alarms that do not get
 * their severity and threshold read from their properties instead (metric, statistic, comparison,
 * threshold, datapoints out of periods).
 */
import { CfnTemplate, Entry, asList, compare, ofType, prop, refTarget, render } from './template';

export interface AlarmSummary {
  readonly id: string;
  readonly name: string;
  readonly severity: string;
  readonly threshold: string;
  readonly runbook: string;
  /** Where it notifies: rendered action targets (topic logical ids). */
  readonly actions: readonly string[];
  readonly composite: boolean;
}

const SEVERITY_ORDER = ['page', 'critical', 'warning', 'info'];

const COMPARISONS: Record<string, string> = {
  GreaterThanThreshold: 'above',
  GreaterThanOrEqualToThreshold: 'at or above',
  LessThanThreshold: 'below',
  LessThanOrEqualToThreshold: 'at or below',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the anomaly band',
  GreaterThanUpperThreshold: 'above the anomaly band',
  LessThanLowerThreshold: 'below the anomaly band',
};

/** Every alarm and composite alarm, most severe first, then by name. */
export function alarms(template: CfnTemplate): AlarmSummary[] {
  const found = ofType(template, 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm');
  const names = new Map(
    found.map((e) => [
      e.id,
      prop(e.resource, 'AlarmName') === undefined ? e.id : render(prop(e.resource, 'AlarmName')),
    ]),
  );
  const list = found.map((e) => summarize(e, names));
  return list.sort((a, b) => rank(a.severity) - rank(b.severity) || compare(a.name, b.name) || compare(a.id, b.id));
}

function summarize(e: Entry, names: ReadonlyMap<string, string>): AlarmSummary {
  const composite = e.resource.Type === 'AWS::CloudWatch::CompositeAlarm';
  const description = render(prop(e.resource, 'AlarmDescription'));
  const nameValue = prop(e.resource, 'AlarmName');
  const name = nameValue === undefined ? `${e.id} (name generated at deploy)` : render(nameValue);
  const tag = /^\[([a-z]+)\]/i.exec(description);
  return {
    id: e.id,
    name,
    severity: tag ? tag[1].toLowerCase() : 'untagged',
    threshold: thresholdOf(e, description, composite, names),
    runbook: runbookOf(description),
    actions: asList(prop(e.resource, 'AlarmActions')).map((a) => refTarget(a) ?? render(a)),
    composite,
  };
}

function thresholdOf(e: Entry, description: string, composite: boolean, names: ReadonlyMap<string, string>): string {
  // The sentence after `Threshold:`, up to a full stop that ends it (`i.e.` and `1.5` do not).
  const m = /Threshold: (.+?)(?:\.(?=\s+[A-Z]|\s*$)|$)/.exec(description);
  if (m) return m[1];
  if (composite) return `rule: ${compositeRule(render(prop(e.resource, 'AlarmRule')), names)}`;
  const p = e.resource.Properties ?? {};
  const metric =
    typeof p.MetricName === 'string'
      ? `${p.Namespace ? `${render(p.Namespace)} ` : ''}${p.MetricName}`
      : mathOf(p.Metrics);
  const statistic = p.ExtendedStatistic ?? p.Statistic;
  const comparison = COMPARISONS[String(p.ComparisonOperator)] ?? String(p.ComparisonOperator ?? '');
  const threshold = p.Threshold === undefined ? '' : ` ${render(p.Threshold)}`;
  const periods = Number(p.EvaluationPeriods ?? 1);
  const datapoints = Number(p.DatapointsToAlarm ?? periods);
  const period = p.Period === undefined ? '' : ` of ${describeSeconds(Number(p.Period))}`;
  const window =
    datapoints === periods
      ? `for ${periods === 1 ? 'one period' : `${periods} consecutive periods`}`
      : `in ${datapoints} of ${periods} periods`;
  return `${statistic ? `${render(statistic)} ` : ''}${metric} ${comparison}${threshold} ${window}${period}`
    .replace(/\s+/g, ' ')
    .trim();
}

function mathOf(metrics: unknown): string {
  const queries = asList(metrics).filter((q): q is Record<string, unknown> => typeof q === 'object' && q !== null);
  const returned = queries.find((q) => q.ReturnData !== false && q.Expression !== undefined);
  return returned ? `metric math ${render(returned.Expression)}` : 'the metric';
}

function runbookOf(description: string): string {
  const labelled = /(?:Runbook|runbook|index): (\S+?)[.,;)]?(?:\s|$)/.exec(description);
  if (labelled) return labelled[1];
  const url = /(https?:\/\/\S+?)[.,;)]?(?:\s|$)/.exec(description);
  if (url) return url[1];
  const docs = /\b(docs\/\S+?\.md(?:#[\w-]+)?)/.exec(description);
  return docs ? docs[1] : '';
}

/** A composite rule with alarm ARNs and `${Id.Arn}` references shown as alarm names. */
function compositeRule(rule: string, names: ReadonlyMap<string, string>): string {
  return rule
    .replace(/\$\{([A-Za-z0-9]+)\.Arn\}/g, (_, id: string) => names.get(id) ?? id)
    .replace(/"?arn:[^)"]*:alarm:([^)"]+)"?/g, '$1')
    .replace(/ALARM\("([^"]+)"\)/g, 'ALARM($1)');
}

function describeSeconds(s: number): string {
  if (s % 3600 === 0) return s === 3600 ? '1 hour' : `${s / 3600} hours`;
  if (s % 60 === 0) return s === 60 ? '1 minute' : `${s / 60} minutes`;
  return `${s} seconds`;
}

function rank(severity: string): number {
  const i = SEVERITY_ORDER.indexOf(severity);
  return i === -1 ? SEVERITY_ORDER.length : i;
}
