/**
 * The default app's disaster-recovery settings: the recovery Region (pilot-light stack), the Route 53 record
 * a region-loss recovery moves, and the post-recovery state (the restored resources the next `cdk deploy`
 * keeps). Read from CDK context like the rest of config.ts. Pure: no CDK imports.
 */
import {
  HostPort,
  RecoveredEndpoints,
  isDbInstanceIdentifier,
  isReplicationGroupId,
  parseHostPort,
} from '../data/endpoint-names';

/** One context key (same shape as config.ts's ContextKey). */
interface RecoveryContextKey {
  readonly key: string;
  readonly kind: 'string' | 'list';
  readonly description: string;
  readonly default?: string;
}

/** The context keys of disaster recovery; config.ts lists them with its own. */
export const RECOVERY_CONTEXT_KEYS: readonly RecoveryContextKey[] = [
  {
    key: 'recoveryRegion',
    kind: 'string',
    description:
      'Region of the pilot-light recovery stack (backups, automated backups and the image replicated there; region-loss recovery runs there)',
    default: 'none: no recovery stack',
  },
  {
    key: 'recoveryStackName',
    kind: 'string',
    description: 'CloudFormation stack name of the recovery stack',
    default: '<stackName>-recovery',
  },
  {
    key: 'recoveryAvailabilityZoneNames',
    kind: 'list',
    description: 'comma-separated zone names of the recovery VPC (no lookup at synth)',
    default: '<recoveryRegion>a,<recoveryRegion>b,<recoveryRegion>c',
  },
  {
    key: 'recoveredIn',
    kind: 'string',
    description:
      'after a recovery: "production" (in place) or "recovery" (region loss), the stack the recovered* keys apply to',
    default: 'production',
  },
  {
    key: 'recoveredDatabase',
    kind: 'string',
    description: 'after a recovery: identifier of the restored DB instance the service keeps using',
    default: 'none',
  },
  {
    key: 'recoveredDatabaseEndpoint',
    kind: 'string',
    description: 'after a recovery: host:port of the restored DB instance (from the recovery notification)',
    default: 'none',
  },
  {
    key: 'recoveredCache',
    kind: 'string',
    description: 'after a recovery: id of the restored replication group the service keeps using',
    default: 'none',
  },
  {
    key: 'recoveredCacheEndpoint',
    kind: 'string',
    description: 'after a recovery: host:port of the restored cache (from the recovery notification)',
    default: 'none',
  },
];

