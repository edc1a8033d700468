/**
 * Configuration of the default app, read from CDK context (`cdk.json` "context", or `-c key=value` on the
 * command line, where every value arrives as a string). Pure: no CDK imports.
 */
import { CapacityInput } from '../capacity/types';
import { isServiceName, SERVICE_NAME_RULE } from '../internal/service-name';
import { originProblem } from '../service/origins';
import { ASSUMABLE_ZONES, zoneNameProblem } from '../service/zones';
import { RECOVERY_CONTEXT_KEYS, RecoveryConfig, parseRecoveryConfig } from './recovery-config';
import type { McpAlertRoute } from '../monitoring/alert-routing';

/** The default app's settings, parsed and checked. */
export interface AppConfig {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly serviceName: string;
  readonly capacity: CapacityInput;
  readonly certificateArn?: string;
  readonly domainName?: string;
  /** Availability zones named for the VPC, so synth needs no lookup. */
  readonly availabilityZoneNames: string[];
  readonly alarmEmails: string[];
  /** Where pages go beside the alarm topic (emails, HTTPS endpoints, chat channels), if anywhere. */
  readonly pageRoute?: McpAlertRoute;
  /** Where warnings go beside the alarm topic, if anywhere. */
  readonly warningRoute?: McpAlertRoute;
  readonly runbookBaseUrl?: string;
  readonly allowedOrigins: string[];
  /** Create the RDS + ElastiCache data tier. */
  readonly dataTier: boolean;
  /** RDS instance class of the database, e.g. `db.m7g.xlarge` (undefined: McpDataTier's default). */
  readonly databaseInstanceClass?: string;
  /** ElastiCache node type of the cache (undefined: McpDataTier's default). */
  readonly cacheNodeType?: string;
  /** Connections each service process keeps in its pool (undefined: McpDataTier's default, 20). */
  readonly databasePoolSize?: number;
  /** Further connections each process may open (undefined: McpDataTier's default, 10). */
  readonly databasePoolMaxOverflow?: number;
  /** VPC interface endpoints (ECR, Logs, Secrets Manager, SSM) and the S3 gateway endpoint in the new VPC. */
  readonly vpcEndpoints: boolean;
  readonly deletionProtection: boolean;
  /** Disaster recovery: recovery Region, DNS record, post-recovery state (lib/app/recovery-config.ts). */
  readonly recovery: RecoveryConfig;
  /** Exposure, authorization and edge protection (docs/security.md). */
  readonly security: SecurityConfig;
  /** cdk-nag compliance packs run beside AwsSolutions (docs/compliance.md), in {@link COMPLIANCE_PACKS} order. */
  readonly compliance: CompliancePack[];
}

/** The cdk-nag compliance packs the default app can run beside AwsSolutions (`-c compliance=...`). */
export const COMPLIANCE_PACKS = ['nist-800-53-r5', 'hipaa', 'pci-dss-3.2.1', 'serverless'] as const;

/** One of {@link COMPLIANCE_PACKS}. */
export type CompliancePack = (typeof COMPLIANCE_PACKS)[number];

/** The default app's exposure, authorization and web ACL settings. */
export interface SecurityConfig {
  readonly hostedZoneId?: string;
  readonly hostedZoneName?: string;
  /** undefined: internet-facing exactly when there is TLS. */
  readonly internetFacing?: boolean;
  readonly allowPlaintextInternetListener: boolean;
  /** Tasks may send anything anywhere (McpService `allowAllOutbound`); default HTTPS and the data tier only. */
  readonly allowAllOutbound: boolean;
  /** Which authorization: a Cognito user pool (default), your own issuer, or none (explicit opt-out). */
  readonly auth: 'cognito' | 'issuer' | 'anonymous';
  /** The issuer settings, when `auth` is `issuer`. */
  readonly issuer?: {
    readonly issuerUrl: string;
    readonly jwksUrl: string;
    readonly audience?: string;
    readonly requiredScopes: string[];
    readonly adminScope?: string;
    readonly tokenUrl?: string;
    readonly probeClientId?: string;
    readonly probeClientSecretArn?: string;
  };
  /** The Cognito settings, when `auth` is `cognito`. */
  readonly cognito: { readonly callbackUrls: string[]; readonly domainPrefix?: string };
  /** Associate the web ACL. */
  readonly waf: boolean;
  readonly wafRateLimitPerIp?: number;
  readonly wafToolsCallRateLimit?: number;
  readonly wafRateLimitHeader?: string;
  readonly wafAllowedCidrs: string[];
  readonly wafAllowedCountries: string[];
}

