import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AssemblyError, readAssembly, Assembly } from '../../cli/review/assembly';
import { alarms } from '../../cli/review/alarms';
import { describeLoss, orphans, statefulLosses, summarizeChanges } from '../../cli/review/changes';
import { exposure } from '../../cli/review/exposure';
import { externalTrust, roles, wildcards } from '../../cli/review/iam';
import { renderValidation, validationSummary } from '../../cli/review/nag';
import { isOutsideVpc, networkModel } from '../../cli/review/network';
import { renderReport } from '../../cli/review/report';
import { CfnTemplate } from '../../cli/review/template';

/** Edge cases on small hand-written templates (the real default app is covered by review.test.ts). */
const ACCOUNT = '111111111111';

function assembly(template: CfnTemplate): Assembly {
  return {
    stacks: [{ id: 'S', displayName: 'S', template, account: ACCOUNT, region: 'eu-west-1', metadata: [] }],
    openFindings: [],
    featureFlags: {},
  };
}

const vpc = { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } };

describe('exposure', () => {
  const template: CfnTemplate = {
    Resources: {
      Vpc: vpc,
      Lb: {
        Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        Properties: { Scheme: 'internet-facing', SecurityGroups: [{ 'Fn::GetAtt': ['LbSg', 'GroupId'] }] },
      },
      Internal: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal' } },
      Https: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: {
          LoadBalancerArn: { Ref: 'Lb' },
          Port: 443,
          Protocol: 'HTTPS',
          SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          DefaultActions: [{ Type: 'forward' }],
        },
      },
      Redirect: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: {
          LoadBalancerArn: { Ref: 'Lb' },
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443' } }],
        },
      },
      Jwt: {
        Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
        Properties: { ListenerArn: { Ref: 'Https' }, Actions: [{ Type: 'jwt-validation' }, { Type: 'forward' }] },
      },
      Acl: {
        Type: 'AWS::WAFv2::WebACLAssociation',
        Properties: {
          ResourceArn: { Ref: 'Lb' },
          WebACLArn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/x/y',
        },
      },
      LbSg: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          VpcId: { Ref: 'Vpc' },
          SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }],
        },
      },
      AppSg: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          VpcId: { Ref: 'Vpc' },
          SecurityGroupIngress: [
            { CidrIp: '10.0.4.0/24', IpProtocol: 'tcp', FromPort: 22, ToPort: 22 },
            { CidrIp: '203.0.113.0/24', IpProtocol: 'tcp', FromPort: 22, ToPort: 22 },
          ],
        },
      },
      Db: {
        Type: 'AWS::RDS::DBInstance',
        Properties: { PubliclyAccessible: true, VPCSecurityGroups: [{ 'Fn::GetAtt': ['AppSg', 'GroupId'] }] },
      },
      Url: { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'NONE' } },
    },
  };
  const x = exposure(template, networkModel(template));

  test('public listeners with their TLS policy, listener-rule auth and the web ACL; internal ones only counted', () => {
    expect(x.listeners.map((l) => [l.port, l.tls, l.auth, l.webAcl, l.defaultAction])).toEqual([
      ['443', 'ELBSecurityPolicy-TLS13-1-2-2021-06', ['jwt-validation'], true, 'forward'],
      ['80', 'none (plain text)', [], true, 'redirect to HTTPS:443'],
    ]);
    expect(x.internalLoadBalancers).toBe(1);
  });

  test('ingress from outside the VPC only: a CIDR inside the VPC is not listed', () => {
    expect(x.ingress.map((i) => [i.source, i.ports, i.members])).toEqual([
      ['203.0.113.0/24', 'tcp 22', ['Db']],
      ['0.0.0.0/0', 'tcp 443', ['Lb']],
    ]);
    expect(isOutsideVpc({ kind: 'cidr', cidr: '10.0.4.0/24' }, ['10.0.0.0/16'])).toBe(false);
    expect(isOutsideVpc({ kind: 'cidr', cidr: '10.1.0.0/24' }, ['10.0.0.0/16'])).toBe(true);
    expect(isOutsideVpc({ kind: 'cidr', cidr: '::/0' }, ['10.0.0.0/16'])).toBe(true);
  });

  test('other public surfaces', () => {
    expect(x.other).toEqual(['`Db`: database is publicly accessible', '`Url`: Lambda function URL with auth NONE']);
  });

  test('a redirecting plain-HTTP listener is not flagged; a forwarding one would be', () => {
    const report = renderReport(assembly(template));
    expect(report).not.toMatch(/Public listener `HTTP 80`.*has no TLS/);
  });
});

