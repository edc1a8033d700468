/**
 * Other teams' apps: the constructs synthesize offline on their own (no context seeded by the default app,
 * no lookup reported for the CLI to make), and in environment-agnostic stacks.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { McpBackup } from '../../lib/backup/backup';
import { McpDataTier } from '../../lib/data/data-tier';
import { McpDisasterRecovery } from '../../lib/dr/disaster-recovery';
import { McpService } from '../../lib/service/mcp-service';
import { featureFlags } from '../support/app';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const ENV = { account: '111111111111', region: 'eu-west-1' };
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');

/** Context lookups the CLI would have to make (with credentials) before it could synthesize. */
function missingContext(app: App): unknown[] {
  const outdir = app.synth().directory;
  return JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')).missing ?? [];
}

function zonesOf(stack: Stack): unknown[] {
  const subnets = Template.fromStack(stack).findResources('AWS::EC2::Subnet');
  return [...new Set(Object.values(subnets).map((s) => JSON.stringify(s.Properties.AvailabilityZone)))].map((z) =>
    JSON.parse(z),
  );
}

describe('a consumer stack with a fixed account and region, in a fresh app (no seeded context)', () => {
  test.each<[string, Record<string, unknown>]>([
    ['an app without feature flags', NO_BUNDLING],
    ["an app with this repository's feature flags", { ...featureFlags, ...NO_BUNDLING }],
  ])('McpService without a vpc needs no lookup (%s)', (_name, context) => {
    const app = new App({ context });
    const stack = new Stack(app, 'Consumer', { env: ENV });
    new McpService(stack, 'Mcp', { image });
    expect(missingContext(app)).toEqual([]);
    expect(zonesOf(stack).sort()).toEqual(['eu-west-1a', 'eu-west-1b']);
  });

  test('named zones are used as named, and three zones without names are a, b and c', () => {
    const app = new App({ context: NO_BUNDLING });
    const named = new Stack(app, 'Named', { env: ENV });
    new McpService(named, 'Mcp', { image, availabilityZones: ['eu-west-1c', 'eu-west-1b'] });
    const three = new Stack(app, 'Three', { env: { ...ENV, region: 'us-east-1' } });
    new McpService(three, 'Mcp', {
      image,
      serviceName: 'three',
      capacity: {
        peakRps: 50,
        meanLatencyMs: 100,
        cpuSecondsPerRequest: 0.01,
        memoryPerConnectionMiB: 10,
        availabilityZones: 3,
      },
    });
    expect(missingContext(app)).toEqual([]);
    expect(zonesOf(named).sort()).toEqual(['eu-west-1b', 'eu-west-1c']);
    expect(zonesOf(three).sort()).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });

  test('named zones set the capacity plan’s zone count when it is not given', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'Four', { env: ENV });
    const mcp = new McpService(stack, 'Mcp', {
      image,
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      capacity: { peakRps: 50, meanLatencyMs: 100, cpuSecondsPerRequest: 0.01, memoryPerConnectionMiB: 10 },
    });
    expect(mcp.plan!.input.availabilityZones).toBe(3);
  });

  test('more zones than every Region has must be named: no zone letter is invented', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'Many', { env: ENV });
    expect(
      () =>
        new McpService(stack, 'Mcp', {
          image,
          capacity: {
            peakRps: 50,
            meanLatencyMs: 100,
            cpuSecondsPerRequest: 0.01,
            memoryPerConnectionMiB: 10,
            availabilityZones: 4,
          },
        }),
    ).toThrow(
      /capacity.availabilityZones is 4, but only 3 zones can be assumed .*name the zones with availabilityZones/,
    );
  });

  test("the consumer's own VPC: our constructs add no lookup to what the consumer's stack makes", () => {
    const build = (withOurs: boolean) => {
      const app = new App({ context: NO_BUNDLING });
      const stack = new Stack(app, 'Consumer', { env: ENV });
      // An imported VPC never looks anything up; aws-cdk-lib's `new ec2.Vpc` with named zones does
      // (it checks them against the stack's zones), which is the consumer's, not ours: see the README.
      const imported = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
        vpcId: 'vpc-0123456789abcdef0',
        vpcCidrBlock: '10.0.0.0/16',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        publicSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        privateSubnetIds: ['subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'],
        isolatedSubnetIds: ['subnet-0123456789abcdef4', 'subnet-0123456789abcdef5'],
      });
      const own = new ec2.Vpc(stack, 'Own', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
      if (withOurs) {
        for (const [i, vpc] of [imported, own].entries()) {
          const name = `svc-${i}`;
          const mcp = new McpService(stack, `Mcp${i}`, { image, vpc, serviceName: name });
          const data = new McpDataTier(stack, `Data${i}`, {
            vpc,
            serviceName: name,
            endpointParameters: { serviceName: name },
          });
          const backup = new McpBackup(stack, `Backup${i}`, { serviceName: name, dataTier: data });
          new McpDisasterRecovery(stack, `Dr${i}`, {
            serviceName: name,
            backupBucket: backup.bucket,
            vpc,
            database: data.database,
            service: mcp.service,
            endpointParameters: data.endpointParameters,
          });
        }
      }
      return missingContext(app);
    };
    const consumersOwn = build(false);
    expect(build(true)).toEqual(consumersOwn);
    // Only the consumer's `new ec2.Vpc` asks for the zones: one lookup, which cdk.context.json answers.
    expect(consumersOwn).toHaveLength(1);
  });
});