/** One context key: its name, what it means, and its default. Drives parsing and the README table. */
export interface ContextKey {
  readonly key: string;
  readonly kind: 'string' | 'number' | 'integer' | 'boolean' | 'list';
  readonly description: string;
  readonly default?: string;
}

/** Every context key the default app reads. */
export const CONTEXT_KEYS: readonly ContextKey[] = [
  {
    key: 'account',
    kind: 'string',
    description: 'AWS account id to deploy to (12 digits)',
    default: '111111111111 (placeholder in cdk.json)',
  },
  { key: 'region', kind: 'string', description: 'AWS region to deploy to', default: 'eu-west-1' },
  { key: 'stackName', kind: 'string', description: 'CloudFormation stack name', default: 'McpOps' },
  {
    key: 'serviceName',
    kind: 'string',
    description:
      'service name (metric dimension, resource names): 1–20 of a-z, 0-9 and single hyphens, starting with a letter',
    default: 'mcp-server',
  },
  { key: 'peakRps', kind: 'number', description: 'capacity model: peak requests per second', default: '1000' },
  { key: 'meanLatencyMs', kind: 'number', description: 'capacity model: mean latency, ms', default: '100' },
  { key: 'p99LatencyMs', kind: 'number', description: 'capacity model: p99 latency, ms', default: '1000' },
  {
    key: 'cpuSecondsPerRequest',
    kind: 'number',
    description: 'capacity model: CPU-seconds per request',
    default: '0.01',
  },
  {
    key: 'memoryPerConnectionMiB',
    kind: 'number',
    description: 'capacity model: MiB per concurrent connection',
    default: '10',
  },
  {
    key: 'streamOpensPerSecond',
    kind: 'number',
    description: 'capacity model: long-lived streams opened per second',
    default: '0',
  },
  {
    key: 'meanStreamDurationSeconds',
    kind: 'number',
    description: 'capacity model: mean stream lifetime, s',
    default: '300',
  },
  { key: 'headroom', kind: 'number', description: 'capacity model: headroom fraction above peak', default: '0.5' },
  {
    key: 'baselineRps',
    kind: 'number',
    description: 'capacity model: off-peak requests per second the minimum fleet carries',
    default: '25 % of peakRps',
  },
  {
    key: 'peakSchedule',
    kind: 'string',
    description:
      'capacity model: JSON list of known peaks that raise the minimum, [{"name","startCron","endCron","expectedRps","timeZone"}]',
    default: 'none',
  },
  {
    key: 'survivesAzLoss',
    kind: 'boolean',
    description: 'capacity model: keep peak capacity when one zone is lost (doubles the fleet on 2 zones)',
    default: 'false',
  },
  {
    key: 'availabilityZones',
    kind: 'integer',
    description: 'capacity model and VPC: availability zones',
    default: '2',
  },
  {
    key: 'taskCpu',
    kind: 'integer',
    description: 'capacity model: Fargate CPU units per task (with taskMemoryMiB)',
    default: 'chosen by the model',
  },
  {
    key: 'taskMemoryMiB',
    kind: 'integer',
    description: 'capacity model: MiB per task (with taskCpu)',
    default: 'chosen by the model',
  },
  {
    key: 'certificateArn',
    kind: 'string',
    description: 'ACM certificate ARN for HTTPS (internet-facing)',
    default: 'none: an internal load balancer on HTTP (VPC only), unless domainName comes with a hosted zone',
  },
  {
    key: 'domainName',
    kind: 'string',
    description: 'public DNS name of the endpoint (the certificate covers it; the probe and token audience use it)',
    default: 'none',
  },
  {
    key: 'availabilityZoneNames',
    kind: 'list',
    description: 'comma-separated zone names of the VPC (no lookup at synth)',
    default: '<region>a,<region>b,<region>c',
  },
  {
    key: 'alarmEmails',
    kind: 'list',
    description: 'comma-separated emails subscribed to the alert topic',
    default: 'none',
  },
  {
    key: 'pageEmails',
    kind: 'list',
    description: 'comma-separated emails that receive pages (the page composite) only (a topic of their own)',
    default: 'none',
  },
  {
    key: 'pageHttpsEndpoints',
    kind: 'list',
    description:
      'comma-separated https:// URLs of paging or incident tools that receive pages (the page composite) only',
    default: 'none',
  },
  {
    key: 'pageSlackChannels',
    kind: 'list',
    description:
      'comma-separated Slack channels, workspaceId/channelId, that receive pages (the page composite) through AWS chat integration',
    default: 'none',
  },
  {
    key: 'pageTeamsChannels',
    kind: 'list',
    description:
      'comma-separated Microsoft Teams channels, teamId/tenantId/channelId, that receive pages (the page composite)',
    default: 'none',
  },
  {
    key: 'warningEmails',
    kind: 'list',
    description: 'comma-separated emails that receive warnings only (a topic of their own)',
    default: 'none',
  },
  {
    key: 'warningHttpsEndpoints',
    kind: 'list',
    description: 'comma-separated https:// URLs of paging or incident tools that receive warnings only',
    default: 'none',
  },
  {
    key: 'warningSlackChannels',
    kind: 'list',
    description:
      'comma-separated Slack channels, workspaceId/channelId, that receive warnings through AWS chat integration',
    default: 'none',
  },
  {
    key: 'warningTeamsChannels',
    kind: 'list',
    description: 'comma-separated Microsoft Teams channels, teamId/tenantId/channelId, that receive warnings',
    default: 'none',
  },
  {
    key: 'runbookBaseUrl',
    kind: 'string',
    description: 'base URL of docs/runbooks linked from alarm descriptions',
    default: 'the monitoring default',
  },
  {
    key: 'allowedOrigins',
    kind: 'list',
    description: 'comma-separated browser origins allowed to call /mcp',
    default: 'none',
  },
  {
    key: 'dataTier',
    kind: 'boolean',
    description: 'create the RDS PostgreSQL + ElastiCache data tier',
    default: 'true',
  },
  {
    key: 'databaseInstanceClass',
    kind: 'string',
    description: 'RDS instance class of the database (a fix the connection-budget error names)',
    default: 'db.m7g.large',
  },
  {
    key: 'cacheNodeType',
    kind: 'string',
    description: 'ElastiCache node type of the cache',
    default: 'cache.m7g.large',
  },
  {
    key: 'databasePoolSize',
    kind: 'integer',
    description:
      'connections each service process keeps in its pool (DATABASE_POOL_SIZE; the connection budget counts it)',
    default: '20',
  },
  {
    key: 'databasePoolMaxOverflow',
    kind: 'integer',
    description: 'further connections each process may open under load (DATABASE_POOL_MAX_OVERFLOW)',
    default: '10',
  },
  {
    key: 'vpcEndpoints',
    kind: 'boolean',
    description:
      'VPC endpoints for AWS APIs instead of NAT: S3 gateway, ECR api/dkr, CloudWatch Logs, Secrets Manager, SSM (priced in npm run capacity)',
    default: 'false',
  },
  {
    key: 'deletionProtection',
    kind: 'boolean',
    description: 'deletion protection on the load balancer and database',
    default: 'true',
  },
  {
    key: 'compliance',
    kind: 'list',
    description: `comma-separated cdk-nag packs run beside AwsSolutions, any of ${COMPLIANCE_PACKS.join(', ')} (docs/compliance.md)`,
    default: 'none (AwsSolutions only)',
  },
  // ---- security (docs/security.md) ----
  {
    key: 'hostedZoneId',
    kind: 'string',
    description:
      'Route 53 hosted zone id of domainName: with hostedZoneName, a DNS-validated certificate and alias records (with recoveryRegion, the PRIMARY of a failover pair; a region-loss recovery adds the SECONDARY after approval)',
    default: 'none',
  },
  {
    key: 'hostedZoneName',
    kind: 'string',
    description: 'name of that hosted zone (domainName must be inside it)',
    default: 'none',
  },
  {
    key: 'internetFacing',
    kind: 'boolean',
    description: 'load balancer on the internet; without TLS only with allowPlaintextInternetListener',
    default: 'true with a certificate, false (internal, VPC only) without',
  },
  {
    key: 'allowPlaintextInternetListener',
    kind: 'boolean',
    description: 'acknowledge an internet-facing plain-HTTP listener (tokens and traffic unencrypted)',
    default: 'false (a synth error)',
  },
  {
    key: 'allowAllOutbound',
    kind: 'boolean',
    description: "open the tasks' outbound traffic to every port and address (for tools that call other ports)",
    default: 'false (HTTPS 443, the database and the cache only)',
  },
  {
    key: 'allowAnonymousMcp',
    kind: 'boolean',
    description: 'opt out of authorization: anyone who reaches the endpoint can call its tools (prints a warning)',
    default: 'false (auth required)',
  },
  {
    key: 'authIssuerUrl',
    kind: 'string',
    description: 'your own OAuth issuer (the iss claim) instead of the Cognito user pool; needs authJwksUrl',
    default: 'none: a Cognito user pool is created',
  },
  { key: 'authJwksUrl', kind: 'string', description: "the issuer's JWKS URL (https)", default: 'none' },
  {
    key: 'authAudience',
    kind: 'string',
    description: 'expected aud of access tokens (RFC 8707 resource)',
    default: 'the endpoint URL',
  },
  {
    key: 'authRequiredScopes',
    kind: 'list',
    description: 'comma-separated scopes every request needs (issuer form)',
    default: 'none',
  },
  { key: 'authAdminScope', kind: 'string', description: 'scope of the admin tools (issuer form)', default: 'none' },
  {
    key: 'authTokenUrl',
    kind: 'string',
    description: "the issuer's token endpoint, for the probe's client-credentials grant",
    default: 'none: no probe with an issuer',
  },
  { key: 'authProbeClientId', kind: 'string', description: 'client id of the probe (issuer form)', default: 'none' },
  {
    key: 'authProbeClientSecretArn',
    kind: 'string',
    description: 'Secrets Manager ARN of the probe client secret (SecretString = the secret)',
    default: 'none',
  },
  {
    key: 'authCallbackUrls',
    kind: 'list',
    description: "comma-separated redirect URIs of the Cognito people's app client",
    default: 'http://localhost:6274/oauth/callback (MCP Inspector)',
  },
  {
    key: 'authDomainPrefix',
    kind: 'string',
    description: 'Cognito domain prefix (<prefix>.auth.<region>.amazoncognito.com)',
    default: '<stackName>-<serviceName>-<account>, lowercased',
  },
  { key: 'waf', kind: 'boolean', description: 'associate the WAFv2 web ACL with the load balancer', default: 'true' },
  {
    key: 'wafRateLimitPerIp',
    kind: 'integer',
    description: 'requests per client IP per 5 minutes',
    default: 'max(1000, ⌈peakRps × 300 × 0.1⌉)',
  },
  {
    key: 'wafToolsCallRateLimit',
    kind: 'integer',
    description: 'tools/call requests per client IP per 5 minutes',
    default: 'max(300, ⌈wafRateLimitPerIp × 0.25⌉)',
  },
  {
    key: 'wafRateLimitHeader',
    kind: 'string',
    description: 'a second rate key: a header (e.g. authorization) limited per value',
    default: 'none',
  },
  {
    key: 'wafAllowedCidrs',
    kind: 'list',
    description: 'comma-separated CIDRs allowed to reach the load balancer (others blocked)',
    default: 'none (no IP allow-list)',
  },
  {
    key: 'wafAllowedCountries',
    kind: 'list',
    description: 'comma-separated ISO country codes allowed (others blocked)',
    default: 'none',
  },
  ...RECOVERY_CONTEXT_KEYS,
];

