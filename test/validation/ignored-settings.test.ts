/**
 * Settings that another setting makes ineffective are not dropped silently: each gives a synth warning
 * (an annotation naming the setting and why it is ignored), and the synth goes on.
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { McpBackup } from '../../lib/backup/backup';
import { CacheBackupMode } from '../../lib/backup/cache-backup-mode';
import { McpDisasterRecovery } from '../../lib/dr/disaster-recovery';
import { McpLogging } from '../../lib/logging/mcp-logging';
import { McpMonitoring } from '../../lib/monitoring/monitoring';
import { McpService } from '../../lib/service/mcp-service';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');
const stack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'W', { env: ENV });

/** Warnings attached to a construct and its children (no synth needed). */
function warnings(root: IConstruct): string[] {
  return root.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === 'aws:cdk:warning')
    .map((m) => String(m.data));
}

function vpcIn(s: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(s, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.0.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    privateSubnetIds: ['subnet-0123456789abcdef2', 'subnet-0123456789abcdef3'],
  });
}

const cases: Array<[string, () => IConstruct, string]> = [
  [
    'McpService: availabilityZones with a vpc',
    () => {
      const s = stack();
      return new McpService(s, 'Mcp', {
        image,
        vpc: vpcIn(s),
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        logging: { enabled: false },
        monitoring: { enabled: false },
      });
    },
    'McpService: availabilityZones is ignored: vpc is given',
  ],
  [
    'McpService: flowLogRetention with a vpc',
    () => {
      const s = stack();
      return new McpService(s, 'Mcp', {
        image,
        vpc: vpcIn(s),
        flowLogRetention: logs.RetentionDays.ONE_YEAR,
        logging: { enabled: false },
        monitoring: { enabled: false },
      });
    },
    'McpService: flowLogRetention is ignored: vpc is given',
  ],
  [
    'McpService: functionLogRetention with a vpc',
    () => {
      const s = stack();
      return new McpService(s, 'Mcp', {
        image,
        vpc: vpcIn(s),
        functionLogRetention: logs.RetentionDays.ONE_YEAR,
        logging: { enabled: false },
        monitoring: { enabled: false },
      });
    },
    "McpService: functionLogRetention is ignored: vpc is given (the VPC's default-security-group handler is not McpService's)",
  ],
  [
    'McpService: logRetention with the log pipeline',
    () =>
      new McpService(stack(), 'Mcp', {
        image,
        logRetention: logs.RetentionDays.ONE_YEAR,
        monitoring: { enabled: false },
      }),
    'McpService: logRetention is ignored: the log pipeline (logging) sets the retention',
  ],
  [
    'McpService: sslPolicy without a certificate',
    () =>
      new McpService(stack(), 'Mcp', {
        image,
        sslPolicy: elbv2.SslPolicy.TLS13_13,
        logging: { enabled: false },
        monitoring: { enabled: false },
      }),
    'McpService: sslPolicy is ignored: there is no HTTPS listener without certificateArn',
  ],
  [
    'McpService: a stream duration without streams',
    () =>
      new McpService(stack(), 'Mcp', {
        image,
        logging: { enabled: false },
        monitoring: { enabled: false },
        capacity: {
          peakRps: 50,
          meanLatencyMs: 100,
          cpuSecondsPerRequest: 0.01,
          memoryPerConnectionMiB: 10,
          meanStreamDurationSeconds: 60,
        },
      }),
    'capacity.meanStreamDurationSeconds is ignored: capacity.streamOpensPerSecond is 0',
  ],
  [
    'McpLogging: logBufferSize in blocking mode',
    () =>
      new McpLogging(stack(), 'Logging', {
        serviceName: 'svc',
        logDriverMode: ecs.AwsLogDriverMode.BLOCKING,
        logBufferSize: Size.mebibytes(10),
      }),
    'McpLogging: logBufferSize is ignored because logDriverMode is blocking',
  ],
  [
    'McpMonitoring: probe settings without an endpoint',
    () => {
      const s = stack();
      const mcp = new McpService(s, 'Mcp', {
        image,
        vpc: vpcIn(s),
        logging: { enabled: false },
        monitoring: { enabled: false },
        serviceName: 'other',
      });
      return new McpMonitoring(s, 'Mon', {
        serviceName: 'svc',
        loadBalancer: mcp.loadBalancer,
        targetGroup: mcp.targetGroup,
        service: mcp.service,
        probeInterval: Duration.minutes(5),
      });
    },
    'McpMonitoring: probeInterval is ignored: there is no probe without endpointUrl',
  ],
  [
    'McpBackup: snapshot settings without a database',
    () =>
      new McpBackup(stack(), 'Backup', {
        serviceName: 'svc',
        ssmParameterPrefix: '/mcp',
        snapshotInterval: Duration.hours(12),
      }),
    'McpBackup: the manual-snapshot settings (snapshotInterval, snapshotRetention, keepNewestSnapshots, snapshotQuotaReserve) are ignored: there is no database',
  ],
  [
    'McpBackup: export settings without export',
    () =>
      new McpBackup(stack(), 'Backup', {
        serviceName: 'svc',
        cacheReplicationGroupId: 'grp',
        cacheExportInterval: Duration.hours(12),
      }),
    "McpBackup: cacheExportInterval and cacheExportQuotaReserve are ignored: they apply only with a cache and cacheBackup 'export'",
  ],
  [
    'McpBackup: cacheBackup without a cache',
    () =>
      new McpBackup(stack(), 'Backup', {
        serviceName: 'svc',
        ssmParameterPrefix: '/mcp',
        cacheBackup: CacheBackupMode.EXPORT,
      }),
    'McpBackup: cacheBackup is ignored: there is no cache',
  ],
  [
    'McpBackup: slotInterval with a rate schedule',
    () =>
      new McpBackup(stack(), 'Backup', {
        serviceName: 'svc',
        ssmParameterPrefix: '/mcp',
        schedule: events.Schedule.rate(Duration.hours(1)),
        slotInterval: Duration.hours(1),
      }),
    'McpBackup: slotInterval is used instead of the rate of schedule',
  ],
  [
    'McpDisasterRecovery: a drill schedule with drills off',
    () => {
      const s = stack();
      return new McpDisasterRecovery(s, 'Dr', {
        serviceName: 'svc',
        backupBucket: s3.Bucket.fromBucketName(s, 'B', 'backups'),
        scheduledDrills: false,
        drillSchedule: events.Schedule.rate(Duration.days(1)),
      });
    },
    'McpDisasterRecovery: drillSchedule is ignored: scheduledDrills is false',
  ],
  [
    'McpDisasterRecovery: database settings without a database',
    () => {
      const s = stack();
      return new McpDisasterRecovery(s, 'Dr', {
        serviceName: 'svc',
        backupBucket: s3.Bucket.fromBucketName(s, 'B', 'backups'),
        databaseInstanceClass: 'db.t4g.medium',
      });
    },
    'there is no database',
  ],
  [
    'McpDisasterRecovery: a probe without a service',
    () => {
      const s = stack();
      const backupBucket = s3.Bucket.fromBucketName(s, 'B', 'backups');
      const probeFunction = { functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:probe' } as never;
      return new McpDisasterRecovery(s, 'Dr', { serviceName: 'svc', backupBucket, probeFunction });
    },
    'McpDisasterRecovery: probeFunction is ignored: the probe runs after a cut-over',
  ],
];

test.each(cases)('%s warns and synthesizes on', (_name, build, fragment) => {
  const construct = build();
  expect(warnings(construct).join('\n')).toContain(fragment);
});
