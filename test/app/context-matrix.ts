/**
 * The context-key matrix of the default app: every documented key (lib/app/config.ts CONTEXT_KEYS) at a
 * non-default value, alone, and the combinations whose keys interact. Shared by
 * test/app/context-matrix.test.ts and `npx tsx test/app/print-context-matrix.ts` (which prints the table).
 */

import { ISSUER_KEYS } from '../../lib/app/config';

/** The default account and region of cdk.json, which the certificate and zone names below belong to. */
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const CERT = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;

/** One non-default value per documented key (as `-c key=value` passes it: a string). */
export const NON_DEFAULT: Readonly<Record<string, string>> = {
  account: '222222222222',
  region: 'us-east-1',
  stackName: 'McpOpsMatrix',
  serviceName: 'orders-mcp',
  // 1200 at peak keeps the default database's connection budget (McpDataTier.checkConnectionBudget): the
  // data tier's default class holds the pools of about 20 tasks.
  peakRps: '1200',
  baselineRps: '400',
  peakSchedule: JSON.stringify([
    {
      name: 'MondayMorning',
      startCron: '0 8 ? * MON *',
      endCron: '0 11 ? * MON *',
      expectedRps: 900,
      timeZone: 'Europe/Dublin',
    },
  ]),
  meanLatencyMs: '250',
  p99LatencyMs: '20000',
  cpuSecondsPerRequest: '0.012',
  memoryPerConnectionMiB: '400',
  streamOpensPerSecond: '5',
  meanStreamDurationSeconds: '120',
  headroom: '0.7',
  survivesAzLoss: 'true',
  availabilityZones: '3',
  taskCpu: '4096',
  taskMemoryMiB: '8192',
  certificateArn: CERT,
  domainName: 'mcp.example.com',
  availabilityZoneNames: `${REGION}b,${REGION}c,${REGION}a`,
  alarmEmails: 'oncall@example.com,platform@example.com',
  pageEmails: 'pager@example.com',
  pageHttpsEndpoints: 'https://events.pagerduty.com/integration/0123456789abcdef/enqueue',
  pageSlackChannels: 'T0123ABCD/C0123PAGE',
  pageTeamsChannels: '19a3c5e7-0000-4000-8000-00000000a001/2b4d6f81-0000-4000-8000-00000000b002/19:page@thread.tacv2',
  warningEmails: 'team@example.com',
  warningHttpsEndpoints: 'https://hooks.example.com/warnings',
  warningSlackChannels: 'T0123ABCD/C0123WARN',
  warningTeamsChannels:
    '19a3c5e7-0000-4000-8000-00000000a001/2b4d6f81-0000-4000-8000-00000000b002/19:warn@thread.tacv2',
  runbookBaseUrl: 'https://runbooks.example.com/mcp',
  allowedOrigins: 'https://app.example.com,http://localhost:3000',
  dataTier: 'false',
  deletionProtection: 'false',
  databaseInstanceClass: 'db.m7g.xlarge',
  cacheNodeType: 'cache.m7g.xlarge',
  databasePoolSize: '10',
  databasePoolMaxOverflow: '5',
  vpcEndpoints: 'true',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
  internetFacing: 'true',
  allowPlaintextInternetListener: 'true',
  allowAnonymousMcp: 'true',
  authIssuerUrl: 'https://login.example.com/',
  authJwksUrl: 'https://login.example.com/.well-known/jwks.json',
  authAudience: 'https://mcp.example.com/mcp',
  authRequiredScopes: 'mcp:tools',
  authAdminScope: 'mcp:admin',
  authTokenUrl: 'https://login.example.com/oauth2/token',
  authProbeClientId: 'mcp-probe',
  authProbeClientSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:mcp/probe-AbCdEf`,
  authCallbackUrls: 'https://app.example.com/oauth/callback',
  authDomainPrefix: 'acme-mcp-login',
  waf: 'false',
  wafRateLimitPerIp: '5000',
  wafToolsCallRateLimit: '800',
  wafRateLimitHeader: 'authorization',
  wafAllowedCidrs: '203.0.113.0/24,2001:db8::/32',
  wafAllowedCountries: 'IE,DE',
  allowAllOutbound: 'true',
  recoveryRegion: 'eu-central-1',
  recoveryStackName: 'McpOpsStandby',
  recoveryAvailabilityZoneNames: 'eu-central-1b,eu-central-1c,eu-central-1a',
  recoveredIn: 'recovery',
  recoveredDatabase: 'mcp-server-dr-0abc123',
  recoveredDatabaseEndpoint: `mcp-server-dr-0abc123.cxyz.${REGION}.rds.amazonaws.com:5432`,
  recoveredCache: 'mcp-server-dr-0abc123',
  recoveredCacheEndpoint: `master.mcp-server-dr-0abc123.abcdef.euw1.cache.amazonaws.com:6379`,
  compliance: 'nist-800-53-r5,hipaa,pci-dss-3.2.1,serverless',
};

/**
 * Keys that only mean something together with another key, so "alone" is the pair: the model takes
 * taskCpu and taskMemoryMiB together (one alone is a clear error, tested with the bad inputs).
 */
const GROUPS: readonly (readonly string[])[] = [
  ['taskCpu', 'taskMemoryMiB'],
  // The zone makes the certificate and the alias records of the domain.
  ['hostedZoneId', 'hostedZoneName', 'domainName'],
  // An internet-facing load balancer without TLS needs the explicit acknowledgement.
  ['internetFacing', 'allowPlaintextInternetListener'],
  // The issuer form: the URL and the JWKS together, the rest refines it.
  [...ISSUER_KEYS],
  // The recovery stack's settings mean something only with a recovery Region.
  ['recoveryRegion', 'recoveryStackName', 'recoveryAvailabilityZoneNames'],
  ['recoveredDatabase', 'recoveredDatabaseEndpoint'],
  ['recoveredCache', 'recoveredCacheEndpoint'],
  ['recoveredIn', 'recoveryRegion'],
];
const PAIRED: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  GROUPS.flatMap((group) =>
    group
      .filter((k) => k !== 'domainName' && !(k === 'recoveryRegion' && group[0] === 'recoveredIn'))
      .map((k) => [k, group]),
  ),
);

/**
 * Keys whose value alone does not change the template but must say so: a certificate without a domain leaves
 * the probe out; a p99 latency whose burst the minimum fleet cannot hold is the capacity model's warning
 * (p99 sizes nothing, it checks the burst); a stream duration without streams is ignored.
 */
const WARNS: Readonly<Record<string, readonly string[]>> = {
  certificateArn: ['mcp-ops:noDomainName'],
  p99LatencyMs: ['mcp-ops:capacityPlan'],
  meanStreamDurationSeconds: ['mcp-ops:settingIgnored'],
};

/** A row of the matrix. */
export interface MatrixRow {
  readonly name: string;
  readonly context: Readonly<Record<string, string>>;
  /** Annotation ids the row must show (a documented setting that another makes ineffective warns). */
  readonly warns?: readonly string[];
}

const pick = (...keys: string[]): Record<string, string> => Object.fromEntries(keys.map((k) => [k, NON_DEFAULT[k]]));

/** Every key alone (pairs as pairs), in CONTEXT_KEYS order, de-duplicated. */
export function singleRows(keys: readonly string[]): MatrixRow[] {
  const rows: MatrixRow[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    const group = PAIRED[key] ?? [key];
    const name = group.join(' + ');
    if (seen.has(name)) continue;
    seen.add(name);
    rows.push({
      name,
      context: pick(...group),
      ...(WARNS[key] ? { warns: WARNS[key] } : {}),
    });
  }
  return rows;
}

/** The combinations whose keys interact. */
export const COMBINATION_ROWS: readonly MatrixRow[] = [
  { name: 'certificate + domain (HTTPS with the probe)', context: pick('certificateArn', 'domainName') },
  { name: 'data tier off + deletion protection off', context: pick('dataTier', 'deletionProtection') },
  { name: '3 zones, named', context: pick('availabilityZones', 'availabilityZoneNames') },
  { name: '3 zones + AZ loss', context: pick('availabilityZones', 'survivesAzLoss') },
  { name: 'long-lived streams (opens + duration)', context: pick('streamOpensPerSecond', 'meanStreamDurationSeconds') },
  {
    name: 'us-east-1 with its own zone names, 3 zones',
    context: { region: 'us-east-1', availabilityZoneNames: 'us-east-1a,us-east-1c,us-east-1d', availabilityZones: '3' },
  },
  {
    name: 'another account and region with its certificate and domain',
    context: {
      account: '222222222222',
      region: 'us-east-1',
      certificateArn: 'arn:aws:acm:us-east-1:222222222222:certificate/11111111-2222-3333-4444-555555555555',
      domainName: 'mcp.example.com',
    },
  },
  {
    name: 'every key at once (the issuer form, no opt-outs, a recovery Region on standby)',
    context: Object.fromEntries(
      Object.entries({ ...NON_DEFAULT, account: ACCOUNT, region: REGION }).filter(
        ([k]) =>
          !['allowAnonymousMcp', 'internetFacing', 'allowPlaintextInternetListener', 'waf'].includes(k) &&
          // The post-recovery state is a row of its own (below).
          !k.startsWith('recovered'),
      ),
    ),
  },
  {
    name: 'HTTPS from a hosted zone with the Cognito user pool and the web ACL',
    context: pick(
      'hostedZoneId',
      'hostedZoneName',
      'domainName',
      'authCallbackUrls',
      'authDomainPrefix',
      'wafAllowedCountries',
    ),
  },
];

/** Combinations with a recovery Region (its pilot-light stack is synthesized and checked too). */
export const RECOVERY_COMBINATION_ROWS: readonly MatrixRow[] = [
  {
    name: 'a recovery Region with the domain: PRIMARY failover records',
    context: pick('recoveryRegion', 'hostedZoneId', 'hostedZoneName', 'domainName'),
  },
  {
    name: 'after a region-loss recovery: the service runs on the restored database and cache',
    context: pick(
      'recoveryRegion',
      'recoveredIn',
      'recoveredDatabase',
      'recoveredDatabaseEndpoint',
      'recoveredCache',
      'recoveredCacheEndpoint',
    ),
  },
];