describe('an environment-agnostic stack (no env)', () => {
  const app = new App({ context: { ...featureFlags, ...NO_BUNDLING } });
  const stack = new Stack(app, 'Agnostic');
  new McpService(stack, 'Mcp', { image });
  const t = Template.fromStack(stack);

  test('synthesizes: the access-log bucket policy names the ELB log-delivery service principal, no region needed', () => {
    const policies = Object.values(t.findResources('AWS::S3::BucketPolicy')).map((p) => p.Properties.PolicyDocument);
    const delivery = policies
      .flatMap((d) => d.Statement)
      .filter((s: any) => s.Principal?.Service === 'logdelivery.elasticloadbalancing.amazonaws.com');
    expect(delivery).toHaveLength(1);
    expect(delivery[0].Action).toBe('s3:PutObject');
    expect(JSON.stringify(delivery[0].Resource)).toContain('/alb/AWSLogs/');
    expect(JSON.stringify(delivery[0].Resource)).toContain('AWS::AccountId');
    const lb = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0];
    const attrs = Object.fromEntries(lb.Properties.LoadBalancerAttributes.map((a: any) => [a.Key, a.Value]));
    expect(attrs['access_logs.s3.enabled']).toBe('true');
    expect(attrs['access_logs.s3.prefix']).toBe('alb');
    expect(lb.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/AccessLogsPolicy/)]));
  });

  test('the VPC takes its zones from Fn::GetAZs at deploy time', () => {
    expect(zonesOf(stack)).toEqual([
      { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] },
    ]);
  });

  test('a stack with a region gets the same service-principal policy (one form for every Region)', () => {
    const concrete = new Stack(new App({ context: NO_BUNDLING }), 'Concrete', { env: ENV });
    new McpService(concrete, 'Mcp', { image, logging: { enabled: false }, monitoring: { enabled: false } });
    const statements = Object.values(Template.fromStack(concrete).findResources('AWS::S3::BucketPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    expect(
      statements.filter((s: any) => s.Principal?.Service === 'logdelivery.elasticloadbalancing.amazonaws.com'),
    ).toHaveLength(1);
    expect(statements.filter((s: any) => s.Principal?.AWS !== undefined && s.Effect === 'Allow')).toEqual([]);
  });

  test('three zones come from Fn::GetAZs too; more must be named', () => {
    const s3 = new Stack(new App({ context: NO_BUNDLING }), 'Agnostic3');
    new McpService(s3, 'Mcp', {
      image,
      logging: { enabled: false },
      monitoring: { enabled: false },
      capacity: {
        peakRps: 50,
        meanLatencyMs: 100,
        cpuSecondsPerRequest: 0.01,
        memoryPerConnectionMiB: 10,
        availabilityZones: 3,
      },
    });
    expect(zonesOf(s3)).toHaveLength(3);
    const s4 = new Stack(new App({ context: NO_BUNDLING }), 'Agnostic4');
    expect(
      () =>
        new McpService(s4, 'Mcp', {
          image,
          capacity: {
            peakRps: 50,
            meanLatencyMs: 100,
            cpuSecondsPerRequest: 0.01,
            memoryPerConnectionMiB: 10,
            availabilityZones: 4,
          },
        }),
    ).toThrow(/name the zones with availabilityZones/);
  });
});