const KNOWN = new Set(CONTEXT_KEYS.map((k) => k.key));

/** Collects the problems of the context, one per key, and throws them together. */
class ContextProblems {
  readonly messages: string[] = [];
  fail(key: string, expected: string, value: unknown): undefined {
    this.messages.push(
      `context ${key}: expected ${expected}, got ${JSON.stringify(value)} (set it in cdk.json "context" or with -c ${key}=...)`,
    );
    return undefined;
  }
  /** Runs a parser that throws at its first problem (lib/app/recovery-config.ts) and records its message. */
  capture<T>(parse: () => T): T | undefined {
    try {
      return parse();
    } catch (err) {
      this.messages.push(err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }
  throwIfAny(): void {
    if (this.messages.length === 1) throw new Error(this.messages[0]);
    if (this.messages.length > 1)
      throw new Error(
        `${this.messages.length} invalid context settings:\n${this.messages.map((m) => `  - ${m}`).join('\n')}`,
      );
  }
}

function num(p: ContextProblems, ctx: Record<string, unknown>, key: string, integer = false): number | undefined {
  const v = ctx[key];
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)))
    return p.fail(key, integer ? 'a whole number' : 'a number', v);
  return n;
}

function bool(p: ContextProblems, ctx: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = ctx[key];
  if (v === undefined || v === '') return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  p.fail(key, 'true or false', v);
  return fallback;
}

