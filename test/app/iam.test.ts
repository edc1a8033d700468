/**
 * Least privilege of the default app, on the synthesized policy documents: every role's complete action
 * list is pinned (test/app/iam-pins.ts), and an action allowed on `Resource: "*"` must be on the allow-list
 * below, each entry with why it cannot name a resource; the tasks reach only HTTPS, the database and the cache.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildDefaultApp } from '../../lib/app/build';
import { testApp } from '../support/app';
import { rolePermissions, wildcardActions } from '../support/iam';
import { DEFAULT_APP_ROLES } from './iam-pins';

/**
 * Actions that may be allowed on `Resource: "*"`. The Service Authorization Reference lists no resource type for
 * these ("you must specify all resources"), unless the comment says otherwise:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
const WILDCARD_ALLOWED: Readonly<Record<string, string>> = {
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html
  'xray:PutTraceSegments': 'X-Ray tracing of the Lambdas and the state machine',
  'xray:PutTelemetryRecords': 'X-Ray tracing of the Lambdas and the state machine',
  'xray:GetSamplingRules': "the state machine's X-Ray tracing (aws-cdk-lib)",
  'xray:GetSamplingTargets': "the state machine's X-Ray tracing (aws-cdk-lib)",
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
  'ecr:GetAuthorizationToken': 'the execution role logs in to ECR; the pulls are scoped to the repository',
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
  'cloudwatch:PutMetricData': 'conditioned on cloudwatch:namespace (the mcp-ops namespace)',
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
  'ecs:DescribeTaskDefinition': 'read-only: the backup records, the restore reads, the task definition in use',
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
  'rds:DescribeAccountAttributes': "the backup's snapshot-quota check",
  // These two have resource types (db, auto-backup), but the restore looks up instances and automated backups
  // whose identifiers it chooses at run time (restore targets, replicated backups in the recovery Region).
  'rds:DescribeDBInstances': 'restore: instances whose identifiers are chosen at run time',
  'rds:DescribeDBInstanceAutomatedBackups': 'restore: automated backups of the source instance, listed by its id',
  // Lambda's documented execution-role permissions for a function in a VPC (Create/Delete have resource types,
  // but Lambda chooses the interfaces' subnets and ids):
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
  'ec2:CreateNetworkInterface': "the probe's network interfaces in the VPC (internal load balancer)",
  'ec2:DescribeNetworkInterfaces': "the probe's network interfaces in the VPC",
  'ec2:DescribeSubnets': "the probe's network interfaces in the VPC",
  'ec2:DeleteNetworkInterface': "the probe's network interfaces in the VPC",
  'ec2:AssignPrivateIpAddresses': "the probe's network interfaces in the VPC",
  'ec2:UnassignPrivateIpAddresses': "the probe's network interfaces in the VPC",
  // Step Functions logging to CloudWatch Logs: the log-delivery actions take "*" (aws-cdk-lib grants them).
  // https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
  'logs:CreateLogDelivery': "the state machine's execution logs",
  'logs:DeleteLogDelivery': "the state machine's execution logs",
  'logs:DescribeLogGroups': "the state machine's execution logs",
  'logs:DescribeResourcePolicies': "the state machine's execution logs",
  'logs:GetLogDelivery': "the state machine's execution logs",
  'logs:ListLogDeliveries': "the state machine's execution logs",
  'logs:PutResourcePolicy': "the state machine's execution logs",
  'logs:UpdateLogDelivery': "the state machine's execution logs",
};

const app = testApp({ 'aws:cdk:bundling-stacks': [] });
const stack = buildDefaultApp(app);
let dir: string;
try {
  dir = app.synth().directory;
} catch {
  dir = app.outdir; // a validation failure is the other tests' concern; the template is written first
}
const template = JSON.parse(fs.readFileSync(path.join(dir, stack.templateFile), 'utf8'));

describe('IAM of the default app', () => {
  test('every role has exactly its pinned actions (regenerate test/app/iam-pins.ts after a deliberate change)', () => {
    expect(rolePermissions(template)).toEqual(DEFAULT_APP_ROLES);
  });

  test('Resource "*" only for actions on the allow-list', () => {
    const unexpected = Object.entries(wildcardActions(template))
      .filter(([action]) => !(action in WILDCARD_ALLOWED))
      .map(([action, roles]) => `${action} on * (${roles.join(', ')})`);
    expect(unexpected).toEqual([]);
  });

  test("no function's role (ours or aws-cdk-lib's handlers) has a managed policy; no role may write every log group", () => {
    const roles = Object.entries(rolePermissions(template));
    expect(roles.filter(([, p]) => p.managedPolicies.includes('service-role/AWSLambdaBasicExecutionRole'))).toEqual([]);
    const logsOnStar = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:CreateLogGroup'].filter(
      (a) => a in wildcardActions(template),
    );
    expect(logsOnStar).toEqual([]);
  });

  test("the tasks' outbound traffic: HTTPS, the database and the cache only", () => {
    const resources = template.Resources as Record<string, any>;
    const groupId = Object.keys(resources).find((id) => /^McpTaskSecurityGroup[0-9A-F]{8}$/.test(id))!;
    const inline = resources[groupId].Properties.SecurityGroupEgress;
    const separate = Object.values(resources)
      .filter(
        (r) => r.Type === 'AWS::EC2::SecurityGroupEgress' && r.Properties.GroupId?.['Fn::GetAtt']?.[0] === groupId,
      )
      .map((r) => r.Properties);
    const rules = [...inline, ...separate].map((r) => ({
      port: `${r.IpProtocol}/${r.FromPort}-${r.ToPort}`,
      to: r.CidrIp ?? r.DestinationSecurityGroupId?.['Fn::GetAtt']?.[0],
    }));
    expect(rules).toEqual(
      expect.arrayContaining([
        { port: 'tcp/443-443', to: '0.0.0.0/0' },
        { port: 'tcp/5432-5432', to: expect.stringMatching(/^DataDatabaseSecurityGroup/) },
        { port: 'tcp/6379-6379', to: expect.stringMatching(/^DataCacheSecurityGroup/) },
      ]),
    );
    // Nothing else: no "all traffic" rule, no other port (the VPC endpoints are reached on 443 too).
    expect(rules.filter((r) => !['tcp/443-443', 'tcp/5432-5432', 'tcp/6379-6379'].includes(r.port))).toEqual([]);
  });
});