describe('IAM: wildcards and trust outside the account, new against a base', () => {
  const role = (trust: unknown) => ({
    Type: 'AWS::IAM::Role',
    Properties: { AssumeRolePolicyDocument: { Statement: [trust] } },
  });
  const base: CfnTemplate = {
    Resources: {
      Fn: role({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      FnPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'Fn' }],
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' }] },
        },
      },
    },
  };
  const current: CfnTemplate = {
    Resources: {
      ...base.Resources,
      FnPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'Fn' }],
          PolicyDocument: {
            Statement: [
              { Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' },
              { Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' },
              { Effect: 'Deny', Action: '*', Resource: '*' },
              { Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b' },
            ],
          },
        },
      },
      Partner: role({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        Action: 'sts:AssumeRole',
      }),
      Same: role({
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
        Action: 'sts:AssumeRole',
      }),
      Ci: role({
        Effect: 'Allow',
        Principal: { Federated: { Ref: 'Oidc' } },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
      }),
      Oidc: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: 'https://token.actions.githubusercontent.com' } },
      OpenPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          PolicyDocument: {
            Statement: [
              { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' },
              {
                Effect: 'Allow',
                Principal: { AWS: '*' },
                Action: 's3:PutObject',
                Resource: '*',
                Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
              },
              { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: '*' },
            ],
          },
        },
      },
    },
  };

  test('wildcards: actions with *, resource *, NotAction; Deny statements are not grants', () => {
    const w = wildcards(roles(current, ACCOUNT)).map((x) => `${x.holder} ${x.action} ${x.resource}`);
    expect(w).toEqual(['Fn NOT iam:* arn:aws:s3:::b', 'Fn s3:Get* arn:aws:s3:::b/*', 'Fn xray:PutTraceSegments *']);
  });

  test('external trust: another account, a federated identity and an unconditioned * resource policy; not the own account', () => {
    const t = externalTrust(current, roles(current, ACCOUNT), ACCOUNT).map(
      (x) => `${x.holder} ${x.principal} (${x.reason})`,
    );
    expect(t).toEqual([
      'Ci Federated: ${Oidc} (federated identity (web identity / SAML))',
      'OpenPolicy AWS: * (any AWS principal)',
      'Partner AWS: arn:aws:iam::222222222222:root (account 222222222222)',
    ]);
  });

  test('the report highlights what is new against the base', () => {
    const report = renderReport(assembly(current), { base: assembly(base), baseLabel: 'main' });
    const attention = report.slice(report.indexOf('### Needs attention'), report.indexOf('### Architecture'));
    expect(attention).toContain(
      '🆕 **New external trust**: `Partner` trusts `AWS: arn:aws:iam::222222222222:root` (account 222222222222).',
    );
    expect(attention).toContain('🆕 **New external trust**: `Ci` trusts `Federated: ${Oidc}`');
    expect(attention).toContain(
      '🆕 **New wildcard** in `Fn`: `NOT iam:*` on `arn:aws:s3:::b`, `s3:Get*` on `arn:aws:s3:::b/*`.',
    );
    expect(attention).not.toContain('xray:PutTraceSegments');
    expect(report).toContain('New against main: 2 wildcards, 3 external trusts (marked 🆕).');
  });
});

