/**
 * A small service for the monitoring tests: VPC, cluster, Fargate service (public nginx image),
 * ALB + listener + target group. Findings of cdk-nag on these fixture resources are acknowledged
 * here (they are not what the monitoring tests are about); McpMonitoring must be clean on its own.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { planCapacity } from '../../lib/capacity/model';
import type { CapacityPlan } from '../../lib/capacity/types';

export interface Fixture {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
}

const FIXTURE = 'test fixture: the monitoring tests do not cover this resource';

export function buildFixture(stack: Stack, scope: Construct = stack): Fixture {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
  });
  const cluster = new ecs.Cluster(scope, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
  taskDefinition.addContainer('app', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app' }),
  });
  const service = new ecs.FargateService(scope, 'Service', {
    cluster,
    taskDefinition,
    desiredCount: 2,
    assignPublicIp: true,
    minHealthyPercent: 100,
    circuitBreaker: { enable: true, rollback: true },
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'Lb', { vpc, internetFacing: true });
  const targetGroup = new elbv2.ApplicationTargetGroup(scope, 'Targets', {
    vpc,
    port: 80,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    targets: [service],
    healthCheck: { path: '/health/ready', interval: Duration.seconds(15) },
  });
  loadBalancer.addListener('Http', { port: 80, defaultTargetGroups: [targetGroup] });

  Validations.of(vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: FIXTURE });
  Validations.of(taskDefinition).acknowledge({ id: 'AwsSolutions-ECS2', reason: FIXTURE });
  Validations.of(loadBalancer).acknowledge(
    { id: 'AwsSolutions-ELB2', reason: FIXTURE },
    { id: 'AwsSolutions-EC23', reason: FIXTURE },
  );
  return { vpc, cluster, service, loadBalancer, targetGroup };
}

/** A plan from the real capacity model: 200 rps peak, 100 ms mean latency, 10 ms CPU per request. */
export const TEST_PLAN: CapacityPlan = planCapacity({
  peakRps: 200,
  meanLatencyMs: 100,
  cpuSecondsPerRequest: 0.01,
  memoryPerConnectionMiB: 2,
});
