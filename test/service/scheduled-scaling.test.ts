import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { planCapacity } from '../../lib/capacity/model';
import { CapacityInput } from '../../lib/capacity/types';
import { McpService } from '../../lib/service/mcp-service';
import { testStack } from '../support/app';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');
const LOAD: CapacityInput = {
  peakRps: 1000,
  meanLatencyMs: 100,
  cpuSecondsPerRequest: 0.01,
  memoryPerConnectionMiB: 10,
};

function scalableTarget(capacity: CapacityInput) {
  const stack = testStack();
  const mcp = new McpService(stack, 'Mcp', {
    image,
    capacity,
    monitoring: { enabled: false },
    logging: { enabled: false },
  });
  const targets = Object.values(Template.fromStack(stack).findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
  expect(targets).toHaveLength(1);
  return { mcp, target: targets[0].Properties };
}

describe('McpService autoscaling from the capacity model', () => {
  test('the scalable target runs from the baseline minimum to the peak maximum', () => {
    const { mcp, target } = scalableTarget(LOAD);
    const plan = planCapacity(LOAD);
    expect([target.MinCapacity, target.MaxCapacity]).toEqual([plan.minTasks, plan.maxTasks]);
    expect([target.MinCapacity, target.MaxCapacity]).toEqual([2, 13]);
    expect(target.ScheduledActions).toBeUndefined();
    expect(mcp.sizing.minTasks).toBe(2);
  });

  test('each window of the schedule raises the minimum at its start and restores it at its end', () => {
    const { target } = scalableTarget({
      ...LOAD,
      schedule: [
        { name: 'Weekdays', startCron: '45 7 ? * MON-FRI *', endCron: '0 18 ? * MON-FRI *', expectedRps: 800 },
        {
          name: 'Launch',
          startCron: 'cron(0 12 1 * ? *)',
          endCron: '0 14 1 * ? *',
          expectedRps: 1000,
          timeZone: 'Europe/Dublin',
        },
      ],
    });
    expect(target.ScheduledActions).toEqual([
      {
        ScheduledActionName: 'WeekdaysStart',
        Schedule: 'cron(45 7 ? * MON-FRI *)',
        ScalableTargetAction: { MinCapacity: 6, MaxCapacity: 13 },
      },
      {
        ScheduledActionName: 'WeekdaysEnd',
        Schedule: 'cron(0 18 ? * MON-FRI *)',
        ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 13 },
      },
      {
        ScheduledActionName: 'LaunchStart',
        Schedule: 'cron(0 12 1 * ? *)',
        Timezone: 'Europe/Dublin',
        ScalableTargetAction: { MinCapacity: 8, MaxCapacity: 13 },
      },
      {
        ScheduledActionName: 'LaunchEnd',
        Schedule: 'cron(0 14 1 * ? *)',
        Timezone: 'Europe/Dublin',
        ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 13 },
      },
    ]);
  });

  test('a bad window fails the synth with the field, the value and the rule', () => {
    expect(() =>
      scalableTarget({
        ...LOAD,
        schedule: [{ name: 'Night', startCron: '0 1 * * *', endCron: '0 5 ? * * *', expectedRps: 300 }],
      }),
    ).toThrow(/capacity: schedule\[0\]\.startCron \(Night\) must have 6 fields .* got 5 in "0 1 \* \* \*"/);
  });
});
