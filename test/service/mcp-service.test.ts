import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { planCapacity } from '../../lib/capacity/model';
import { DEFAULT_CAPACITY_INPUT, McpService, McpServiceProps } from '../../lib/service/mcp-service';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';

const CERT = 'arn:aws:acm:eu-west-1:111111111111:certificate/12345678-1234-1234-1234-123456789012';
const publicImage = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');

function synth(props: McpServiceProps = {}) {
  const stack = testStack();
  const mcp = new McpService(stack, 'Mcp', props);
  return { stack, mcp, template: Template.fromStack(stack) };
}

/** Key/Value or Name/Value pairs as an object, for order-free assertions. */
function pairs(list: Array<Record<string, string>>, key = 'Key'): Record<string, string> {
  return Object.fromEntries(list.map((p) => [p[key], p.Value]));
}

function containerEnv(template: Template): Record<string, string> {
  const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
  return pairs(td.Properties.ContainerDefinitions[0].Environment, 'Name');
}

function lbAttributes(template: Template): Record<string, string> {
  const lb = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0];
  return pairs(lb.Properties.LoadBalancerAttributes);
}

/** Resources of a type, as [logicalId, resource] pairs. */
function resources(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type));
}

describe('McpService with defaults (reference image, capacity model, no certificate)', () => {
  const { stack, mcp, template } = synth(process.env.NO_REF_IMAGE ? { image: publicImage } : {});
  const plan = planCapacity(DEFAULT_CAPACITY_INPUT);

  test('VPC spans two named zones (no lookups) with one NAT gateway per zone and flow logs', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    const zones = resources(template, 'AWS::EC2::Subnet').map(([, r]) => r.Properties.AvailabilityZone);
    expect(new Set(zones)).toEqual(new Set(['eu-west-1a', 'eu-west-1b']));
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
  });

  test('cluster has Container Insights (enhanced)', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
    });
  });

  test("task: ARM64 Fargate, the capacity model's size, non-root, read-only root filesystem with a /tmp volume", () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: String(plan.taskCpu),
      Memory: String(plan.taskMemoryMiB),
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Volumes: [{ Name: 'tmp' }],
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'mcp',
          User: '1000',
          ReadonlyRootFilesystem: true,
          StopTimeout: 30,
          MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
          PortMappings: [Match.objectLike({ ContainerPort: 8080 })],
          HealthCheck: Match.objectLike({
            Command: Match.arrayWith([Match.stringLikeRegexp('http://127.0.0.1:8080/health/live')]),
            Interval: 15,
            Retries: 3,
          }),
        }),
      ],
    });
    expect(containerEnv(template)).toEqual(
      expect.objectContaining({
        MCP_PATH: '/mcp',
        PORT: '8080',
        SERVICE_NAME: 'mcp-server',
        KEEPALIVE_INTERVAL_MS: '15000',
        SHUTDOWN_GRACE_MS: '20000',
      }),
    );
  });

  test('the default image is the reference server, staged as a Docker image asset for ARM64', () => {
    const assets = stack.node.root.node
      .findAll()
      .filter((c): c is ecrAssets.DockerImageAsset => c instanceof ecrAssets.DockerImageAsset);
    expect(assets).toHaveLength(1);
    expect(assets[0].node.path).toBe('TestStack/Mcp/Task/mcp/AssetImage');
    const manifest = JSON.parse(
      require('fs').readFileSync(
        require('path').join(
          stack.node.root.node.tryGetContext('__outdir') ?? (stack.node.root as any).outdir,
          'TestStack.assets.json',
        ),
        'utf8',
      ),
    );
    const image = Object.values(manifest.dockerImages as Record<string, any>)[0];
    expect(image.source.platform).toBe('linux/arm64');
    expect(image.source.directory).toMatch(/^asset\./);
    const container = template.findResources('AWS::ECS::TaskDefinition');
    const imageRef = JSON.stringify(Object.values(container)[0].Properties.ContainerDefinitions[0].Image);
    expect(imageRef).toContain('cdk-hnb659fds-container-assets');
  });

  test('load balancer: idle timeout above the keep-alive interval, invalid headers dropped, deletion protection, access logs', () => {
    // Without a certificate the load balancer is internal (docs/security.md).
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    expect(lbAttributes(template)).toEqual(
      expect.objectContaining({
        'idle_timeout.timeout_seconds': '120',
        'routing.http.drop_invalid_header_fields.enabled': 'true',
        'deletion_protection.enabled': 'true',
        'access_logs.s3.enabled': 'true',
        'access_logs.s3.prefix': 'alb',
      }),
    );
  });

  test('access-log bucket is encrypted, TLS-only and private', () => {
    const [[, bucket]] = resources(template, 'AWS::S3::Bucket');
    expect(
      bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe('AES256');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('target group: readiness path, streaming-aware deregistration delay, no stickiness', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health/ready',
      Matcher: { HttpCode: '200' },
      TargetType: 'ip',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '60' }]),
    });
    const [[, tg]] = resources(template, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    const attrs = Object.fromEntries(
      (tg.Properties.TargetGroupAttributes as Array<{ Key: string; Value: string }>).map((a) => [a.Key, a.Value]),
    );
    expect(attrs['stickiness.enabled']).not.toBe('true');
  });

  test('without a certificate: an internal load balancer on HTTP, and one synth line that says so', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    const infos = Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('internal load balancer'));
    expect(infos).toHaveLength(1);
    expect(mcp.endpointUrl).toMatch(/^http:\/\/.*\/mcp$/);
  });

  test('rolling deployment: min 100 %, batch ≤ 25 % or one task, circuit breaker with rollback, grace period', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: plan.minTasks,
      HealthCheckGracePeriodSeconds: 60,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: plan.minTasks >= 4 ? 125 : Math.ceil(((plan.minTasks + 1) * 100) / plan.minTasks),
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
  });

  test("autoscaling bounds and targets equal the capacity model's output; scale-in slower than scale-out", () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: plan.minTasks,
      MaxCapacity: plan.maxTasks,
    });
    const policies = resources(template, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(
      ([, r]) => r.Properties.TargetTrackingScalingPolicyConfiguration,
    );
    const cpu = policies.find(
      (p) => p.PredefinedMetricSpecification.PredefinedMetricType === 'ECSServiceAverageCPUUtilization',
    );
    const req = policies.find(
      (p) => p.PredefinedMetricSpecification.PredefinedMetricType === 'ALBRequestCountPerTarget',
    );
    expect(cpu.TargetValue).toBe(plan.targetCpuUtilizationPercent);
    expect(req.TargetValue).toBe(plan.requestsPerTaskPerMinute);
    for (const p of [cpu, req]) expect(p.ScaleInCooldown).toBeGreaterThan(p.ScaleOutCooldown);
  });

  test("no public ingress to the tasks: only the load balancer's security group reaches the container port", () => {
    const serviceSgs: string[] = Object.values(
      template.findResources('AWS::ECS::Service'),
    )[0].Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups.map((sg: any) => sg['Fn::GetAtt'][0]);
    for (const sgId of serviceSgs) {
      const sg = template.toJSON().Resources[sgId];
      expect(sg.Properties.SecurityGroupIngress ?? []).toEqual([]);
    }
    const ingress = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const toTasks = ingress.filter((i) => serviceSgs.includes(i.GroupId['Fn::GetAtt']?.[0]));
    expect(toTasks.length).toBeGreaterThan(0);
    for (const rule of toTasks) {
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.CidrIpv6).toBeUndefined();
      expect(rule.SourceSecurityGroupId['Fn::GetAtt'][0]).toMatch(/LbSecurityGroup/);
      expect([rule.FromPort, rule.ToPort]).toEqual([8080, 8080]);
    }
    // The internal load balancer admits the VPC's CIDR on its listener port, and nothing from 0.0.0.0/0.
    const lbSg = resources(template, 'AWS::EC2::SecurityGroup').find(([id]) => id.includes('LbSecurityGroup'))![1];
    for (const rule of lbSg.Properties.SecurityGroupIngress) {
      expect(rule.CidrIp).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Vpc/), 'CidrBlock'] });
      expect(rule.FromPort).toBe(80);
    }
  });

  test('addDeploymentAlarms attaches alarms with rollback', () => {
    const s2 = testStack();
    const m2 = new McpService(s2, 'Mcp', { image: publicImage, monitoring: { enabled: false } });
    m2.addDeploymentAlarms('mcp-latency-p99');
    m2.addDeploymentAlarms('mcp-error-rate');
    Template.fromStack(s2).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        Alarms: { AlarmNames: ['mcp-latency-p99', 'mcp-error-rate'], Enable: true, Rollback: true },
      },
    });
  });
});

