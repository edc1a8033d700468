/**
 * Bad input, a clear synth error: every row of bad-input-cases.ts fails with a message that names the
 * construct (or the context key), the construct path, the prop and what is allowed, and never with a
 * TypeError or an error from inside aws-cdk-lib. The lead fuzzes the same runners with more inputs.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildDefaultApp } from '../../lib/app/build';
import { McpBackup } from '../../lib/backup/backup';
import { McpDataTier } from '../../lib/data/data-tier';
import { McpDisasterRecovery } from '../../lib/dr/disaster-recovery';
import { McpLogging } from '../../lib/logging/mcp-logging';
import { McpMonitoring } from '../../lib/monitoring/monitoring';
import { McpService } from '../../lib/service/mcp-service';
import { testApp } from '../support/app';
import { BAD_INPUTS, Target } from './bad-input-cases';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const ENV = { account: '111111111111', region: 'eu-west-1' };
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');

function stack(): Stack {
  return new Stack(new App({ context: NO_BUNDLING }), 'Bad', { env: ENV });
}

function vpcIn(s: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(s, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.0.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    privateSubnetIds: ['subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'],
    isolatedSubnetIds: ['subnet-0123456789abcdef4', 'subnet-0123456789abcdef5'],
  });
}

// One service for the monitoring rows (its props are checked before anything else is built).
const shared = (() => {
  const s = stack();
  const mcp = new McpService(s, 'Svc', {
    image,
    vpc: vpcIn(s),
    logging: { enabled: false },
    monitoring: { enabled: false },
  });
  return {
    loadBalancer: mcp.loadBalancer as elbv2.IApplicationLoadBalancer,
    targetGroup: mcp.targetGroup,
    service: mcp.service,
  };
})();

/** Builds the target with the row's input over a valid base; returns nothing, throws the error under test. */
const RUNNERS: Record<Target, (input: Record<string, any>) => void> = {
  McpService: (input) =>
    new McpService(stack(), 'Mcp', { image, logging: { enabled: false }, monitoring: { enabled: false }, ...input }),
  McpLogging: (input) => new McpLogging(stack(), 'Logging', { serviceName: 'svc', ...input }),
  McpMonitoring: (input) => new McpMonitoring(stack(), 'Monitoring', { serviceName: 'svc', ...shared, ...input }),
  McpBackup: (input) => new McpBackup(stack(), 'Backup', { serviceName: 'svc', ssmParameterPrefix: '/mcp', ...input }),
  McpDataTier: (input) => {
    const s = stack();
    new McpDataTier(s, 'Data', { vpc: vpcIn(s), ...input });
  },
  McpDisasterRecovery: (input) => {
    const s = stack();
    const { withDatabase, fromBackupOf, ...props } = input;
    const backupBucket = fromBackupOf
      ? new McpBackup(s, 'Backup', { serviceName: fromBackupOf, ssmParameterPrefix: '/mcp' }).bucket
      : s3.Bucket.fromBucketName(s, 'Backups', 'backups');
    const database = withDatabase
      ? new rds.DatabaseInstance(s, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_13 }),
          vpc: vpcIn(s),
        })
      : undefined;
    new McpDisasterRecovery(s, 'Dr', { serviceName: 'svc', backupBucket, database, scheduledDrills: false, ...props });
  },
  context: (input) => buildDefaultApp(testApp({ ...NO_BUNDLING, ...input })),
};

/** Which error a row raised (or undefined). */
function errorOf(target: Target, input: Record<string, unknown>): unknown {
  try {
    RUNNERS[target](input);
  } catch (err) {
    return err;
  }
  return undefined;
}

test('the table holds a few hundred inputs, for every construct and the context', () => {
  expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(300);
  expect(new Set(BAD_INPUTS.map(([t]) => t)).size).toBe(Object.keys(RUNNERS).length);
});

test('the valid bases build (so each row fails because of its own input)', () => {
  for (const target of Object.keys(RUNNERS) as Target[])
    expect([target, errorOf(target, target === 'context' ? {} : {})]).toEqual([target, undefined]);
});

describe.each(Object.keys(RUNNERS) as Target[])('%s', (target) => {
  const rows = BAD_INPUTS.filter(([t]) => t === target).map(([, input, fragment], i) => [i, input, fragment] as const);
  test.each(rows)('row %i: %j', (_i, input, fragment) => {
    const err = errorOf(target, input);
    expect(err).toBeInstanceOf(Error);
    const e = err as Error;
    // Never a TypeError or a bare aws-cdk-lib error: the message is ours, and names its owner.
    expect(e.name).toBe('Error');
    const message = e.message;
    if (target === 'context') {
      expect(message).toMatch(/^(context [A-Za-z0-9]+: |\d+ invalid context settings|Mcp[A-Za-z]+: )/);
    } else {
      expect(message.startsWith(`${target}: `)).toBe(true);
      expect(message).toContain('(at Bad/');
    }
    if (typeof fragment === 'string') expect(message).toContain(fragment);
    else expect(message).toMatch(fragment);
  });
});
