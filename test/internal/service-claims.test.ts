/**
 * Two services, one name: a second construct of the same kind with the same serviceName in the same account
 * and region (or, in environment-agnostic stacks, the same stack) is one clear synth error naming both paths.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { McpBackup } from '../../lib/backup/backup';
import { McpDisasterRecovery } from '../../lib/dr/disaster-recovery';
import { McpLogging } from '../../lib/logging/mcp-logging';
import { McpMonitoring } from '../../lib/monitoring/monitoring';
import { McpService } from '../../lib/service/mcp-service';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const ENV = { account: '111111111111', region: 'eu-west-1' };
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');
const lean = { image, logging: { enabled: false }, monitoring: { enabled: false } } as const;

const newApp = () => new App({ context: NO_BUNDLING });

/** A standalone McpMonitoring over imported load balancer and service (nothing but its own resources). */
function monitoring(stack: Stack, id: string, serviceName: string): McpMonitoring {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, `${id}Vpc`, {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.0.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  });
  const mcp = new McpService(stack, `${id}Svc`, { ...lean, vpc, serviceName: `${serviceName}-x` });
  return new McpMonitoring(stack, id, {
    serviceName,
    loadBalancer: mcp.loadBalancer as elbv2.IApplicationLoadBalancer,
    targetGroup: mcp.targetGroup,
    service: mcp.service,
  });
}

describe('two constructs of one kind with one serviceName', () => {
  test('two McpService in one stack: one error naming both construct paths', () => {
    const stack = new Stack(newApp(), 'One', { env: ENV });
    new McpService(stack, 'First', lean);
    expect(() => new McpService(stack, 'Second', lean)).toThrow(
      /^McpService: serviceName "mcp-server" is already used by the McpService at One\/First \(account 111111111111, region eu-west-1\); .*Give each service its own serviceName \(at One\/Second\)$/,
    );
  });

  test('a service with its monitoring, and a second McpMonitoring of the same name', () => {
    const stack = new Stack(newApp(), 'Mon', { env: ENV });
    new McpService(stack, 'Mcp', { image, serviceName: 'orders' });
    expect(() => monitoring(stack, 'Extra', 'orders')).toThrow(
      /McpMonitoring: serviceName "orders" is already used by the McpMonitoring at Mon\/Mcp\/Monitoring .*\(at Mon\/Extra\)/,
    );
  });

  test('a service without monitoring may be monitored by a standalone McpMonitoring of its name', () => {
    const stack = new Stack(newApp(), 'Own', { env: ENV });
    new McpService(stack, 'Mcp', { ...lean, serviceName: 'orders' });
    expect(() => monitoring(stack, 'Mine', 'orders')).not.toThrow();
  });

  test('a second McpLogging of a service that logs through McpService', () => {
    const stack = new Stack(newApp(), 'Logs', { env: ENV });
    new McpService(stack, 'Mcp', { image, monitoring: { enabled: false }, serviceName: 'orders' });
    expect(() => new McpLogging(stack, 'More', { serviceName: 'orders' })).toThrow(
      /McpLogging: serviceName "orders" is already used by the McpLogging at Logs\/Mcp\/Logging/,
    );
  });

  test('two McpBackup of one name in two stacks of one account and region (each would prune the other’s snapshots)', () => {
    const app = newApp();
    const backup = (stackName: string) =>
      new McpBackup(new Stack(app, stackName, { env: ENV }), 'Backup', {
        serviceName: 'orders',
        ssmParameterPrefix: '/mcp',
      });
    backup('Prod');
    expect(() => backup('Staging')).toThrow(
      /McpBackup: serviceName "orders" is already used by the McpBackup at Prod\/Backup \(account 111111111111, region eu-west-1\); .*prunes as its own/,
    );
  });

  test('two McpDisasterRecovery of one name: the state machines and restored resources would collide', () => {
    const stack = new Stack(newApp(), 'Dr', { env: ENV });
    const b = new McpBackup(stack, 'Backup', { serviceName: 'orders', ssmParameterPrefix: '/mcp' });
    new McpDisasterRecovery(stack, 'DrA', { serviceName: 'orders', backupBucket: b.bucket, scheduledDrills: false });
    expect(
      () =>
        new McpDisasterRecovery(stack, 'DrB', {
          serviceName: 'orders',
          backupBucket: b.bucket,
          scheduledDrills: false,
        }),
    ).toThrow(/McpDisasterRecovery: serviceName "orders" is already used by the McpDisasterRecovery at Dr\/DrA/);
  });

  test('the same name in other regions, in other accounts, or in separate apps is fine', () => {
    const app = newApp();
    new McpService(new Stack(app, 'Eu', { env: ENV }), 'Mcp', lean);
    new McpService(new Stack(app, 'Us', { env: { ...ENV, region: 'us-east-1' } }), 'Mcp', lean);
    new McpService(new Stack(app, 'Other', { env: { ...ENV, account: '222222222222' } }), 'Mcp', lean);
    expect(() => new McpService(new Stack(newApp(), 'Eu', { env: ENV }), 'Mcp', lean)).not.toThrow();
  });

  test('environment-agnostic stacks: a clash is certain only inside one stack', () => {
    const app = newApp();
    const a = new Stack(app, 'A');
    new McpService(a, 'Mcp', lean);
    expect(() => new McpService(new Stack(app, 'B'), 'Mcp', lean)).not.toThrow();
    expect(() => new McpService(a, 'Again', lean)).toThrow(
      /already used by the McpService at A\/Mcp \(the same stack A\)/,
    );
  });
});
