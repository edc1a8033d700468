/**
 * Task memory across deployments: the dashboard row that shows a memory leak (docs/runbooks/memory-leaks.md).
 *
 * A leak does not cross a threshold at one moment: each deployment restarts the tasks, memory falls back, and
 * climbs again until the next deployment or an out-of-memory kill. Two views show that shape:
 * - the service's MemoryUtilization per hour over two weeks, minimum and maximum over its tasks: a floor that
 *   rises between deployments (a sawtooth) is a leak, a floor that stays flat is load;
 * - per task-definition revision, from Container Insights' performance log events (`Type = "Task"` events carry
 *   TaskDefinitionRevision and MemoryUtilized, in `/aws/ecs/containerinsights/<cluster>/performance`:
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-reference-performance-logs-ECS.html):
 *   each revision's first and last memory reading and its peak, so a revision whose memory ends far above where it
 *   started, or above the previous revision's, names the release that leaks.
 * The service's MemoryUtilization alarm (80 %) still warns before tasks are killed; a trend is not an M-of-N
 * threshold, so it is shown, not alarmed.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/** Title of the row. */
export const MEMORY_TREND_TITLE = 'Memory across deployments';

/** The Logs Insights query over Container Insights' task events of one task-definition family. */
export function memoryByRevisionQuery(family: string): string[] {
  return [
    'fields TaskDefinitionRevision, MemoryUtilized, MemoryReserved',
    `filter Type = "Task" and TaskDefinitionFamily = "${family}"`,
    'stats earliest(MemoryUtilized) as first_mib, latest(MemoryUtilized) as last_mib, max(MemoryUtilized) as peak_mib, max(MemoryReserved) as task_mib, count_distinct(TaskId) as tasks, min(@timestamp) as since, max(@timestamp) as until by TaskDefinitionRevision',
    'sort since desc',
  ];
}

/** The row's widgets: two weeks of hourly memory (floor and peak), and memory per task-definition revision. */
export function memoryTrendWidgets(service: ecs.BaseService): cloudwatch.IWidget[] {
  const hourly = (statistic: string, label: string) =>
    service.metricMemoryUtilization({ statistic, period: Duration.hours(1), label });
  return [
    new cloudwatch.GraphWidget({
      title: 'Task memory, hourly, 2 weeks (%): a floor that climbs between deployments is a leak',
      width: 12,
      height: 6,
      start: '-P14D',
      left: [hourly('Minimum', 'least-used task (floor)'), hourly('Maximum', 'most-used task')],
      leftYAxis: { min: 0, max: 100, showUnits: false },
    }),
    new cloudwatch.LogQueryWidget({
      title: 'Task memory per task-definition revision (MiB, Container Insights)',
      width: 12,
      height: 6,
      logGroupNames: [`/aws/ecs/containerinsights/${service.cluster.clusterName}/performance`],
      queryLines: memoryByRevisionQuery(service.taskDefinition.family),
      view: cloudwatch.LogQueryVisualizationType.TABLE,
    }),
  ];
}