/** The parsed disaster-recovery settings. */
export interface RecoveryConfig {
  /** The pilot-light stack, when `recoveryRegion` is set. */
  readonly recoveryRegion?: string;
  readonly recoveryStackName: string;
  readonly recoveryAvailabilityZoneNames: string[];
  readonly hostedZoneId?: string;
  /** Which stack the recovered resources belong to. */
  readonly recoveredIn: 'production' | 'recovery';
  /** The restored resources the stack `recoveredIn` keeps (empty when there was no recovery). */
  readonly recovered: RecoveredEndpoints;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function str(ctx: Record<string, unknown>, key: string): string | undefined {
  const v = ctx[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') fail(key, 'a string', v);
  return v.trim();
}

function fail(key: string, expected: string, value: unknown): never {
  throw new Error(
    `context ${key}: expected ${expected}, got ${JSON.stringify(value)} (set it in cdk.json "context" or with -c ${key}=...)`,
  );
}

function hostPort(ctx: Record<string, unknown>, key: string): HostPort | undefined {
  const v = str(ctx, key);
  if (v === undefined) return undefined;
  try {
    return parseHostPort(`context ${key}`, v);
  } catch (e) {
    return fail(key, 'host:port, e.g. mcp-server-dr-0abc123.cxyz.eu-west-1.rds.amazonaws.com:5432', v);
  }
}

/**
 * Reads the disaster-recovery keys. `stackName` and `region` are the production stack's (already checked).
 * Every problem names the key, the value and what is allowed.
 */
export function parseRecoveryConfig(ctx: Record<string, unknown>, stackName: string, region: string): RecoveryConfig {
  const recoveryRegion = str(ctx, 'recoveryRegion');
  if (recoveryRegion !== undefined) {
    if (!REGION.test(recoveryRegion)) fail('recoveryRegion', 'an AWS region such as eu-central-1', recoveryRegion);
    if (recoveryRegion === region)
      fail('recoveryRegion', `a Region other than the production Region ${region}`, recoveryRegion);
  }
  const recoveryStackName = str(ctx, 'recoveryStackName') ?? `${stackName}-recovery`;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(recoveryStackName))
    fail('recoveryStackName', 'a CloudFormation stack name (letters, digits, hyphens)', recoveryStackName);
  if (recoveryStackName === stackName)
    fail('recoveryStackName', `a name other than stackName ${stackName}`, recoveryStackName);
  const zonesRaw = str(ctx, 'recoveryAvailabilityZoneNames');
  const recoveryAvailabilityZoneNames = zonesRaw
    ? zonesRaw
        .split(',')
        .map((z) => z.trim())
        .filter(Boolean)
    : recoveryRegion
      ? ['a', 'b', 'c'].map((l) => `${recoveryRegion}${l}`)
      : [];
  for (const z of recoveryAvailabilityZoneNames)
    if (!recoveryRegion || !z.startsWith(recoveryRegion) || !/^[a-z0-9-]+[a-z]$/.test(z))
      fail('recoveryAvailabilityZoneNames', `zones of recoveryRegion ${recoveryRegion ?? '(unset)'}`, z);
  const hostedZoneId = str(ctx, 'hostedZoneId');
  if (hostedZoneId !== undefined && !/^Z[A-Z0-9]{1,31}$/.test(hostedZoneId))
    fail('hostedZoneId', 'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ', hostedZoneId);
  const recoveredIn = str(ctx, 'recoveredIn') ?? 'production';
  if (recoveredIn !== 'production' && recoveredIn !== 'recovery')
    fail('recoveredIn', '"production" or "recovery"', recoveredIn);
  if (recoveredIn === 'recovery' && !recoveryRegion)
    fail('recoveredIn', '"production" unless recoveryRegion is set', recoveredIn);

  const databaseId = str(ctx, 'recoveredDatabase');
  const databaseEndpoint = hostPort(ctx, 'recoveredDatabaseEndpoint');
  if ((databaseId === undefined) !== (databaseEndpoint === undefined))
    fail(
      databaseId === undefined ? 'recoveredDatabase' : 'recoveredDatabaseEndpoint',
      'recoveredDatabase and recoveredDatabaseEndpoint together',
      databaseId ?? ctx.recoveredDatabaseEndpoint,
    );
  if (databaseId !== undefined && !isDbInstanceIdentifier(databaseId))
    fail('recoveredDatabase', 'a DB instance identifier (letters, digits, single hyphens; a letter first)', databaseId);
  const cacheId = str(ctx, 'recoveredCache');
  const cacheEndpoint = hostPort(ctx, 'recoveredCacheEndpoint');
  if ((cacheId === undefined) !== (cacheEndpoint === undefined))
    fail(
      cacheId === undefined ? 'recoveredCache' : 'recoveredCacheEndpoint',
      'recoveredCache and recoveredCacheEndpoint together',
      cacheId ?? ctx.recoveredCacheEndpoint,
    );
  if (cacheId !== undefined && !isReplicationGroupId(cacheId))
    fail('recoveredCache', 'a replication group id (lowercase letters, digits, single hyphens)', cacheId);
  const recovered: RecoveredEndpoints = {
    ...(databaseId && databaseEndpoint ? { database: { instanceIdentifier: databaseId, ...databaseEndpoint } } : {}),
    ...(cacheId && cacheEndpoint ? { cache: { replicationGroupId: cacheId, ...cacheEndpoint } } : {}),
  };
  return {
    ...(recoveryRegion ? { recoveryRegion } : {}),
    recoveryStackName,
    recoveryAvailabilityZoneNames,
    ...(hostedZoneId ? { hostedZoneId } : {}),
    recoveredIn,
    recovered,
  };
}
