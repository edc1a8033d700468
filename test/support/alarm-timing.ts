/**
 * CloudWatch's M-out-of-N rule on a series of periods (true = breaching): the number of periods after
 * which the alarm first fires, or undefined.
 * ("M out of N": https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html)
 */
export function periodsUntilAlarm(
  series: boolean[],
  datapoints: number,
  evaluationPeriods: number,
): number | undefined {
  for (let i = 0; i < series.length; i++) {
    const window = series.slice(Math.max(0, i - evaluationPeriods + 1), i + 1);
    if (window.filter(Boolean).length >= datapoints) return i + 1;
  }
  return undefined;
}

/** What every alarm summary shows besides its metric and threshold: evaluation, missing data, routing, runbook. */
export function evaluationAndRouting(p: Record<string, any>): Record<string, unknown> {
  return {
    comparison: p.ComparisonOperator,
    evaluationPeriods: p.EvaluationPeriods,
    datapointsToAlarm: p.DatapointsToAlarm,
    missingData: p.TreatMissingData,
    actions: p.AlarmActions?.length ? 'topic' : 'none',
    okActions: p.OKActions?.length ? 'topic' : 'none',
    runbook: /Runbook: \S+\/([a-z-]+)\.md$/.exec(p.AlarmDescription)?.[1],
  };
}
