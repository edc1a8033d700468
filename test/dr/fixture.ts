/**
 * A stack with the production resources the disaster-recovery construct protects and restores
 * from: VPC, PostgreSQL instance, backup bucket, Fargate service (public image), topic, probe.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { McpDisasterRecovery, McpDisasterRecoveryProps } from '../../lib/dr/disaster-recovery';
import { McpEndpointParameters } from '../../lib/data/endpoint-parameters';
import { testApp, testStack } from '../support/app';

export interface DrFixture {
  readonly app: App;
  readonly stack: Stack;
  readonly dr: McpDisasterRecovery;
  readonly database: rds.DatabaseInstance;
  readonly service: ecs.FargateService;
  readonly bucket: s3.Bucket;
  readonly topic: sns.Topic;
  readonly endpoints: McpEndpointParameters;
}

export const PROBE_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:mcp-probe';

/** Builds the fixture; `overrides` change the construct's props. */
export function drFixture(overrides: Partial<McpDisasterRecoveryProps> = {}, app: App = testApp()): DrFixture {
  const stack = testStack(app, 'DrStack');
  // Like the default app: the database in isolated subnets, the tasks in private ones with egress.
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    flowLogs: { all: {} },
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 });
  const database = new rds.DatabaseInstance(stack, 'Database', {
    engine,
    parameterGroup: new rds.ParameterGroup(stack, 'DatabaseParameters', {
      engine,
      parameters: { 'rds.force_ssl': '1' },
    }),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    multiAz: true,
    storageEncrypted: true,
    deletionProtection: true,
    backupRetention: Duration.days(7),
    removalPolicy: RemovalPolicy.SNAPSHOT,
  });
  const bucket = new s3.Bucket(stack, 'Backups', {
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  // The endpoints as parameters the cut-over rewrites (as McpDataTier endpointParameters makes them).
  const endpoints = new McpEndpointParameters(stack, 'Endpoints', {
    serviceName: 'mcp',
    database: { host: database.dbInstanceEndpointAddress, port: database.dbInstanceEndpointPort },
    cache: { host: 'mcp-cache.cache.local', port: 6379 },
  });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('mcp', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
    portMappings: [{ containerPort: 8080 }],
    secrets: endpoints.containerSecrets(),
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    desiredCount: 2,
    minHealthyPercent: 100,
    circuitBreaker: { rollback: true },
  });
  database.connections.allowDefaultPortFrom(service);
  // Encrypted like the default app's alert topic: publishing to it needs the key as well.
  const topic = new sns.Topic(stack, 'Alarms', {
    enforceSSL: true,
    masterKey: new kms.Key(stack, 'AlarmsKey', { enableKeyRotation: true }),
  });
  const probe = lambda.Function.fromFunctionArn(stack, 'Probe', PROBE_ARN);
  const cacheSg = new ec2.SecurityGroup(stack, 'CacheSg', { vpc, description: 'cache' });
  const dr = new McpDisasterRecovery(stack, 'DisasterRecovery', {
    serviceName: 'mcp',
    backupBucket: bucket,
    database,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    cache: {
      replicationGroupId: 'mcp-cache',
      nodeType: 'cache.t4g.small',
      subnetGroupName: 'mcp-cache-subnets',
      securityGroups: [cacheSg],
    },
    service,
    endpointParameters: endpoints,
    probeFunction: probe,
    alarmTopic: topic,
    ...overrides,
  });
  return { app, stack, dr, database, service, bucket, topic, endpoints };
}