describe('McpService wiring of monitoring and the log pipeline (on by default)', () => {
  const { mcp, template, stack } = synth();

  test('monitoring is attached: critical load-balancer alarms roll back a bad deployment', () => {
    expect(mcp.monitoring).toBeDefined();
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: { AlarmNames: mcp.monitoring!.deploymentAlarmNames, Enable: true, Rollback: true },
      }),
    });
    expect(mcp.monitoring!.deploymentAlarmNames.length).toBeGreaterThan(0);
  });

  test("a caller's own deployment alarms join monitoring's (aws-cdk-lib alone would drop a second call's names)", () => {
    const st = testStack();
    const m = new McpService(st, 'Mcp', { image: publicImage });
    m.addDeploymentAlarms('their-own-alarm');
    Template.fromStack(st).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: {
          AlarmNames: [...m.monitoring!.deploymentAlarmNames, 'their-own-alarm'],
          Enable: true,
          Rollback: true,
        },
      }),
    });
  });

  test("the alarm thresholds use the service's own capacity plan and autoscaling maximum", () => {
    const tasksAtMax = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((a: any) =>
      String(a.Properties.AlarmName).endsWith('-TasksAtMaximum'),
    ) as any;
    expect(mcp.sizing.maxTasks).toBeGreaterThan(mcp.sizing.minTasks);
    expect(tasksAtMax).toBeDefined();
    expect(tasksAtMax.Properties.Threshold).toBe(mcp.sizing.maxTasks);
  });

  test('explicit sizes with min = max get no tasks-at-maximum alarm (it could never be OK)', () => {
    const fixed = synth({
      image: publicImage,
      sizing: { taskCpu: 1024, taskMemoryMiB: 2048, minTasks: 3, maxTasks: 3 },
    }).template;
    const names = Object.values(fixed.findResources('AWS::CloudWatch::Alarm')).map((a: any) =>
      String(a.Properties.AlarmName),
    );
    expect(names.some((n) => n.endsWith('-LatencyP99'))).toBe(true);
    expect(names.some((n) => n.endsWith('-TasksAtMaximum'))).toBe(false);
  });

  test("the dashboard has a row for the log pipeline's metric filters", () => {
    const body = JSON.stringify(
      (Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as any).Properties.DashboardBody,
    );
    expect(body).toContain('Logs and audit trail');
    expect(body).toContain('log_tools_executed_total');
  });

  test("the synthetic probe calls the service's public MCP endpoint", () => {
    expect(mcp.monitoring!.probeFunction).toBeDefined();
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f: any) => f.Properties.Environment?.Variables?.MCP_ENDPOINT_URL,
    ) as any;
    expect(fn.Properties.Environment.Variables.MCP_ENDPOINT_URL).toEqual({
      'Fn::Join': [
        '',
        [
          'http://',
          { 'Fn::GetAtt': [stack.getLogicalId(mcp.loadBalancer.node.defaultChild as any), 'DNSName'] },
          '/mcp',
        ],
      ],
    });
  });

  test("the container logs into the pipeline's application log group; one alert topic serves every alarm", () => {
    expect(mcp.logging).toBeDefined();
    expect(mcp.logGroup).toBe(mcp.logging!.applicationLogGroup);
    const td = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as any;
    const group = td.Properties.ContainerDefinitions[0].LogConfiguration.Options['awslogs-group'];
    expect(group).toEqual({ Ref: stack.getLogicalId(mcp.logging!.applicationLogGroup.node.defaultChild as any) });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const topicRef = { Ref: stack.getLogicalId(mcp.alarmTopic!.node.defaultChild as any) };
    // The pipeline is a segment of the service's monitoring: warnings notify the topic, criticals page.
    for (const alarm of mcp.logging!.alarms) {
      const props = (template.toJSON().Resources[stack.getLogicalId(alarm.alarm.node.defaultChild as any)] as any)
        .Properties;
      expect(props.AlarmActions).toEqual(alarm.severity === 'critical' ? undefined : [topicRef]);
    }
    const paged = mcp.monitoring!.pagedAlarms.map((a) => a.id);
    expect(paged).toEqual(expect.arrayContaining(['AuditDeliveryFailed', 'AuditSubscriptionErrors']));
  });

  test('with a certificate but no domainName the probe is left out, with a warning', () => {
    const s = synth({ certificateArn: CERT, image: publicImage });
    expect(s.mcp.monitoring!.probeFunction).toBeUndefined();
    expect(Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('domainName is not'))).toHaveLength(
      1,
    );
    const d = synth({ certificateArn: CERT, domainName: 'mcp.example.com', image: publicImage });
    expect(d.mcp.endpointUrl).toBe('https://mcp.example.com/mcp');
    expect(d.mcp.monitoring!.probeFunction).toBeDefined();
  });

  test('monitoring: { enabled: false } and logging: { enabled: false } leave both out', () => {
    const s = synth({ image: publicImage, monitoring: { enabled: false }, logging: { enabled: false } });
    expect(s.mcp.monitoring).toBeUndefined();
    expect(s.mcp.logging).toBeUndefined();
    s.template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    s.template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    // Flow logs, container logs, the web ACL's own log group (security logs stay on without the pipeline), and
    // the log group of aws-cdk-lib's default-security-group handler.
    s.template.resourceCountIs('AWS::Logs::LogGroup', 4);
  });
});

