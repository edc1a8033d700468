import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { McpDomain } from '../../lib/security/domain';
import { wafRateLimits } from '../../lib/security/policy';
import { McpWebAcl, McpWebAclProps, WAF_REDACTED_HEADERS } from '../../lib/security/web-acl';
import { testStack } from '../support/app';

function setup(props: Partial<McpWebAclProps> = {}, ipAddressType?: elbv2.IpAddressType) {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 0,
    ...(ipAddressType === elbv2.IpAddressType.DUAL_STACK ? { ipProtocol: ec2.IpProtocol.DUAL_STACK } : {}),
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true, ipAddressType });
  const acl = new McpWebAcl(stack, 'Waf', { serviceName: 'orders', loadBalancer, ...props });
  return { stack, loadBalancer, acl };
}

function fixture(props: Partial<McpWebAclProps> = {}) {
  const s = setup(props);
  return { ...s, template: Template.fromStack(s.stack) };
}

function rules(template: Template): any[] {
  return (Object.values(template.findResources('AWS::WAFv2::WebACL'))[0] as any).Properties.Rules;
}

const rule = (template: Template, name: string) => rules(template).find((r) => r.Name === name);

describe('McpWebAcl defaults', () => {
  const { stack, template, acl } = fixture({ peakRps: 1000 });

  test('a regional web ACL, allowing by default, associated with the load balancer', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'TestStack-orders',
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: {
        CloudWatchMetricsEnabled: true,
        MetricName: 'TestStack-orders',
        SampledRequestsEnabled: true,
      },
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { Ref: Match.stringLikeRegexp('^Lb') },
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WafWebAcl'), 'Arn'] },
    });
  });

  test('managed rule groups in order, the core rule set counting its 8 KB body rule', () => {
    expect(rules(template).map((r) => [r.Priority, r.Name])).toEqual([
      [10, 'AmazonIpReputation'],
      [20, 'KnownBadInputs'],
      [30, 'CoreRuleSet'],
      [40, 'BodyTooLarge'],
      [50, 'RateLimitPerIp'],
      [60, 'RateLimitToolsCall'],
    ]);
    expect(rule(template, 'CoreRuleSet').Statement.ManagedRuleGroupStatement).toEqual({
      VendorName: 'AWS',
      Name: 'AWSManagedRulesCommonRuleSet',
      RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
    });
    expect(rule(template, 'AmazonIpReputation').Statement.ManagedRuleGroupStatement.Name).toBe(
      'AWSManagedRulesAmazonIpReputationList',
    );
    expect(rule(template, 'KnownBadInputs').Statement.ManagedRuleGroupStatement.Name).toBe(
      'AWSManagedRulesKnownBadInputsRuleSet',
    );
  });

  test("the body rule blocks a Content-Length above the server's 1 MiB limit with 413", () => {
    const r = rule(template, 'BodyTooLarge');
    expect(r.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 413 } } });
    const re = new RegExp(r.Statement.RegexMatchStatement.RegexString);
    expect(re.test('1048576')).toBe(false);
    expect(re.test('1048577')).toBe(true);
    expect(r.Statement.RegexMatchStatement.FieldToMatch).toEqual({ SingleHeader: { Name: 'content-length' } });
  });

  test('rate limits from the peak: per IP and for tools/call (Mcp-Method header or JSON-RPC method), answered with 429', () => {
    const limits = wafRateLimits(1000);
    expect(acl.rateLimits).toEqual(limits);
    const perIp = rule(template, 'RateLimitPerIp');
    expect(perIp.Statement.RateBasedStatement).toEqual({
      Limit: 30_000,
      EvaluationWindowSec: 300,
      AggregateKeyType: 'IP',
    });
    expect(perIp.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
    const tools = rule(template, 'RateLimitToolsCall').Statement.RateBasedStatement;
    expect(tools.Limit).toBe(limits.toolsCallPerIp);
    const [header, body] = tools.ScopeDownStatement.OrStatement.Statements.map((s: any) => s.ByteMatchStatement);
    expect(header).toMatchObject({
      FieldToMatch: { SingleHeader: { Name: 'mcp-method' } },
      PositionalConstraint: 'EXACTLY',
      SearchString: 'tools/call',
    });
    expect(body.FieldToMatch.JsonBody).toMatchObject({
      MatchPattern: { IncludedPaths: ['/method'] },
      MatchScope: 'VALUE',
    });
  });

  test('logs go to an encrypted aws-waf-logs- group, with authorization and cookie redacted, blocked and counted only', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-TestStack-orders',
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WafLogKey'), 'Arn'] },
    });
    const logging = (Object.values(template.findResources('AWS::WAFv2::LoggingConfiguration'))[0] as any).Properties;
    expect(logging.RedactedFields).toEqual([
      { SingleHeader: { Name: 'authorization' } },
      { SingleHeader: { Name: 'cookie' } },
    ]);
    expect(WAF_REDACTED_HEADERS).toEqual(['authorization', 'cookie']);
    expect(JSON.stringify(logging.LogDestinationConfigs)).toMatch(
      /:log-group:",\{"Ref":"WafLogGroup[0-9A-F]+"\}\]\]\}\]$/,
    );
    expect(JSON.stringify(logging.LogDestinationConfigs)).not.toContain(':*');
    expect(logging.LoggingFilter.DefaultBehavior).toBe('DROP');
    expect(logging.LoggingFilter.Filters[0].Conditions.map((c: any) => c.ActionCondition.Action)).toEqual(
      expect.arrayContaining(['BLOCK', 'COUNT']),
    );
    // The key lets CloudWatch Logs use it for this log group only.
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0] as any;
    const logsStatement = key.Properties.KeyPolicy.Statement.find((s: any) =>
      JSON.stringify(s.Principal).includes('logs.'),
    );
    expect(JSON.stringify(logsStatement.Condition)).toContain('log-group:aws-waf-logs-TestStack-orders');
  });

  test('alarms: blocked-request spike from the plan, rate-limit activations; both warnings with the runbook', () => {
    expect(acl.alarms.map((a) => [a.id, a.severity])).toEqual([
      ['WafBlockedSpike', 'warning'],
      ['WafRateLimited', 'warning'],
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack-orders-WafBlockedSpike',
      Threshold: 600,
      Metrics: [
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: {
              MetricName: 'BlockedRequests',
              Namespace: 'AWS/WAFV2',
              Dimensions: Match.arrayWith([
                { Name: 'Rule', Value: 'ALL' },
                { Name: 'WebACL', Value: 'TestStack-orders' },
              ]),
            },
          }),
        }),
      ],
      AlarmDescription: Match.stringLikeRegexp('waf-blocks\\.md$'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack-orders-WafRateLimited',
      Threshold: 0,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(r0, 0) + FILL(r1, 0)' })]),
    });
    expect(acl.dashboardWidgets()).toHaveLength(4);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('McpWebAcl options', () => {
  test('an IP and country allow-list blocks everyone else, first', () => {
    const { template } = fixture({ allowedCidrs: ['203.0.113.0/24', '2001:db8::/32'], allowedCountries: ['DE'] });
    const allow = rules(template)[0];
    expect(allow).toMatchObject({ Name: 'AllowList', Priority: 0, Action: { Block: {} } });
    const inner = allow.Statement.NotStatement.Statement.OrStatement.Statements;
    expect(inner).toHaveLength(3);
    expect(inner[2]).toEqual({ GeoMatchStatement: { CountryCodes: ['DE'] } });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV4', Addresses: ['203.0.113.0/24'] });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { IPAddressVersion: 'IPV6', Addresses: ['2001:db8::/32'] });
  });

  test('a second rate key per Authorization header value, explicit limits, an imported log key warns', () => {
    const stackKey = fixture({
      rateLimitHeader: 'authorization',
      rateLimitPerHeaderValue: 600,
      rateLimitPerIp: 5000,
      toolsCallRateLimitPerIp: 400,
      logAllowedRequests: true,
    });
    const r = rule(stackKey.template, 'RateLimitPerHeader').Statement.RateBasedStatement;
    expect(r).toEqual({
      Limit: 600,
      EvaluationWindowSec: 300,
      AggregateKeyType: 'CUSTOM_KEYS',
      CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
    });
    expect(rule(stackKey.template, 'RateLimitPerIp').Statement.RateBasedStatement.Limit).toBe(5000);
    expect(rule(stackKey.template, 'RateLimitToolsCall').Statement.RateBasedStatement.Limit).toBe(400);
    const logging = (Object.values(stackKey.template.findResources('AWS::WAFv2::LoggingConfiguration'))[0] as any)
      .Properties;
    expect(logging.LoggingFilter).toBeUndefined();

    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0 });
    const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc });
    new McpWebAcl(stack, 'Waf', {
      serviceName: 'orders',
      loadBalancer,
      logEncryptionKey: kms.Key.fromKeyArn(
        stack,
        'Key',
        'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ),
    });
    expect(
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('key policy cannot be extended')),
    ).toHaveLength(1);
  });

  test.each([
    [{ rateLimitPerIp: 5 }, /rateLimitPerIp must be an integer from 10 to 2000000000/],
    [{ rateLimitPerHeaderValue: 100 }, /rateLimitPerHeaderValue needs rateLimitHeader/],
    [{ rateLimitHeader: 'Bad Header' }, /rateLimitHeader must be a lowercase HTTP header name/],
    [{ allowedCidrs: ['10.0.0.0'] }, /allowedCidrs entry must be an IPv4 or IPv6 CIDR/],
    [{ allowedCountries: ['Germany'] }, /allowedCountries entry must be an ISO 3166-1 alpha-2/],
    [{ maxBodyBytes: 10 }, /maxBodyBytes must be an integer from 1024/],
  ])('invalid props are refused: %o', (props, message) => {
    expect(() => fixture(props as Partial<McpWebAclProps>)).toThrow(message);
  });
});

describe('McpDomain', () => {
  test('a dual-stack load balancer gets A and AAAA alias records', () => {
    const { stack, loadBalancer } = setup({}, elbv2.IpAddressType.DUAL_STACK);
    const domain = new McpDomain(stack, 'Domain', {
      domainName: 'mcp.example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      hostedZoneName: 'example.com',
    });
    domain.addAliasRecords(loadBalancer);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'mcp.example.com.', Type: 'A' });
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'mcp.example.com.', Type: 'AAAA' });
    expect(() => domain.addAliasRecords(loadBalancer)).toThrow(/already called/);
  });
});
