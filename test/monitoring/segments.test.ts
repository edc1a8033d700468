/**
 * Segments and the alarm factory: users add alarms and rows on their own metrics, constructs contribute theirs,
 * the page composite is assembled at synth time over every critical alarm added by then, and alarms that no
 * monitoring construct includes notify their own topic.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmFactoryFor } from '../../lib/internal/alarm-factory';
import { AlarmSeverity, IMcpMonitoringSegment, McpAlarm } from '../../lib/monitoring/alarms';
import { McpMonitoring, McpMonitoringProps } from '../../lib/monitoring/monitoring';
import { testApp, testStack } from '../support/app';
import { buildFixture } from './fixture';

const metric = (name: string) => new cloudwatch.Metric({ namespace: 'Orders', metricName: name });

function build(extra: Partial<McpMonitoringProps> = {}) {
  const stack = testStack(testApp());
  const f = buildFixture(stack);
  const topic = new sns.Topic(stack, 'Topic');
  const monitoring = new McpMonitoring(stack, 'Monitoring', {
    serviceName: 'orders-mcp',
    loadBalancer: f.loadBalancer,
    targetGroup: f.targetGroup,
    service: f.service,
    alarmTopic: topic,
    ...extra,
  });
  return { stack, monitoring, topic };
}

/** A segment of the user's own, built with the same factory the constructs use. */
class OrdersSegment extends Construct implements IMcpMonitoringSegment {
  public readonly segmentTitle = 'Orders';
  public readonly alarms: McpAlarm[];
  constructor(scope: Construct, id: string, topic?: sns.ITopic) {
    super(scope, id);
    const factory = alarmFactoryFor(this, 'OrdersSegment', 'orders-mcp', { alarmTopic: topic });
    const text = { summary: 'orders fail', threshold: 'above 5', runbook: 'https://wiki.example.com/orders' };
    factory.metricAlarm(
      'OrdersFailing',
      { ...text, severity: AlarmSeverity.CRITICAL },
      {
        metric: metric('Failed'),
        threshold: 5,
        evaluationPeriods: 1,
      },
    );
    factory.metricAlarm(
      'OrdersSlow',
      { ...text, severity: AlarmSeverity.WARNING },
      {
        metric: metric('Slow'),
        threshold: 5,
        evaluationPeriods: 1,
      },
    );
    this.alarms = factory.alarms;
  }
  dashboardWidgets(): cloudwatch.IWidget[] {
    return [new cloudwatch.AlarmStatusWidget({ alarms: this.alarms.map((a) => a.alarm) })];
  }
}

function alarmProps(stack: Stack, alarm: McpAlarm): any {
  return (Template.fromStack(stack).toJSON().Resources as any)[stack.getLogicalId(alarm.alarm.node.defaultChild as any)]
    .Properties;
}