describe('McpService options', () => {
  test('with a certificate: internet-facing HTTPS with a modern TLS policy, and no port 80 unless httpRedirect', () => {
    const { template, mcp } = synth({ certificateArn: CERT, image: publicImage });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-PQ-2025-09',
      Certificates: [{ CertificateArn: CERT }],
    });
    expect(mcp.endpointUrl).toMatch(/^https:\/\//);
    const redirected = synth({ certificateArn: CERT, image: publicImage, httpRedirect: true }).template;
    redirected.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        {
          Type: 'redirect',
          RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }),
        },
      ],
    });
  });

  test('an existing VPC, explicit sizes, x86-64, custom path, environment and secrets', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Theirs', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
    new McpService(stack, 'Mcp', {
      vpc,
      image: publicImage,
      sizing: { taskCpu: 2048, taskMemoryMiB: 4096, minTasks: 4, maxTasks: 10, requestsPerTaskPerMinute: 6000 },
      cpuArchitecture: ecs.CpuArchitecture.X86_64,
      mcpPath: '/v1/mcp',
      environment: { FEATURE_X: 'on' },
      deletionProtection: false,
      idleTimeout: Duration.seconds(300),
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::FlowLog', 0);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '2048',
      Memory: '4096',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({
          HealthCheck: Match.objectLike({
            Command: ['CMD-SHELL', Match.stringLikeRegexp('curl -fsS http://127.0.0.1:8080/health/live')],
          }),
        }),
      ],
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 4,
      DeploymentConfiguration: Match.objectLike({ MaximumPercent: 125 }),
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 4, MaxCapacity: 10 });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 6000 }),
    });
    expect(containerEnv(t)).toEqual(expect.objectContaining({ FEATURE_X: 'on', MCP_PATH: '/v1/mcp' }));
    expect(lbAttributes(t)).toEqual(
      expect.objectContaining({ 'idle_timeout.timeout_seconds': '300', 'deletion_protection.enabled': 'false' }),
    );
  });

  test('a capacity input flows through the model into the task size and scaling', () => {
    const input = {
      peakRps: 1000,
      meanLatencyMs: 100,
      cpuSecondsPerRequest: 0.01,
      memoryPerConnectionMiB: 10,
      taskCpu: 4096,
      taskMemoryMiB: 8192,
    };
    const plan = planCapacity(input);
    const { template } = synth({ capacity: input, image: publicImage });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '4096', Memory: '8192' });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: plan.minTasks,
      MaxCapacity: plan.maxTasks,
    });
  });
});

