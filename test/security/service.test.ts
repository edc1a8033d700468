import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { planCapacity } from '../../lib/capacity/model';
import { McpAuth } from '../../lib/security/auth';
import { METADATA_RULE_PRIORITY, PREFLIGHT_RULE_PRIORITY } from '../../lib/security/listeners';
import { wafRateLimits } from '../../lib/security/policy';
import { DEFAULT_CAPACITY_INPUT, McpService, McpServiceProps } from '../../lib/service/mcp-service';
import { testStack } from '../support/app';

const CERT = 'arn:aws:acm:eu-west-1:111111111111:certificate/12345678-1234-1234-1234-123456789012';
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');
const ZONE = { domainName: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com' };

function synth(props: McpServiceProps) {
  const stack = testStack();
  const mcp = new McpService(stack, 'Mcp', { image, ...props });
  return { stack, mcp, template: Template.fromStack(stack) };
}

function all(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

function containerEnv(template: Template): Record<string, unknown> {
  const td = all(template, 'AWS::ECS::TaskDefinition')[0][1];
  return Object.fromEntries(td.Properties.ContainerDefinitions[0].Environment.map((e: any) => [e.Name, e.Value]));
}

function probeFunction(template: Template): any {
  return all(template, 'AWS::Lambda::Function').find(([, r]) =>
    String(r.Properties.Description).startsWith('Synthetic MCP probe'),
  )![1];
}

function statementsOf(template: Template, roleLogicalId: string): any[] {
  return all(template, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleLogicalId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const ref = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

describe('without TLS, with Cognito auth: an internal endpoint the probe checks from inside the VPC', () => {
  const { stack, mcp, template } = synth({ auth: McpAuth.cognito() });

  test('the load balancer is internal, listens on HTTP 80 only, admits the VPC and the probe', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    const lbSg = all(template, 'AWS::EC2::SecurityGroup').find(([id]) => id.includes('LbSecurityGroup'))![1];
    expect(JSON.stringify(lbSg.Properties.SecurityGroupIngress)).not.toContain('0.0.0.0/0');
    const probeSg = all(template, 'AWS::EC2::SecurityGroup').find(([id]) => id.includes('ProbeSecurityGroup'))!;
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 80,
      ToPort: 80,
      SourceSecurityGroupId: { 'Fn::GetAtt': [probeSg[0], 'GroupId'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LbSecurityGroup'), 'GroupId'] },
    });
  });

  test('no JWT verification on a plaintext listener; the synth says the server is the only layer', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('jwt-validation');
    expect(mcp.loadBalancerVerifiesTokens).toBe(false);
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp("server's check is the only layer"),
    );
    expect(warnings).toHaveLength(1);
    expect(
      Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('^mcp-server: internal load balancer')),
    ).toHaveLength(1);
  });

  test('the server gets the issuer, audience, JWKS, scopes, accepted clients and its resource URL', () => {
    const env = containerEnv(template);
    const pool = ref(stack, mcp.auth!.cognito!.userPool);
    expect(JSON.stringify(env.AUTH_ISSUER)).toContain(pool);
    expect(JSON.stringify(env.AUTH_JWKS_URL)).toMatch(/\/\.well-known\/jwks\.json/);
    expect(JSON.stringify(env.AUTH_AUDIENCE)).toContain('/mcp');
    expect(JSON.stringify(env.AUTH_REQUIRED_SCOPES)).toMatch(/\/mcp\/mcp\.read"?\]?\]?}?$/);
    expect(JSON.stringify(env.AUTH_ADMIN_SCOPE)).toContain('/mcp/mcp.admin');
    expect(JSON.stringify(env.AUTH_CLIENT_IDS)).toContain(ref(stack, mcp.auth!.cognito!.peopleClient));
    expect(JSON.stringify(env.RESOURCE_URL)).toMatch(
      /^\{"Fn::Join":\["",\["http:\/\/",\{"Fn::GetAtt":\["McpLb[0-9A-F]+","DNSName"\]\}\]\]\}$/,
    );
  });

  test('the probe runs in the private subnets with its own group, and authenticates with the machine client', () => {
    const fn = probeFunction(template);
    expect(fn.Properties.VpcConfig.SubnetIds).toHaveLength(2);
    expect(JSON.stringify(fn.Properties.VpcConfig.SubnetIds)).toMatch(/appSubnet/);
    const env = fn.Properties.Environment.Variables;
    const cognito = mcp.auth!.cognito!;
    expect(JSON.stringify(env.PROBE_TOKEN_URL)).toMatch(/auth\.eu-west-1\.amazoncognito\.com\/oauth2\/token/);
    expect(env.PROBE_CLIENT_ID).toEqual({ Ref: ref(stack, cognito.machineClient) });
    expect(env.PROBE_CLIENT_SECRET_ARN).toEqual({ Ref: ref(stack, cognito.machineClientSecret) });
    expect(JSON.stringify(env.PROBE_SCOPES)).toContain('/mcp/mcp.read');
    expect(env.PROBE_RESOURCE).toBeUndefined();
    expect(JSON.stringify(env.MCP_ENDPOINT_URL)).toMatch(/^\{"Fn::Join":\["",\["http:\/\//);
  });

  test('the probe may read that one secret and decrypt with its key, nothing more', () => {
    const fn = probeFunction(template);
    const stmts = statementsOf(template, fn.Properties.Role['Fn::GetAtt'][0]);
    const secretStmts = stmts.filter((s) => JSON.stringify(s.Action).includes('secretsmanager'));
    expect(secretStmts).toEqual([
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: ref(stack, mcp.auth!.cognito!.machineClientSecret) },
      },
    ]);
    const kmsStmts = stmts.filter((s) => JSON.stringify(s.Action).includes('kms:'));
    expect(kmsStmts).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: {
          'Fn::GetAtt': [stack.getLogicalId(mcp.auth!.cognito!.secretEncryptionKey.node.defaultChild as never), 'Arn'],
        },
      },
    ]);
  });

  test('the machine client secret is the app client secret (GetAtt), under a customer managed key', () => {
    const secret = all(template, 'AWS::SecretsManager::Secret')[0][1];
    expect(secret.Properties.SecretString).toEqual({
      'Fn::GetAtt': [ref(stack, mcp.auth!.cognito!.machineClient), 'ClientSecret'],
    });
    expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/SecretKey/), 'Arn'] });
  });

  test('authentication failures and the web ACL each get a warning alarm and a dashboard row', () => {
    const ids = mcp.monitoring!.pagedAlarms.map((a) => a.id);
    expect(ids).not.toContain('AuthFailureSpike'); // warnings do not page
    expect(mcp.authMonitoring!.alarms.map((a) => [a.id, a.severity])).toEqual([['AuthFailureSpike', 'warning']]);
    expect(mcp.webAcl!.alarms.map((a) => [a.id, a.severity])).toEqual([
      ['WafBlockedSpike', 'warning'],
      ['WafRateLimited', 'warning'],
    ]);
    const body = JSON.stringify(all(template, 'AWS::CloudWatch::Dashboard')[0][1].Properties.DashboardBody);
    expect(body).toContain('Edge protection (WAF)');
    expect(body).toContain('Authentication');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack-mcp-server-AuthFailureSpike',
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: 'IF(FILL(elb, 0) - FILL(waf, 0) > 0, FILL(elb, 0) - FILL(waf, 0), 0) + FILL(srv, 0)',
        }),
        Match.objectLike({
          Id: 'elb',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'HTTPCode_ELB_4XX_Count' }) }),
        }),
        Match.objectLike({
          Id: 'srv',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: 'mcp_errors_total',
              Dimensions: Match.arrayWith([{ Name: 'error_type', Value: 'auth_error' }]),
            }),
          }),
        }),
      ]),
    });
  });

  test("the rate rule's limit is the capacity plan's figure", () => {
    const limits = wafRateLimits(planCapacity(DEFAULT_CAPACITY_INPUT).input.peakRps);
    const acl = all(template, 'AWS::WAFv2::WebACL')[0][1];
    const rule = acl.Properties.Rules.find((r: any) => r.Name === 'RateLimitPerIp');
    expect(rule.Statement.RateBasedStatement).toEqual({
      Limit: limits.perIp,
      EvaluationWindowSec: 300,
      AggregateKeyType: 'IP',
    });
    expect(mcp.webAcl!.rateLimits).toEqual(limits);
  });
});