function str(p: ContextProblems, ctx: Record<string, unknown>, key: string): string | undefined {
  const v = ctx[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') return p.fail(key, 'a string', v);
  return v;
}

function list(p: ContextProblems, ctx: Record<string, unknown>, key: string): string[] {
  const v = ctx[key];
  if (v === undefined || v === '') return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  p.fail(key, 'a comma-separated list', v);
  return [];
}

/** A severity's route from its four context keys (`<severity>Emails`, …), or undefined when none is set. */
function alertRoute(
  p: ContextProblems,
  ctx: Record<string, unknown>,
  severity: 'page' | 'warning',
): McpAlertRoute | undefined {
  const emails = list(p, ctx, `${severity}Emails`);
  for (const e of emails) if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) p.fail(`${severity}Emails`, 'email addresses', e);
  const httpsEndpoints = list(p, ctx, `${severity}HttpsEndpoints`);
  for (const u of httpsEndpoints)
    if (!/^https:\/\/[^\s/?#]+\S*$/.test(u)) p.fail(`${severity}HttpsEndpoints`, 'https:// URLs', u);
  const slackChannels = list(p, ctx, `${severity}SlackChannels`).flatMap((v) => {
    const m = /^([A-Z0-9]+)\/([A-Z0-9]+)$/.exec(v);
    if (!m)
      return p.fail(`${severity}SlackChannels`, 'workspaceId/channelId pairs such as T0123ABCD/C0123ABCD', v) ?? [];
    return [{ workspaceId: m[1], channelId: m[2] }];
  });
  const teamsChannels = list(p, ctx, `${severity}TeamsChannels`).flatMap((v) => {
    const m = /^([0-9a-fA-F-]{36})\/([0-9a-fA-F-]{36})\/(\S+)$/.exec(v);
    if (!m)
      return (
        p.fail(`${severity}TeamsChannels`, 'teamId/tenantId/channelId triples (two GUIDs and the channel id)', v) ?? []
      );
    return [{ teamId: m[1], tenantId: m[2], channelId: m[3] }];
  });
  if (emails.length + httpsEndpoints.length + slackChannels.length + teamsChannels.length === 0) return undefined;
  return { emails, httpsEndpoints, slackChannels, teamsChannels };
}

/** A JSON list given as a list (cdk.json) or as a string (`-c key=[...]`). */
function jsonList(p: ContextProblems, ctx: Record<string, unknown>, key: string): unknown[] | undefined {
  const v = ctx[key];
  if (v === undefined || v === '') return undefined;
  let parsed: unknown = v;
  if (typeof v === 'string') {
    try {
      parsed = JSON.parse(v);
    } catch {
      return p.fail(key, 'a JSON list', v);
    }
  }
  if (!Array.isArray(parsed)) return p.fail(key, 'a JSON list', v);
  return parsed;
}

/**
 * Reads the app's settings from a context object. `keys` are the context keys the caller may see (the
 * app passes every key it finds); a key that looks like ours but is misspelt is reported. Every bad value
 * is reported, together, in one error.
 */
export function parseAppConfig(ctx: Record<string, unknown>): AppConfig {
  const p = new ContextProblems();
  for (const key of Object.keys(ctx)) {
    if (key.includes(':') || key.startsWith('aws:') || key.startsWith('@')) continue; // feature flags, CDK's own keys
    if (!KNOWN.has(key)) {
      throw new Error(`context ${key}: unknown setting. Known settings: ${[...KNOWN].join(', ')}`);
    }
  }
  let account = str(p, ctx, 'account') ?? '111111111111';
  if (!/^\d{12}$/.test(account)) {
    p.fail('account', 'a 12-digit AWS account id', account);
    account = '111111111111';
  }
  let region = str(p, ctx, 'region') ?? 'eu-west-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    p.fail('region', 'an AWS region such as eu-west-1', region);
    region = 'eu-west-1';
  }
  const stackName = str(p, ctx, 'stackName') ?? 'McpOps';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName))
    p.fail(
      'stackName',
      'a CloudFormation stack name (a letter, then letters, digits, hyphens; at most 128)',
      stackName,
    );
  const serviceName = str(p, ctx, 'serviceName') ?? 'mcp-server';
  if (!isServiceName(serviceName)) p.fail('serviceName', SERVICE_NAME_RULE, serviceName);
  const alarmEmails = list(p, ctx, 'alarmEmails');
  const pageRoute = alertRoute(p, ctx, 'page');
  const warningRoute = alertRoute(p, ctx, 'warning');
  for (const e of alarmEmails) if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) p.fail('alarmEmails', 'email addresses', e);
  const named = list(p, ctx, 'availabilityZoneNames');
  for (const z of named) {
    const problem = zoneNameProblem('availabilityZoneNames', z, region);
    if (problem) p.fail('availabilityZoneNames', `zones of ${region} such as ${region}a`, z);
  }
  if (new Set(named).size !== named.length) p.fail('availabilityZoneNames', 'distinct zones', named.join(','));
  const availabilityZoneNames =
    named.length > 0
      ? named
      : 'abc'
          .split('')
          .slice(0, ASSUMABLE_ZONES)
          .map((letter) => `${region}${letter}`);
  const taskCpu = num(p, ctx, 'taskCpu', true);
  const taskMemoryMiB = num(p, ctx, 'taskMemoryMiB', true);
  const baselineRps = num(p, ctx, 'baselineRps');
  const peakSchedule = jsonList(p, ctx, 'peakSchedule') as CapacityInput['schedule'];
  const databaseInstanceClass = str(p, ctx, 'databaseInstanceClass');
  if (databaseInstanceClass !== undefined && !/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(databaseInstanceClass))
    p.fail('databaseInstanceClass', 'an RDS instance class such as db.m7g.xlarge', databaseInstanceClass);
  const cacheNodeType = str(p, ctx, 'cacheNodeType');
  if (cacheNodeType !== undefined && !/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(cacheNodeType))
    p.fail('cacheNodeType', 'an ElastiCache node type such as cache.m7g.large', cacheNodeType);
  const databasePoolSize = num(p, ctx, 'databasePoolSize', true);
  if (databasePoolSize !== undefined && !(databasePoolSize >= 1 && databasePoolSize <= 1000))
    p.fail('databasePoolSize', 'a whole number from 1 to 1000', databasePoolSize);
  const databasePoolMaxOverflow = num(p, ctx, 'databasePoolMaxOverflow', true);
  if (databasePoolMaxOverflow !== undefined && !(databasePoolMaxOverflow >= 0 && databasePoolMaxOverflow <= 1000))
    p.fail('databasePoolMaxOverflow', 'a whole number from 0 to 1000', databasePoolMaxOverflow);
  const vpcEndpoints = bool(p, ctx, 'vpcEndpoints', false);
  const azCount = num(p, ctx, 'availabilityZones', true) ?? 2;
  if (azCount < 2) p.fail('availabilityZones', 'at least 2 (the load balancer needs two zones)', azCount);
  else if (azCount > availabilityZoneNames.length)
    p.fail(
      'availabilityZones',
      named.length > 0
        ? `at most the ${availabilityZoneNames.length} zones named in availabilityZoneNames`
        : `at most ${ASSUMABLE_ZONES} without availabilityZoneNames (every Region has at least three zones; name more with -c availabilityZoneNames=…)`,
      azCount,
    );
  const certificateArn = str(p, ctx, 'certificateArn');
  if (certificateArn !== undefined) {
    // eslint-disable-next-line @cdklabs/no-literal-partition -- a pattern accepting every partition
    const m = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[A-Za-z0-9-]+$/.exec(certificateArn);
    if (!m)
      p.fail(
        'certificateArn',
        'an ACM certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<id>)',
        certificateArn,
      );
    else if (m[1] !== region)
      p.fail('certificateArn', `a certificate in region ${region} (the load balancer's region)`, certificateArn);
    else if (m[2] !== account) p.fail('certificateArn', `a certificate of account ${account}`, certificateArn);
  }
  const domainName = str(p, ctx, 'domainName');
  if (domainName !== undefined && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName))
    p.fail('domainName', 'a lowercase DNS name such as mcp.example.com', domainName);
  const runbookBaseUrl = str(p, ctx, 'runbookBaseUrl');
  if (runbookBaseUrl !== undefined && !/^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(runbookBaseUrl))
    p.fail('runbookBaseUrl', 'an https:// URL without query or fragment', runbookBaseUrl);
  const allowedOrigins = list(p, ctx, 'allowedOrigins');
  for (const o of allowedOrigins)
    if (originProblem('allowedOrigins', o))
      p.fail('allowedOrigins', 'origins like https://app.example.com (scheme, host, optional port; no path, no *)', o);
  const meanStreamDurationSeconds = num(p, ctx, 'meanStreamDurationSeconds');
  const capacity: CapacityInput = {
    peakRps: num(p, ctx, 'peakRps') ?? 1000,
    meanLatencyMs: num(p, ctx, 'meanLatencyMs') ?? 100,
    p99LatencyMs: num(p, ctx, 'p99LatencyMs') ?? 1000,
    cpuSecondsPerRequest: num(p, ctx, 'cpuSecondsPerRequest') ?? 0.01,
    memoryPerConnectionMiB: num(p, ctx, 'memoryPerConnectionMiB') ?? 10,
    streamOpensPerSecond: num(p, ctx, 'streamOpensPerSecond') ?? 0,
    // Given only when set: the model's default is the same, and McpService warns when it is set without streams.
    ...(meanStreamDurationSeconds !== undefined ? { meanStreamDurationSeconds } : {}),
    headroom: num(p, ctx, 'headroom') ?? 0.5,
    availabilityZones: azCount,
    survivesAzLoss: bool(p, ctx, 'survivesAzLoss', false),
    ...(taskCpu !== undefined ? { taskCpu } : {}),
    ...(taskMemoryMiB !== undefined ? { taskMemoryMiB } : {}),
    ...(baselineRps !== undefined ? { baselineRps } : {}),
    ...(peakSchedule !== undefined ? { schedule: peakSchedule } : {}),
  };
  const dataTier = bool(p, ctx, 'dataTier', true);
  const deletionProtection = bool(p, ctx, 'deletionProtection', true);
  const security = parseSecurityConfig(p, ctx);
  const recovery = p.capture(() => parseRecoveryConfig(ctx, stackName, region));
  const compliance = parseCompliance(p, ctx);
  p.throwIfAny();
  return {
    account,
    region,
    stackName,
    serviceName,
    capacity,
    certificateArn,
    domainName,
    availabilityZoneNames,
    alarmEmails,
    ...(pageRoute ? { pageRoute } : {}),
    ...(warningRoute ? { warningRoute } : {}),
    runbookBaseUrl,
    allowedOrigins,
    dataTier,
    ...(databaseInstanceClass !== undefined ? { databaseInstanceClass } : {}),
    ...(cacheNodeType !== undefined ? { cacheNodeType } : {}),
    ...(databasePoolSize !== undefined ? { databasePoolSize } : {}),
    ...(databasePoolMaxOverflow !== undefined ? { databasePoolMaxOverflow } : {}),
    vpcEndpoints,
    deletionProtection,
    security,
    recovery: recovery!,
    compliance,
  };
}