describe('McpService rejects invalid props with clear errors', () => {
  const cases: Array<[string, McpServiceProps, RegExp]> = [
    [
      'capacity and sizing together',
      { capacity: DEFAULT_CAPACITY_INPUT, sizing: { taskCpu: 256, taskMemoryMiB: 512, minTasks: 2, maxTasks: 4 } },
      /either capacity .* or sizing/,
    ],
    [
      'an invalid Fargate size',
      { sizing: { taskCpu: 256, taskMemoryMiB: 4096, minTasks: 2, maxTasks: 4 } },
      /McpService: sizing.taskMemoryMiB 4096 is not a Fargate size for taskCpu 256; allowed: 512, 1024 or 2048/,
    ],
    [
      'an invalid Fargate CPU',
      { sizing: { taskCpu: 300, taskMemoryMiB: 1024, minTasks: 2, maxTasks: 4 } },
      /McpService: sizing.taskCpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384/,
    ],
    [
      'max below min',
      { sizing: { taskCpu: 256, taskMemoryMiB: 512, minTasks: 4, maxTasks: 2 } },
      /sizing.maxTasks \(2\) must be ≥ sizing.minTasks \(4\)/,
    ],
    [
      'zero tasks',
      { sizing: { taskCpu: 256, taskMemoryMiB: 512, minTasks: 0, maxTasks: 2 } },
      /sizing.minTasks must be an integer from 1 to 1000, got 0/,
    ],
    ['a root user', { containerUser: 'root' }, /containerUser must be a non-root user/],
    ['uid 0', { containerUser: '0:0' }, /containerUser must be a non-root user/],
    ['a bad service name', { serviceName: 'My_Service' }, /serviceName must be 1–20 characters of lowercase letters/],
    ['a relative path', { mcpPath: 'mcp' }, /mcpPath must be an absolute URL path/],
    ['a path under /health', { mcpPath: '/health/mcp' }, /reserved for health checks/],
    ['a privileged port', { containerPort: 80 }, /containerPort must be an integer from 1024 to 65535, got 80/],
    [
      'an idle timeout shorter than two keep-alives',
      { idleTimeout: Duration.seconds(20) },
      /idleTimeout \(20 s\) must be at least twice/,
    ],
    [
      'a stop timeout Fargate does not allow',
      { stopTimeout: Duration.seconds(200) },
      /stopTimeout must be a whole number of seconds from 2 to 120, got 200/,
    ],
    ['a malformed domain name', { domainName: 'MCP example' }, /domainName must be a lowercase DNS name/],
    ['a malformed certificate ARN', { certificateArn: 'my-cert' }, /certificateArn must be an ACM certificate ARN/],
    ['a negative capacity input', { capacity: { ...DEFAULT_CAPACITY_INPUT, peakRps: -1 } }, /peakRps/],
    [
      'a secret also in environment',
      { environment: { TOKEN: 'x' }, secrets: { TOKEN: {} as ecs.Secret } },
      /TOKEN is set both in environment and in secrets/,
    ],
    // The props took `false` before they became jsii structs; JavaScript callers of the old API get the new form.
    ...(['monitoring', 'logging', 'webAcl'] as const).map((prop): [string, Partial<McpServiceProps>, RegExp] => [
      `${prop}: false (the pre-jsii form)`,
      { [prop]: false as unknown as undefined },
      new RegExp(`${prop} must be an options object; to leave it out give ${prop}: \\{ enabled: false \\}, got false`),
    ]),
  ];
  test.each(cases)('%s', (_name, props, message) => {
    const stack = testStack();
    expect(() => new McpService(stack, 'Mcp', { image: publicImage, ...props })).toThrow(message);
  });
});

