import { CfnResource } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { NagRuleCompliance, rules } from 'cdk-nag';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { McpAuth } from '../../lib/security/auth';
import { McpService, McpServiceProps } from '../../lib/service/mcp-service';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';
import { nistFindings } from './nag';

const CERT = 'arn:aws:acm:eu-west-1:111111111111:certificate/12345678-1234-1234-1234-123456789012';
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');
const ZONE = { domainName: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'example.com' };

const variants: Array<[string, (stack: import('aws-cdk-lib').Stack) => McpServiceProps]> = [
  ['internal, Cognito', () => ({ auth: McpAuth.cognito() })],
  ['domain + zone, Cognito', () => ({ ...ZONE, auth: McpAuth.cognito(), allowedOrigins: ['https://app.example.com'] })],
  [
    'certificate ARN, issuer, HTTP redirect',
    (stack) => ({
      certificateArn: CERT,
      domainName: 'mcp.example.com',
      httpRedirect: true,
      auth: McpAuth.issuer({
        issuerUrl: 'https://auth.example.com/',
        jwksUrl: 'https://auth.example.com/jwks',
        tokenUrl: 'https://auth.example.com/token',
        probeClientId: 'probe',
        probeClientSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'ProbeSecret', 'probe'),
      }),
    }),
  ],
];

/** The NIST 800-53 R5 rules this issue owns: they must pass (no unacknowledged finding) in every variant. */
const OWNED_NIST_RULES = [
  'NIST.800.53.R5-ALBWAFEnabled',
  'NIST.800.53.R5-ALBHttpToHttpsRedirection',
  'NIST.800.53.R5-ELBv2ACMCertificateRequired',
  'NIST.800.53.R5-WAFv2LoggingEnabled',
];

/** Construct paths of what this issue adds: the security constructs must be clean under NIST too. */
const SECURITY_PATHS = /\/Mcp\/(Auth|WebAcl|Domain|AuthMonitoring|Lb\/Https|Lb\/Http|Lb\/Redirect|LbSecurityGroup)/;

describe.each(variants)('cdk-nag: %s', (_name, props) => {
  test('AwsSolutionsChecks: no unacknowledged findings', () => {
    const app = testApp();
    const stack = testStack(app);
    new McpService(stack, 'Mcp', { image, ...props(stack) });
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });

  test('NIST 800-53 R5: the WAF, HTTPS-redirect and ACM rules pass, and the security constructs are clean', () => {
    const app = testApp();
    const stack = testStack(app);
    new McpService(stack, 'Mcp', { image, ...props(stack) });
    const findings = nistFindings(app);
    expect(describeFindings(findings.filter((f) => OWNED_NIST_RULES.includes(f.rule)))).toEqual([]);
    expect(describeFindings(findings.filter((f) => SECURITY_PATHS.test(f.path)))).toEqual([]);
  });
});

test('the NIST check sees what it checks: without the web ACL, ALBWAFEnabled fails on the load balancer and is acknowledged with the opt-out', () => {
  const app = testApp();
  const stack = testStack(app);
  const mcp = new McpService(stack, 'Mcp', {
    image,
    ...ZONE,
    webAcl: { enabled: false },
    monitoring: { enabled: false },
    logging: { enabled: false },
  });
  const lb = mcp.loadBalancer.node.defaultChild as CfnResource;
  expect(rules.elb.ALBWAFEnabled(lb)).toBe(NagRuleCompliance.NON_COMPLIANT);
  const acknowledged = JSON.stringify(
    mcp.loadBalancer.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'),
  );
  expect(acknowledged).toContain('NIST.800.53.R5-ALBWAFEnabled');
  expect(acknowledged).toContain('switched off explicitly by webAcl: { enabled: false }');
  // Nothing else of the pack is left unacknowledged in this configuration (the plain log group is encrypted too).
  expect(nistFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
});