/** The compliance packs, each named once, in {@link COMPLIANCE_PACKS} order (the order they report in). */
function parseCompliance(p: ContextProblems, ctx: Record<string, unknown>): CompliancePack[] {
  const named = list(p, ctx, 'compliance').map((n) => n.toLowerCase());
  for (const n of named)
    if (!(COMPLIANCE_PACKS as readonly string[]).includes(n))
      p.fail('compliance', `a comma-separated list of ${COMPLIANCE_PACKS.join(', ')}`, n);
  return COMPLIANCE_PACKS.filter((pack) => named.includes(pack));
}

/** The keys of the issuer form of authorization (any one of them selects it; the first two are required). */
export const ISSUER_KEYS = [
  'authIssuerUrl',
  'authJwksUrl',
  'authAudience',
  'authRequiredScopes',
  'authAdminScope',
  'authTokenUrl',
  'authProbeClientId',
  'authProbeClientSecretArn',
] as const;

function httpsUrl(p: ContextProblems, ctx: Record<string, unknown>, key: string): string | undefined {
  const v = str(p, ctx, key);
  if (v !== undefined && !/^https:\/\/[^\s/?#@]+(\/[^\s]*)?$/.test(v)) p.fail(key, 'an https:// URL', v);
  return v;
}

/** The security settings: exposure, authorization (Cognito by default), web ACL. */
function parseSecurityConfig(p: ContextProblems, ctx: Record<string, unknown>): SecurityConfig {
  const anonymous = bool(p, ctx, 'allowAnonymousMcp', false);
  const issuerKeysSet = ISSUER_KEYS.filter((k) => ctx[k] !== undefined && ctx[k] !== '');
  if (anonymous && issuerKeysSet.length > 0)
    p.fail(
      'allowAnonymousMcp',
      `false when issuer settings are given (${issuerKeysSet.join(', ')})`,
      ctx.allowAnonymousMcp,
    );
  const issuerUrl = httpsUrl(p, ctx, 'authIssuerUrl');
  const jwksUrl = httpsUrl(p, ctx, 'authJwksUrl');
  if (issuerKeysSet.length > 0 && (issuerUrl === undefined || jwksUrl === undefined))
    p.fail(
      issuerUrl === undefined ? 'authIssuerUrl' : 'authJwksUrl',
      'set with the other issuer settings (authIssuerUrl and authJwksUrl are both required)',
      undefined,
    );
  const secretArn = str(p, ctx, 'authProbeClientSecretArn');
  if (secretArn !== undefined && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(secretArn))
    p.fail(
      'authProbeClientSecretArn',
      'a Secrets Manager secret ARN (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>)',
      secretArn,
    );
  const internetFacing =
    ctx.internetFacing === undefined || ctx.internetFacing === '' ? undefined : bool(p, ctx, 'internetFacing', false);
  const rate = (key: string) => {
    const n = num(p, ctx, key, true);
    if (n !== undefined && (n < 10 || n > 2_000_000_000)) p.fail(key, 'a whole number from 10 to 2000000000', n);
    return n;
  };
  return {
    hostedZoneId: str(p, ctx, 'hostedZoneId'),
    hostedZoneName: str(p, ctx, 'hostedZoneName'),
    internetFacing,
    allowPlaintextInternetListener: bool(p, ctx, 'allowPlaintextInternetListener', false),
    allowAllOutbound: bool(p, ctx, 'allowAllOutbound', false),
    auth: anonymous ? 'anonymous' : issuerUrl ? 'issuer' : 'cognito',
    issuer:
      issuerUrl && jwksUrl
        ? {
            issuerUrl,
            jwksUrl,
            audience: str(p, ctx, 'authAudience'),
            requiredScopes: list(p, ctx, 'authRequiredScopes'),
            adminScope: str(p, ctx, 'authAdminScope'),
            tokenUrl: httpsUrl(p, ctx, 'authTokenUrl'),
            probeClientId: str(p, ctx, 'authProbeClientId'),
            probeClientSecretArn: secretArn,
          }
        : undefined,
    cognito: { callbackUrls: list(p, ctx, 'authCallbackUrls'), domainPrefix: str(p, ctx, 'authDomainPrefix') },
    waf: bool(p, ctx, 'waf', true),
    wafRateLimitPerIp: rate('wafRateLimitPerIp'),
    wafToolsCallRateLimit: rate('wafToolsCallRateLimit'),
    wafRateLimitHeader: str(p, ctx, 'wafRateLimitHeader')?.toLowerCase(),
    wafAllowedCidrs: list(p, ctx, 'wafAllowedCidrs'),
    wafAllowedCountries: list(p, ctx, 'wafAllowedCountries').map((c) => c.toUpperCase()),
  };
}
