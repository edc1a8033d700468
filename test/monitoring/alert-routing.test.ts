/**
 * Per-severity alert routing: pages and warnings reach destinations of their own (e-mail, HTTPS endpoints of paging
 * tools, Slack and Teams through AWS's chat integration) beside the alarm topic, which keeps receiving everything.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { buildDefaultApp } from '../../lib/app/build';
import { parseAppConfig } from '../../lib/app/config';
import { AlarmSeverity } from '../../lib/monitoring/alarms';
import { McpAlertRoute } from '../../lib/monitoring/alert-routing';
import { McpMonitoring, McpMonitoringProps } from '../../lib/monitoring/monitoring';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';
import { buildFixture } from './fixture';

const PAGER = 'https://events.pagerduty.example.com/integration/abc/enqueue';
const TEAM = '11111111-2222-3333-4444-555555555555';
const TENANT = '66666666-7777-8888-9999-000000000000';

function build(extra: Partial<McpMonitoringProps> = {}, app = testApp()): { stack: Stack; monitoring: McpMonitoring } {
  const stack = testStack(app);
  const f = buildFixture(stack);
  const monitoring = new McpMonitoring(stack, 'Monitoring', {
    serviceName: 'orders-mcp',
    loadBalancer: f.loadBalancer,
    targetGroup: f.targetGroup,
    service: f.service,
    ...extra,
  });
  return { stack, monitoring };
}

const routes = {
  pageRoute: { httpsEndpoints: [PAGER], emails: ['pager@example.com'], emailOnOk: false },
  warningRoute: {
    emails: ['team@example.com'],
    slackChannels: [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' }],
    teamsChannels: [{ teamId: TEAM, tenantId: TENANT, channelId: '19:abc@thread.tacv2' }],
  },
};
const routed = build(routes);
routed.monitoring.addCustomSegment({
  title: 'Orders',
  alarms: [
    {
      id: 'OrdersSlow',
      metric: new cloudwatch.Metric({ namespace: 'Orders', metricName: 'Slow' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      severity: AlarmSeverity.WARNING,
      summary: 'orders are slow',
    },
  ],
});
const t = Template.fromStack(routed.stack);
const resources = t.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
const ref = (topic: { node: { defaultChild?: unknown } }) => ({
  Ref: routed.stack.getLogicalId(topic.node.defaultChild as any),
});
const alarmTopic = ref(routed.monitoring.alarmTopic);
const pageTopic = ref(routed.monitoring.pageTopic!);
const warningTopic = ref(routed.monitoring.warningTopic!);
const subscriptions = Object.values(resources).filter((r) => r.Type === 'AWS::SNS::Subscription');

describe('per-severity alert routing', () => {
  test('each route has a topic of its own, encrypted and TLS-only like the alarm topic', () => {
    t.resourceCountIs('AWS::SNS::Topic', 3);
    for (const topic of [pageTopic, warningTopic]) {
      const props = resources[topic.Ref].Properties;
      expect(props.KmsMasterKeyId).toBeDefined();
    }
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::SNS::TopicPolicy');
    expect(policies).toHaveLength(3);
  });

  test('the page composite notifies the alarm topic and the page topic, on ALARM and OK', () => {
    const page = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::CompositeAlarm')!;
    expect(page.Properties.AlarmActions).toEqual([alarmTopic, pageTopic]);
    expect(page.Properties.OKActions).toEqual([alarmTopic, pageTopic]);
  });

  test("warnings (the service's and its segments') notify the alarm topic and the warning topic; criticals neither", () => {
    for (const alarm of [...routed.monitoring.alarms, ...routed.monitoring.pagedAlarms]) {
      const p = resources[routed.stack.getLogicalId(alarm.alarm.node.defaultChild as any)].Properties;
      if (alarm.severity === AlarmSeverity.WARNING) {
        expect(p.AlarmActions).toEqual([alarmTopic, warningTopic]);
        expect(p.OKActions).toEqual([alarmTopic, warningTopic]);
      } else {
        expect(p.AlarmActions).toBeUndefined();
      }
    }
    const custom = Object.values(resources).find(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.AlarmName === 'TestStack-orders-mcp-OrdersSlow',
    )!;
    expect(custom.Properties.AlarmActions).toEqual([alarmTopic, warningTopic]);
  });

  test('subscriptions: the paging tool over HTTPS, e-mail on ALARM only by a filter policy on the body', () => {
    const onPage = subscriptions.filter((s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(pageTopic));
    expect(onPage.map((s) => [s.Properties.Protocol, s.Properties.Endpoint]).sort()).toEqual([
      ['email', 'pager@example.com'],
      ['https', PAGER],
    ]);
    const email = onPage.find((s) => s.Properties.Protocol === 'email')!;
    expect(email.Properties.FilterPolicyScope).toBe('MessageBody');
    expect(email.Properties.FilterPolicy).toEqual({ NewStateValue: ['ALARM'] });
    const https = onPage.find((s) => s.Properties.Protocol === 'https')!;
    expect(https.Properties.FilterPolicy).toBeUndefined(); // paging tools resolve incidents on OK
    const onWarning = subscriptions.filter(
      (s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(warningTopic),
    );
    expect(onWarning.map((s) => [s.Properties.Protocol, s.Properties.Endpoint, s.Properties.FilterPolicy])).toEqual([
      ['email', 'team@example.com', undefined],
    ]);
    // Nothing of the routes is subscribed to the alarm topic.
    expect(subscriptions.filter((s) => JSON.stringify(s.Properties.TopicArn) === JSON.stringify(alarmTopic))).toEqual(
      [],
    );
  });

  test('chat channels: Slack and Teams configurations on the warning topic, a role with no permissions, read-only guardrail', () => {
    const slack = Object.values(resources).filter((r) => r.Type === 'AWS::Chatbot::SlackChannelConfiguration');
    const teams = Object.values(resources).filter((r) => r.Type === 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration');
    expect(slack).toHaveLength(1);
    expect(teams).toHaveLength(1);
    expect(slack[0].Properties).toMatchObject({
      ConfigurationName: 'TestStack-orders-mcp-warnings-1',
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      SnsTopicArns: [warningTopic],
      LoggingLevel: 'ERROR',
    });
    expect(teams[0].Properties).toMatchObject({
      ConfigurationName: 'TestStack-orders-mcp-warnings-2',
      TeamId: TEAM,
      TeamsTenantId: TENANT,
      TeamsChannelId: '19%3Aabc%40thread.tacv2',
      SnsTopicArns: [warningTopic],
    });
    for (const c of [...slack, ...teams]) {
      expect(JSON.stringify(c.Properties.GuardrailPolicies)).toContain(':iam::aws:policy/CloudWatchReadOnlyAccess');
    }
    const roleId = slack[0].Properties.IamRoleArn['Fn::GetAtt'][0];
    expect(teams[0].Properties.IamRoleArn['Fn::GetAtt'][0]).toBe(roleId);
    const role = resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    const policies = Object.values(resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId),
    );
    expect(policies).toEqual([]);
  });

  test('without routes there is one topic, as before', () => {
    const plain = Template.fromStack(build().stack);
    plain.resourceCountIs('AWS::SNS::Topic', 1);
    plain.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });

  test('cdk-nag AwsSolutions: clean with every kind of destination', () => {
    const app = testApp();
    build(routes, app);
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });

  test.each<[string, McpAlertRoute, string]>([
    ['an empty route', {}, 'McpMonitoring: pageRoute must name at least one e-mail, HTTPS endpoint or chat channel'],
    [
      'a bad e-mail',
      { emails: ['pager'] },
      'McpMonitoring: pageRoute.emails[0] must be an e-mail address, got "pager"',
    ],
    [
      'a plain-HTTP endpoint',
      { httpsEndpoints: ['http://pager.example.com/x'] },
      'McpMonitoring: pageRoute.httpsEndpoints[0] must be an https:// URL, got "http://pager.example.com/x"',
    ],
    [
      'a Slack channel name instead of its id',
      { slackChannels: [{ workspaceId: 'T0123ABCD', channelId: '#oncall' }] },
      'McpMonitoring: pageRoute.slackChannels[0].channelId must be a Slack channel id such as C0123ABCD, got "#oncall"',
    ],
    [
      'a Teams team that is not a GUID',
      { teamsChannels: [{ teamId: 'oncall', tenantId: TENANT, channelId: '19:x' }] },
      'McpMonitoring: pageRoute.teamsChannels[0].teamId must be a Microsoft Teams team id (a GUID), got "oncall"',
    ],
    [
      'a Teams channel that is not one',
      { teamsChannels: [{ teamId: TEAM, tenantId: TENANT, channelId: 'general' }] },
      'McpMonitoring: pageRoute.teamsChannels[0].channelId must be a Teams channel id such as 19:abc@thread.tacv2, got "general"',
    ],
  ])('%s is refused at synth time', (_what, pageRoute, message) => {
    expect(() => build({ pageRoute })).toThrow(message);
  });
});

describe('alert routing in the default app', () => {
  test('context keys give the routes', () => {
    const config = parseAppConfig({
      pageHttpsEndpoints: PAGER,
      pageEmails: 'a@example.com,b@example.com',
      warningSlackChannels: 'T0123ABCD/C0123ABCD',
      warningTeamsChannels: `${TEAM}/${TENANT}/19:abc@thread.tacv2`,
    });
    expect(config.pageRoute).toEqual({
      emails: ['a@example.com', 'b@example.com'],
      httpsEndpoints: [PAGER],
      slackChannels: [],
      teamsChannels: [],
    });
    expect(config.warningRoute).toEqual({
      emails: [],
      httpsEndpoints: [],
      slackChannels: [{ workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' }],
      teamsChannels: [{ teamId: TEAM, tenantId: TENANT, channelId: '19:abc@thread.tacv2' }],
    });
    expect(parseAppConfig({}).pageRoute).toBeUndefined();
  });

  test.each([
    ['pageEmails', 'oncall', 'context pageEmails: expected email addresses, got "oncall"'],
    ['warningHttpsEndpoints', 'http://x.example.com', 'context warningHttpsEndpoints: expected https:// URLs'],
    ['pageSlackChannels', 'C0123ABCD', 'context pageSlackChannels: expected workspaceId/channelId pairs'],
    ['warningTeamsChannels', 'team/tenant/channel', 'context warningTeamsChannels: expected teamId/tenantId/channelId'],
  ])('-c %s=%s is refused', (key, value, message) => {
    expect(() => parseAppConfig({ [key]: value })).toThrow(message);
  });

  test('-c pageHttpsEndpoints subscribes the paging tool to a page topic of its own', () => {
    const app = testApp({ pageHttpsEndpoints: PAGER, stackName: 'Routed' });
    const stack = buildDefaultApp(app);
    const tpl = Template.fromStack(stack);
    const pageTopic = { Ref: stack.getLogicalId(stack.mcp.monitoring!.pageTopic!.node.defaultChild as any) };
    tpl.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: PAGER, TopicArn: pageTopic });
    tpl.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmActions: [{ Ref: stack.getLogicalId(stack.mcp.alarmTopic!.node.defaultChild as any) }, pageTopic],
    });
  });
});