describe("McpService in an app without this repository's feature flags", () => {
  test('synthesizes the same resources as in a flagged app (the constructs pin the flags they were tested with)', () => {
    const bare = new App();
    const stack = new Stack(bare, 'Bare', { env: { account: '111111111111', region: 'eu-west-1' } });
    new McpService(stack, 'Mcp', { image: publicImage });
    const t = Template.fromStack(stack);
    const flagged = synth({ image: publicImage }).template;
    const types = (tpl: Template) =>
      Object.values(tpl.toJSON().Resources as Record<string, { Type: string }>)
        .map((r) => r.Type)
        .sort();
    expect(types(t)).toEqual(types(flagged));
    t.hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  test("an app's explicit flag setting wins over the pinned one", () => {
    const app = new App({ context: { '@aws-cdk/aws-ecs:arnFormatIncludesClusterName': false } });
    const stack = new Stack(app, 'Explicit', { env: { account: '111111111111', region: 'eu-west-1' } });
    const mcp = new McpService(stack, 'Mcp', {
      image: publicImage,
      monitoring: { enabled: false },
      logging: { enabled: false },
    });
    expect(mcp.node.tryGetContext('@aws-cdk/aws-ecs:arnFormatIncludesClusterName')).toBe(false);
    expect(mcp.node.tryGetContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy')).toBe(true);
  });
});

describe('McpService cdk-nag', () => {
  test('AwsSolutionsChecks: no unacknowledged findings, with and without a certificate', () => {
    for (const certificateArn of [undefined, CERT]) {
      const app = testApp();
      new McpService(testStack(app), 'Mcp', {
        certificateArn,
        ...(process.env.NO_REF_IMAGE ? { image: publicImage } : {}),
      });
      expect(describeFindings(nagFindings(app))).toEqual([]);
    }
  });
});
