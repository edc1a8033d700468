import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../lib/app/build';
import { CONTEXT_KEYS, parseAppConfig } from '../../lib/app/config';
import { testApp } from '../support/app';

const DOMAIN = { domainName: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com' };

function containerEnv(t: Template): Record<string, unknown> {
  const td = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as any;
  return Object.fromEntries(td.Properties.ContainerDefinitions[0].Environment.map((e: any) => [e.Name, e.Value]));
}

describe('the default app is secure by default', () => {
  test('without a domain: internal load balancer, Cognito auth required by the server, web ACL associated', () => {
    const stack = buildDefaultApp(testApp({ stackName: 'Internal' }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    t.resourceCountIs('AWS::Cognito::UserPool', 1);
    t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    expect(Object.keys(containerEnv(t))).toEqual(
      expect.arrayContaining(['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URL', 'AUTH_REQUIRED_SCOPES', 'RESOURCE_URL']),
    );
    expect(Object.keys(t.toJSON().Outputs)).toEqual(
      expect.arrayContaining(['AuthIssuer', 'AuthPeopleClientId', 'AuthMachineClientSecretArn']),
    );
  });

  test('with a domain in a hosted zone: no listener forwards unauthenticated internet traffic to the tasks', () => {
    const stack = buildDefaultApp(testApp({ stackName: 'Public', ...DOMAIN }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    const listeners = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::Listener')) as any[];
    expect(listeners).toHaveLength(1);
    expect(listeners[0].Properties.DefaultActions[0].Type).toBe('jwt-validation');
    // The only unauthenticated rule forwards the protected-resource metadata.
    const rules = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')) as any[];
    expect(rules.map((r) => r.Properties.Conditions[0].PathPatternConfig.Values)).toEqual([
      ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/*'],
    ]);
    t.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'mcp.example.com',
      ValidationMethod: 'DNS',
    });
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'mcp.example.com.', Type: 'A' });
  });

  test('allowAnonymousMcp=true opts out, with a warning', () => {
    const stack = buildDefaultApp(testApp({ stackName: 'Anonymous', allowAnonymousMcp: 'true' }));
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Cognito::UserPool', 0);
    expect(containerEnv(t).AUTH_ISSUER).toBeUndefined();
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('allowAnonymousMcp=true'));
    expect(warnings).toHaveLength(1);
  });
});

describe('security context keys', () => {
  test('issuer settings select your own issuer instead of Cognito', () => {
    const c = parseAppConfig({
      authIssuerUrl: 'https://auth.example.com/',
      authJwksUrl: 'https://auth.example.com/jwks',
      authRequiredScopes: 'mcp:read,mcp:write',
      authProbeClientSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:probe-AbCdEf',
    }).security;
    expect(c.auth).toBe('issuer');
    expect(c.issuer).toMatchObject({ requiredScopes: ['mcp:read', 'mcp:write'] });
  });

  test('defaults: Cognito, web ACL on, internet-facing decided by TLS', () => {
    const c = parseAppConfig({}).security;
    expect(c).toMatchObject({ auth: 'cognito', waf: true, allowPlaintextInternetListener: false });
    expect(c.internetFacing).toBeUndefined();
  });

  test.each([
    [{ authIssuerUrl: 'https://a.example.com' }, /context authJwksUrl: expected set with the other issuer settings/],
    [
      { authIssuerUrl: 'http://a.example.com', authJwksUrl: 'https://a/j' },
      /context authIssuerUrl: expected an https:\/\/ URL/,
    ],
    [
      { allowAnonymousMcp: 'true', authJwksUrl: 'https://a/j' },
      /context allowAnonymousMcp: expected false when issuer settings/,
    ],
    [
      { authProbeClientSecretArn: 'probe', authIssuerUrl: 'https://a', authJwksUrl: 'https://a/j' },
      /a Secrets Manager secret ARN/,
    ],
    [{ wafRateLimitPerIp: '5' }, /context wafRateLimitPerIp: expected a whole number from 10/],
    [{ allowPlaintextInternetListener: 'yes' }, /context allowPlaintextInternetListener: expected true or false/],
  ])('bad values are refused with the key and the value: %o', (ctx, message) => {
    expect(() => parseAppConfig(ctx)).toThrow(message);
  });

  test('an internet-facing plaintext endpoint needs the acknowledgement key', () => {
    expect(() => buildDefaultApp(testApp({ stackName: 'Plain', internetFacing: 'true' }))).toThrow(
      /-c allowPlaintextInternetListener=true/,
    );
  });

  test("-c allowAllOutbound=true opens the tasks' egress (default: HTTPS and the data tier); a bad value is an error", () => {
    const egressOf = (context: Record<string, string>): unknown[] => {
      const t = Template.fromStack(
        buildDefaultApp(testApp({ stackName: 'Egress', 'aws:cdk:bundling-stacks': [], ...context })),
      );
      const [group] = Object.values(t.findResources('AWS::EC2::SecurityGroup')).filter((r: any) =>
        /tasks: /.test(r.Properties.GroupDescription),
      ) as any[];
      return group.Properties.SecurityGroupEgress;
    };
    expect(egressOf({})).toEqual(
      expect.arrayContaining([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, CidrIp: '0.0.0.0/0' })]),
    );
    expect(egressOf({ allowAllOutbound: 'true' })).toEqual([
      expect.objectContaining({ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }),
    ]);
    expect(() => parseAppConfig({ allowAllOutbound: 'yes' })).toThrow(
      /context allowAllOutbound: expected true or false/,
    );
  });

  test('every new key is in CONTEXT_KEYS (and so documented in the README)', () => {
    const keys = CONTEXT_KEYS.map((k) => k.key);
    for (const key of ['hostedZoneId', 'hostedZoneName', 'allowPlaintextInternetListener', 'allowAnonymousMcp', 'waf'])
      expect(keys).toContain(key);
  });
});
