/**
 * The region-loss steps of the restore Lambda, run in the recovery Region by the pilot-light stack's workflow.
 * Nothing here calls the production Region (assumed gone): production's automated backups are read as
 * replicated into this Region, the restored instance's password comes from this Region's secret, and the
 * traffic moves through Route 53 (a global API) or the operator's DNS step.
 */
import { RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import {
  DBInstanceAutomatedBackup,
  DescribeDBInstanceAutomatedBackupsCommand,
  ModifyDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { PitrWindow } from '../../lib/dr/recovery-plan';
import { StepError, aws, call, isAwsError } from './aws';
import type { Plan, ResourceStatus } from './index';

const opt = (name: string): string | undefined => (process.env[name] ? process.env[name] : undefined);
function req(name: string): string {
  const v = opt(name);
  if (!v) throw new StepError('Misconfigured', `environment variable ${name} is not set`);
  return v;
}

/**
 * The PITR window of production's automated backups as replicated into this Region
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/AutomatedBackups.Replicating.Describe.html): found
 * with the `db-instance-id` filter on the source instance's ARN, and kept only when they come from the source
 * Region. The restore then goes by the replicated backup's ARN (`SourceDBInstanceAutomatedBackupsArn`).
 */
export async function replicatedPitrWindow(
  sourceInstance: string | undefined,
): Promise<{ window?: PitrWindow; retainedArn?: string }> {
  if (!sourceInstance) return {};
  const sourceRegion = req('DB_SOURCE_REGION');
  const sourceArn = `arn:${opt('AWS_PARTITION') ?? 'aws'}:rds:${sourceRegion}:${req('DB_SOURCE_ACCOUNT')}:db:${sourceInstance}`;
  let found: DBInstanceAutomatedBackup[] = [];
  try {
    const res = await call(() =>
      aws().rds.send(
        new DescribeDBInstanceAutomatedBackupsCommand({ Filters: [{ Name: 'db-instance-id', Values: [sourceArn] }] }),
      ),
    );
    found = res.DBInstanceAutomatedBackups ?? [];
  } catch (err) {
    if (!isAwsError(err, 'DBInstanceAutomatedBackupNotFoundFault', 'DBInstanceNotFoundFault')) throw err;
  }
  const b = found.find(
    (x) =>
      (x.Region === undefined || x.Region === sourceRegion) &&
      x.DBInstanceAutomatedBackupsArn &&
      x.RestoreWindow?.EarliestTime &&
      x.RestoreWindow?.LatestTime,
  );
  if (!b) return {};
  return {
    window: {
      earliest: new Date(b.RestoreWindow!.EarliestTime!).toISOString(),
      latest: new Date(b.RestoreWindow!.LatestTime!).toISOString(),
    },
    retainedArn: b.DBInstanceAutomatedBackupsArn,
  };
}

/**
 * Region loss: production's credentials secret is in the lost Region, so once the restored instance is first
 * `available` its master password is set to the recovery Region's own secret (ModifyDBInstance, applied
 * immediately; only ever on a `<service>-dr-` instance). The instance then passes through
 * `resetting-master-credentials`, and the restore is done when it is `available` again.
 */
export async function resetCredentialsIfDue(
  plan: Plan,
  status: ResourceStatus,
  previous: ResourceStatus | undefined,
): Promise<ResourceStatus> {
  const secretArn = opt('DB_MASTER_SECRET_ARN');
  const done = previous?.credentialsReset === true;
  if (!secretArn) return status;
  if (done || status.state !== 'available') return { ...status, credentialsReset: done };
  const secret = await call(() => aws().secrets.send(new GetSecretValueCommand({ SecretId: secretArn })));
  let password: unknown;
  try {
    password = (JSON.parse(secret.SecretString ?? '{}') as Record<string, unknown>).password;
  } catch {
    password = undefined;
  }
  if (typeof password !== 'string' || !password)
    throw new StepError('Misconfigured', `secret ${secretArn} has no "password" field`);
  await call(() =>
    aws().rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: plan.restoreId,
        MasterUserPassword: password as string,
        ApplyImmediately: true,
      }),
    ),
  );
  return { ...status, state: 'pending', status: 'resetting-master-credentials', credentialsReset: true };
}

/** The pilot light's planned minimum (ACTIVATE_MIN_TASKS), when this workflow activates a standby service. */
export function activationSettings(): { minTasks: number } | undefined {
  const raw = opt('ACTIVATE_MIN_TASKS');
  if (raw === undefined) return undefined;
  const minTasks = Number(raw);
  if (!Number.isInteger(minTasks) || minTasks < 1)
    throw new StepError('Misconfigured', `ACTIVATE_MIN_TASKS must be a whole number ≥ 1, got ${raw}`);
  return { minTasks };
}

/**
 * Raises the standby service's autoscaling minimum to its planned minimum (the pilot light keeps it at 0), so
 * target tracking cannot scale the recovered service back in below it.
 */
export async function scaleToMinimum(cluster: string, service: string, minTasks: number): Promise<void> {
  const clusterName = cluster.split('/').pop()!;
  await call(() =>
    aws().autoscaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        ResourceId: `service/${clusterName}/${service}`,
        MinCapacity: minTasks,
      }),
    ),
  );
}

/**
 * After the approval: moves traffic to this Region. With a hosted zone, UPSERTs the SECONDARY failover alias
 * record (this Region's load balancer, evaluate target health) beside production's PRIMARY, which no longer
 * answers; Route 53 then answers with it. Without one, returns the DNS step the operator must take (the state
 * machine notifies it).
 */
export async function moveTraffic(
  plan: Plan,
  _cutover: Record<string, unknown> | undefined,
): Promise<{ moved: boolean; record?: string; changeId?: string; dnsStep?: string }> {
  if (plan.request.mode !== 'recover') throw new StepError('Refused', 'traffic moves only in recover mode');
  const target = req('TRAFFIC_TARGET_DNS');
  const zoneId = opt('TRAFFIC_HOSTED_ZONE_ID');
  const record = opt('TRAFFIC_RECORD_NAME');
  if (!zoneId || !record) {
    return {
      moved: false,
      dnsStep: record
        ? `point ${record} at ${target} (CNAME, or an alias A record to the load balancer)`
        : `point your service's DNS name at ${target} (CNAME, or an alias A record to the load balancer)`,
    };
  }
  const res = await call(() =>
    aws().route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Comment: `mcp-ops DR ${plan.executionName}: region-loss recovery, SECONDARY of the failover pair`,
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: record,
                Type: 'A',
                SetIdentifier: req('TRAFFIC_SET_IDENTIFIER'),
                Failover: 'SECONDARY',
                AliasTarget: {
                  DNSName: target,
                  HostedZoneId: req('TRAFFIC_TARGET_ZONE_ID'),
                  EvaluateTargetHealth: true,
                },
              },
            },
          ],
        },
      }),
    ),
  );
  return { moved: true, record, changeId: res.ChangeInfo?.Id };
}