describe('changes: stateful replacements, deletions and orphans', () => {
  const base: CfnTemplate = {
    Resources: {
      Audit: {
        Type: 'AWS::S3::Bucket',
        Properties: { BucketName: 'audit-a', ObjectLockEnabled: true },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      },
      Kept: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' },
      Lost: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 't' }, DeletionPolicy: 'Delete' },
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
      Cache: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: { CacheNodeType: 'cache.t4g.small', NumCacheClusters: 2 },
      },
    },
  };
  const current: CfnTemplate = {
    Resources: {
      Audit: { ...base.Resources!.Audit, Properties: { BucketName: 'audit-b', ObjectLockEnabled: true } },
      Cache: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: { CacheNodeType: 'cache.m7g.large', NumCacheClusters: 2 },
      },
    },
  };
  const summary = summarizeChanges(base, current);

  test('a write-once bucket replacement, a table deletion and a log-group orphan are called out, replacements first', () => {
    expect(statefulLosses(summary).map(describeLoss)).toEqual([
      '**Replaces** the write-once (Object Lock) bucket `Audit` (S3::Bucket) (BucketName: `audit-a` → `audit-b` (replacement)): a new, empty one is created and the old one is kept outside the stack (UpdateReplacePolicy Retain): it keeps costing money, and nothing points at it any more.',
      '**Deletes** the table `Lost` (DynamoDB::Table): is deleted with its data (no DeletionPolicy keeps it).',
    ]);
    expect(orphans(summary).map((r) => r.id)).toEqual(['Kept']);
    expect(describeLoss(orphans(summary)[0])).toMatch(/^\*\*Orphans\*\* the log group `Kept`.*DeletionPolicy Retain/);
  });

  test('an in-place update of a stateful resource is an update, not a loss; a plain deletion is listed', () => {
    const cache = summary.resources.find((r) => r.id === 'Cache')!;
    expect(cache.impact).toBe('WILL_UPDATE');
    expect(cache.details).toEqual(['CacheNodeType: `cache.t4g.small` → `cache.m7g.large`']);
    const report = renderReport(assembly(current), { base: assembly(base) });
    expect(report).toContain('⚠️ **Deletes** 1 resource: `Topic`.');
    const attention = report
      .slice(report.indexOf('### Needs attention'), report.indexOf('### Architecture'))
      .split('\n')
      .filter((l) => l.startsWith('- '));
    expect(attention[0]).toMatch(/^- ⛔ \*\*Replaces\*\* the write-once/);
    expect(attention[1]).toMatch(/^- ⛔ \*\*Deletes\*\* the table/);
    expect(attention[2]).toMatch(/^- ⚠️ \*\*Orphans\*\*/);
  });
});