describe('segments', () => {
  test('addCustomSegment: alarms named, described, tagged and routed like the golden signals; a row on the dashboard', () => {
    const { stack, monitoring, topic } = build();
    const [failing, slow] = monitoring.addCustomSegment({
      title: 'Orders',
      alarms: [
        {
          id: 'OrdersFailing',
          metric: metric('Failed'),
          threshold: 5,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          severity: AlarmSeverity.CRITICAL,
          summary: 'orders are failing to settle',
          runbookUrl: 'https://wiki.example.com/orders.md',
        },
        {
          id: 'OrdersSlow',
          metric: metric('Slow'),
          threshold: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          severity: AlarmSeverity.WARNING,
          summary: 'orders settle slowly',
        },
      ],
    });
    const t = Template.fromStack(stack);
    const topicRef = stack.resolve(topic.topicArn);
    const f = alarmProps(stack, failing);
    expect(f).toMatchObject({
      AlarmName: 'TestStack-orders-mcp-OrdersFailing',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    expect(f.AlarmDescription).toBe(
      '[critical] orders-mcp: orders are failing to settle. Threshold: GreaterThanThreshold 5 in 2 of 3 one-minute periods. ' +
        'Critical: pages (through the page composite when monitoring includes it). Runbook: https://wiki.example.com/orders.md',
    );
    expect(f.AlarmActions).toBeUndefined();
    expect(f.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'mcp-ops:service', Value: 'orders-mcp' },
        { Key: 'mcp-ops:severity', Value: 'critical' },
      ]),
    );
    const s = alarmProps(stack, slow);
    expect(s.AlarmActions).toEqual([topicRef]);
    expect(s.OKActions).toEqual([topicRef]);
    // The warning links the monitoring's runbook index when it names none.
    expect(s.AlarmDescription).toMatch(/Runbook: https:\/\/\S+\/docs\/runbooks\/$/);
    expect(monitoring.pagedAlarms.map((a) => a.id)).toContain('OrdersFailing');
    const page = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm'))[0] as any;
    expect(JSON.stringify(page.Properties.AlarmRule)).toContain(
      stack.getLogicalId(failing.alarm.node.defaultChild as any),
    );
    expect(JSON.stringify(page.Properties.AlarmRule)).not.toContain(
      stack.getLogicalId(slow.alarm.node.defaultChild as any),
    );
    const body = JSON.stringify((Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0] as any).Properties);
    expect(body).toContain('## Orders');
  });

  test('addSegment: a segment made before or after the monitoring joins its page; its own topic is dropped for criticals', () => {
    const { stack, monitoring, topic } = build();
    const own = new sns.Topic(stack, 'SegmentTopic');
    const segment = new OrdersSegment(stack, 'Orders', own);
    monitoring.addSegment(segment);
    const [critical, warning] = segment.alarms;
    expect(alarmProps(stack, critical).AlarmActions).toBeUndefined();
    // Once included, warnings notify the monitoring's topic.
    expect(alarmProps(stack, warning).AlarmActions).toEqual([stack.resolve(topic.topicArn)]);
    expect(monitoring.pagedAlarms).toContain(critical);
    expect(monitoring.pagedAlarms).not.toContain(warning);
  });

  test('a segment no monitoring includes notifies its own topic, criticals included', () => {
    const stack = testStack(testApp());
    const own = new sns.Topic(stack, 'SegmentTopic');
    const segment = new OrdersSegment(stack, 'Orders', own);
    for (const alarm of segment.alarms) {
      expect(alarmProps(stack, alarm).AlarmActions).toEqual([stack.resolve(own.topicArn)]);
      expect(alarmProps(stack, alarm).OKActions).toEqual([stack.resolve(own.topicArn)]);
    }
  });

  test('actions a user adds to a factory alarm are kept beside the routed ones', () => {
    const stack = testStack(testApp());
    const own = new sns.Topic(stack, 'SegmentTopic');
    const extra = new sns.Topic(stack, 'Extra');
    const segment = new OrdersSegment(stack, 'Orders', own);
    segment.alarms[1].alarm.addAlarmAction({ bind: () => ({ alarmActionArn: extra.topicArn }) });
    expect(alarmProps(stack, segment.alarms[1]).AlarmActions).toEqual([
      stack.resolve(extra.topicArn),
      stack.resolve(own.topicArn),
    ]);
  });

  test('a segment belongs to one monitoring construct, and a row is added once', () => {
    const { stack, monitoring } = build();
    const f = buildFixture(stack, new Construct(stack, 'Other'));
    const other = new McpMonitoring(stack, 'OtherMonitoring', {
      serviceName: 'other-mcp',
      loadBalancer: f.loadBalancer,
      targetGroup: f.targetGroup,
      service: f.service,
    });
    const segment = new OrdersSegment(stack, 'Orders');
    monitoring.addSegment(segment);
    expect(() => other.addSegment(segment)).toThrow(/is already part of another monitoring construct's page/);
    expect(() => monitoring.addSection('Orders', [])).toThrow(
      'McpMonitoring: addSection: the dashboard already has a row titled "Orders"; each row (and segment) is added once',
    );
  });

  test('alarmTags and alarmNamePrefix apply to every alarm; a bad tag or prefix is refused', () => {
    const { stack, monitoring } = build({ alarmNamePrefix: 'prod', alarmTags: { team: 'orders' } });
    const p = alarmProps(stack, monitoring.alarm('LatencyP99')!);
    expect(p.AlarmName).toBe('prod-orders-mcp-LatencyP99');
    expect(p.Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'orders' }]));
    expect(() => build({ alarmTags: { 'aws:owner': 'x' } })).toThrow(/McpMonitoring: alarmTags key must be 1–128/);
    expect(() => build({ alarmNamePrefix: 'has space' })).toThrow(/McpMonitoring: alarmNamePrefix must be letters/);
  });

  test('aggressiveDeploymentAlarms: clones on 1 of 1 periods roll back deployments and notify nobody', () => {
    const { stack, monitoring } = build({ aggressiveDeploymentAlarms: true });
    expect(monitoring.deploymentAlarmNames).toEqual([
      'TestStack-orders-mcp-LatencyP99Deployment',
      'TestStack-orders-mcp-ErrorRateDeployment',
      'TestStack-orders-mcp-UnhealthyHostsDeployment',
    ]);
    const t = Template.fromStack(stack);
    const service = Object.values(t.findResources('AWS::ECS::Service'))[0] as any;
    expect(service.Properties.DeploymentConfiguration.Alarms.AlarmNames).toEqual(monitoring.deploymentAlarmNames);
    for (const clone of monitoring.deploymentAlarmClones) {
      const p = alarmProps(stack, clone);
      expect(p).toMatchObject({ EvaluationPeriods: 1, DatapointsToAlarm: 1 });
      expect(p.AlarmActions).toBeUndefined();
      expect(p.OKActions).toBeUndefined();
      expect(monitoring.pagedAlarms).not.toContain(clone);
    }
    // The alarms they clone still page as before.
    expect(monitoring.pagedAlarms.map((a) => a.id)).toEqual(expect.arrayContaining(['LatencyP99', 'ErrorRate']));
  });
});