describe('with a domain in a hosted zone and Cognito: HTTPS with token verification at the load balancer', () => {
  const { stack, mcp, template } = synth({
    ...ZONE,
    auth: McpAuth.cognito(),
    allowedOrigins: ['https://app.example.com'],
  });
  const httpsListener = () =>
    all(template, 'AWS::ElasticLoadBalancingV2::Listener').find(([, r]) => r.Properties.Port === 443)![1];

  test('a DNS-validated certificate in the zone, on the internet-facing HTTPS listener, and the alias record', () => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'mcp.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'mcp.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    expect(httpsListener().Properties.Certificates).toEqual([
      { CertificateArn: { Ref: ref(stack, mcp.domain!.certificate) } },
    ]);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'mcp.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
    });
    template.resourceCountIs('AWS::Route53::RecordSet', 1); // IPv4 load balancer: no AAAA
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    expect(mcp.endpointUrl).toBe('https://mcp.example.com/mcp');
  });

  test('the default action verifies the JWT (issuer, JWKS, token_use, scope) and then forwards', () => {
    const actions = httpsListener().Properties.DefaultActions;
    expect(actions.map((a: any) => a.Type)).toEqual(['jwt-validation', 'forward']);
    const jwt = actions[0].JwtValidationConfig;
    const pool = ref(stack, mcp.auth!.cognito!.userPool);
    expect(JSON.stringify(jwt.Issuer)).toContain(pool);
    expect(JSON.stringify(jwt.JwksEndpoint)).toMatch(/\/\.well-known\/jwks\.json/);
    expect(jwt.AdditionalClaims).toEqual([
      { Name: 'token_use', Format: 'single-string', Values: ['access'] },
      { Name: 'scope', Format: 'space-separated-values', Values: ['https://mcp.example.com/mcp/mcp.read'] },
    ]);
    expect(mcp.loadBalancerVerifiesTokens).toBe(true);
  });

  test('ahead of it, rules forward the protected-resource metadata and CORS preflight without a token', () => {
    const rules = all(template, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties);
    const metadata = rules.find((r) => r.Priority === METADATA_RULE_PRIORITY)!;
    expect(metadata.Conditions).toEqual([
      {
        Field: 'path-pattern',
        PathPatternConfig: {
          Values: ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/*'],
        },
      },
    ]);
    expect(metadata.Actions.map((a: any) => a.Type)).toEqual(['forward']);
    const preflight = rules.find((r) => r.Priority === PREFLIGHT_RULE_PRIORITY)!;
    expect(preflight.Conditions).toEqual([
      { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['OPTIONS'] } },
    ]);
    expect(preflight.Actions.map((a: any) => a.Type)).toEqual(['forward']);
    // Nothing else is open: every other request meets the JWT action.
    expect(rules).toHaveLength(2);
  });

  test('the Cognito pool: Plus plan, threat protection enforced, MFA required, strong passwords, no self sign-up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'https://mcp.example.com/mcp',
      Scopes: [
        { ScopeName: 'mcp.read', ScopeDescription: Match.anyValue() },
        { ScopeName: 'mcp.admin', ScopeDescription: Match.anyValue() },
      ],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'teststack-mcp-server-111111111111' });
  });

  test("the clients' flows and scopes: people use the code flow without a secret, machines client credentials with one", () => {
    const clients = all(template, 'AWS::Cognito::UserPoolClient').map(([, r]) => r.Properties);
    const people = clients.find((c) => c.ClientName === 'mcp-server-people')!;
    expect(people).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: ['http://localhost:6274/oauth/callback'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect(JSON.stringify(people.AllowedOAuthScopes)).toContain('mcp.read');
    expect(JSON.stringify(people.AllowedOAuthScopes)).toContain('mcp.admin');
    expect(people.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'email']));
    const machine = clients.find((c) => c.ClientName === 'mcp-server-machine')!;
    expect(machine).toMatchObject({ GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'] });
    expect(JSON.stringify(machine.AllowedOAuthScopes)).toContain('mcp.read');
    expect(JSON.stringify(machine.AllowedOAuthScopes)).not.toContain('mcp.admin');
  });

  test('the probe runs outside the VPC against the HTTPS URL', () => {
    const fn = probeFunction(template);
    expect(fn.Properties.VpcConfig).toBeUndefined();
    expect(fn.Properties.Environment.Variables.MCP_ENDPOINT_URL).toBe('https://mcp.example.com/mcp');
    expect(containerEnv(template).RESOURCE_URL).toBe('https://mcp.example.com');
  });
});

describe('bring your own issuer', () => {
  const clientSecret = (stack: Stack) =>
    secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      'ProbeSecret',
      'arn:aws:secretsmanager:eu-west-1:111111111111:secret:probe-AbCdEf',
    );
  const stack = testStack();
  const mcp = new McpService(stack, 'Mcp', {
    image,
    certificateArn: CERT,
    domainName: 'mcp.example.com',
    auth: McpAuth.issuer({
      issuerUrl: 'https://auth.example.com/',
      jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
      requiredScopes: ['mcp:read'],
      adminScope: 'mcp:admin',
      tokenUrl: 'https://auth.example.com/oauth/token',
      probeClientId: 'probe',
      probeClientSecret: clientSecret(stack),
    }),
  });
  const template = Template.fromStack(stack);

  test('the load balancer checks issuer, audience (the endpoint URL) and the required scope', () => {
    const listener = all(template, 'AWS::ElasticLoadBalancingV2::Listener')[0][1];
    expect(listener.Properties.DefaultActions[0].JwtValidationConfig).toEqual({
      Issuer: 'https://auth.example.com/',
      JwksEndpoint: 'https://auth.example.com/.well-known/jwks.json',
      AdditionalClaims: [
        { Name: 'aud', Format: 'single-string', Values: ['https://mcp.example.com/mcp'] },
        { Name: 'scope', Format: 'space-separated-values', Values: ['mcp:read'] },
      ],
    });
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  test('server and probe environments', () => {
    expect(containerEnv(template)).toMatchObject({
      AUTH_ISSUER: 'https://auth.example.com/',
      AUTH_AUDIENCE: 'https://mcp.example.com/mcp',
      AUTH_JWKS_URL: 'https://auth.example.com/.well-known/jwks.json',
      AUTH_REQUIRED_SCOPES: 'mcp:read',
      AUTH_ADMIN_SCOPE: 'mcp:admin',
      RESOURCE_URL: 'https://mcp.example.com',
    });
    expect(probeFunction(template).Properties.Environment.Variables).toMatchObject({
      PROBE_TOKEN_URL: 'https://auth.example.com/oauth/token',
      PROBE_CLIENT_ID: 'probe',
      PROBE_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:probe-AbCdEf',
      PROBE_SCOPES: 'mcp:read',
      PROBE_RESOURCE: 'https://mcp.example.com/mcp',
    });
    expect(mcp.auth!.kind).toBe('issuer');
  });

  test('without probe credentials the probe is left out, with a warning', () => {
    const s = testStack();
    const m = new McpService(s, 'Mcp', {
      image,
      certificateArn: CERT,
      domainName: 'mcp.example.com',
      auth: McpAuth.issuer({ issuerUrl: 'https://auth.example.com/', jwksUrl: 'https://auth.example.com/jwks' }),
    });
    expect(m.monitoring!.probeFunction).toBeUndefined();
    expect(Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('no client credentials'))).toHaveLength(1);
  });

  test.each([
    [{ issuerUrl: 'http://auth.example.com', jwksUrl: 'https://a/jwks' }, /issuer.issuerUrl must be an https:\/\/ URL/],
    [{ issuerUrl: 'https://auth.example.com', jwksUrl: 'http://a/jwks' }, /issuer.jwksUrl must be an https:\/\/ URL/],
    [
      { issuerUrl: 'https://a', jwksUrl: 'https://a/j', tokenUrl: 'https://a/t' },
      /needs all of tokenUrl, probeClientId and probeClientSecret/,
    ],
    [
      { issuerUrl: 'https://a', jwksUrl: 'https://a/j', requiredScopes: ['a b'] },
      /issuer scope must be an OAuth scope token/,
    ],
  ])('invalid issuer settings are refused: %o', (props, message) => {
    expect(() => McpAuth.issuer(props)).toThrow(message);
  });
});

describe('exposure errors and acknowledgements', () => {
  test('an internet-facing plaintext listener is a synth error unless acknowledged', () => {
    expect(() => new McpService(testStack(), 'Mcp', { image, internetFacing: true })).toThrow(
      /McpService: an internet-facing load balancer needs TLS.*allowPlaintextInternetListener/,
    );
    const { stack, template } = synth({
      internetFacing: true,
      allowPlaintextInternetListener: true,
      webAcl: { enabled: false },
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    const w = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('acknowledged with allowPlaintextInternetListener'),
    );
    expect(w).toHaveLength(1);
    // And it is anonymous: that is said too.
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('has no authorization'))).toHaveLength(
      1,
    );
  });

  test.each([
    [
      { ...ZONE, hostedZoneName: 'other.com' },
      /domainName "mcp.example.com" is not inside the hosted zone "other.com"/,
    ],
    [
      { domainName: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' },
      /give hostedZoneId and hostedZoneName together/,
    ],
    [{ hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com' }, /need domainName/],
    [{ ...ZONE, hostedZoneId: 'zone-1' }, /hostedZoneId must be a Route 53 hosted zone id/],
  ])('invalid domain settings are refused: %o', (props, message) => {
    expect(() => new McpService(testStack(), 'Mcp', { image, ...props })).toThrow(message);
  });

  test('webAcl: { enabled: false } leaves the web ACL out', () => {
    const { template } = synth({
      webAcl: { enabled: false },
      monitoring: { enabled: false },
      logging: { enabled: false },
    });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });
});