describe('alarms and validation metadata', () => {
  test('a threshold is read from the description when it follows the convention, else from the properties', () => {
    const list = alarms({
      Resources: {
        A: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            AlarmName: 'a',
            AlarmDescription:
              '[critical] x: y. Threshold: p99 above 1.5 s in 2 of 3 periods. Runbook: https://example.org/r.md',
          },
        },
        B: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            MetricName: 'Errors',
            Namespace: 'AWS/Lambda',
            Statistic: 'Sum',
            ComparisonOperator: 'GreaterThanThreshold',
            Threshold: 0,
            EvaluationPeriods: 5,
            DatapointsToAlarm: 3,
            Period: 60,
          },
        },
      },
    });
    expect(list.map((a) => [a.name, a.severity, a.threshold, a.runbook])).toEqual([
      ['a', 'critical', 'p99 above 1.5 s in 2 of 3 periods', 'https://example.org/r.md'],
      ['B (name generated at deploy)', 'untagged', 'Sum AWS/Lambda Errors above 0 in 3 of 5 periods of 1 minute', ''],
    ]);
  });

  test('compact: the per-acknowledgement table gives way to a pointer to the whole report (for the comment limit)', () => {
    const v = {
      packs: ['AwsSolutions'],
      cloudFormationRules: true,
      open: [],
      acknowledgements: [
        { pack: 'AwsSolutions', rule: 'AwsSolutions-IAM5', finding: '', path: 'S/Fn', reason: 'r1' },
        { pack: 'construct annotations', rule: 'NIST.800.53.R5-LambdaDLQ', finding: '', path: 'S/Fn', reason: 'r2' },
      ],
    };
    const full = renderValidation(v);
    expect(full).toContain('| `AwsSolutions-IAM5` | all | `S/Fn` | r1 |');
    expect(full).toContain('1 acknowledgement of `NIST.800-53.R5`');
    const short = renderValidation(v, true);
    expect(short).not.toContain('| r1 |');
    expect(short).toContain('shortened to fit a pull-request comment');
  });

  test('acknowledgements are grouped by pack and rule; without recorded packs the report says so', () => {
    const v = validationSummary(
      [
        {
          path: '/S/Fn',
          type: 'aws:cdk:acknowledged-rules',
          data: { 'Annotation::AwsSolutions-IAM5[Resource::*]': 'X-Ray has no resources' },
        },
        {
          path: '/S',
          type: 'aws:cdk:acknowledged-rules',
          data: { 'CloudFormation-Validate::W3010': 'zones from context' },
        },
        {
          path: '/S/Db',
          type: 'aws:cdk:acknowledged-rules',
          data: { 'NIST.800-53.R5-RDSLoggingEnabled': 'exported elsewhere' },
        },
      ],
      [],
      {},
    );
    expect(v.packs).toBeUndefined();
    expect(v.acknowledgements.map((a) => [a.pack, a.rule, a.finding, a.path])).toEqual([
      ['AwsSolutions', 'AwsSolutions-IAM5', 'Resource::*', 'S/Fn'],
      ['CloudFormation-Validate', 'W3010', '', 'S'],
      ['NIST.800-53.R5', 'NIST.800-53.R5-RDSLoggingEnabled', '', 'S/Db'],
    ]);
  });
});

describe('reading assemblies', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-assembly-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('stacks of nested assemblies (stages) are read with their stage prefix', () => {
    fs.mkdirSync(path.join(dir, 'assembly-Prod'));
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({
        artifacts: {
          'assembly-Prod': {
            type: 'cdk:cloud-assembly',
            displayName: 'Prod',
            properties: { directoryName: 'assembly-Prod' },
          },
        },
      }),
    );
    fs.writeFileSync(
      path.join(dir, 'assembly-Prod', 'manifest.json'),
      JSON.stringify({
        artifacts: {
          ProdApi: {
            type: 'aws:cloudformation:stack',
            environment: 'aws://222222222222/us-east-1',
            displayName: 'Api',
            properties: { templateFile: 'ProdApi.template.json' },
          },
        },
      }),
    );
    fs.writeFileSync(
      path.join(dir, 'assembly-Prod', 'ProdApi.template.json'),
      JSON.stringify({ Resources: { T: { Type: 'AWS::SNS::Topic' } } }),
    );
    const a = readAssembly(dir);
    expect(a.stacks.map((s) => [s.id, s.displayName, s.account, s.region])).toEqual([
      ['ProdApi', 'Prod/Api', '222222222222', 'us-east-1'],
    ]);
  });

  test('a manifest without stacks is an error that says so', () => {
    const empty = fs.mkdtempSync(path.join(dir, 'empty-'));
    fs.writeFileSync(path.join(empty, 'manifest.json'), JSON.stringify({ artifacts: {} }));
    expect(() => readAssembly(empty)).toThrow(AssemblyError);
    expect(() => readAssembly(empty)).toThrow(/lists no CloudFormation stack/);
  });
});
