/**
 * Configuration of the default app, read from CDK context (`cdk.json` "context", or `-c key=value` on the
 * command line, where every value arrives as a string). Pure: no CDK imports.
 */
import { CapacityInput } from '../capacity/types';
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
  readonly deletionProtection: boolean;
  /** Disaster recovery: recovery Region, DNS record, post-recovery state (lib/app/recovery-config.ts). */
  readonly recovery: RecoveryConfig;
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
    description: 'service name (metric dimension, resource names)',
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
    description: 'ACM certificate ARN for HTTPS',
    default: 'none: HTTP with a synth warning',
  },
  {
    key: 'domainName',
    kind: 'string',
    description: 'public DNS name the certificate covers (used by the synthetic probe)',
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
    key: 'deletionProtection',
    kind: 'boolean',
    description: 'deletion protection on the load balancer and database',
    default: 'true',
  },
  ...RECOVERY_CONTEXT_KEYS,
];

const KNOWN = new Set(CONTEXT_KEYS.map((k) => k.key));

function fail(key: string, expected: string, value: unknown): never {
  throw new Error(
    `context ${key}: expected ${expected}, got ${JSON.stringify(value)} (set it in cdk.json "context" or with -c ${key}=...)`,
  );
}

function num(ctx: Record<string, unknown>, key: string, integer = false): number | undefined {
  const v = ctx[key];
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) fail(key, integer ? 'a whole number' : 'a number', v);
  return n;
}

function bool(ctx: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = ctx[key];
  if (v === undefined || v === '') return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return fail(key, 'true or false', v);
}

function str(ctx: Record<string, unknown>, key: string): string | undefined {
  const v = ctx[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') fail(key, 'a string', v);
  return v;
}

function list(ctx: Record<string, unknown>, key: string): string[] {
  const v = ctx[key];
  if (v === undefined || v === '') return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return fail(key, 'a comma-separated list', v);
}

/** A severity's route from its four context keys (`<severity>Emails`, …), or undefined when none is set. */
function alertRoute(ctx: Record<string, unknown>, severity: 'page' | 'warning'): McpAlertRoute | undefined {
  const emails = list(ctx, `${severity}Emails`);
  for (const e of emails) if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) fail(`${severity}Emails`, 'email addresses', e);
  const httpsEndpoints = list(ctx, `${severity}HttpsEndpoints`);
  for (const u of httpsEndpoints)
    if (!/^https:\/\/[^\s/?#]+\S*$/.test(u)) fail(`${severity}HttpsEndpoints`, 'https:// URLs', u);
  const slackChannels = list(ctx, `${severity}SlackChannels`).map((v) => {
    const m = /^([A-Z0-9]+)\/([A-Z0-9]+)$/.exec(v);
    if (!m) fail(`${severity}SlackChannels`, 'workspaceId/channelId pairs such as T0123ABCD/C0123ABCD', v);
    return { workspaceId: m[1], channelId: m[2] };
  });
  const teamsChannels = list(ctx, `${severity}TeamsChannels`).map((v) => {
    const m = /^([0-9a-fA-F-]{36})\/([0-9a-fA-F-]{36})\/(\S+)$/.exec(v);
    if (!m) fail(`${severity}TeamsChannels`, 'teamId/tenantId/channelId triples (two GUIDs and the channel id)', v);
    return { teamId: m[1], tenantId: m[2], channelId: m[3] };
  });
  if (emails.length + httpsEndpoints.length + slackChannels.length + teamsChannels.length === 0) return undefined;
  return { emails, httpsEndpoints, slackChannels, teamsChannels };
}

/** A JSON list given as a list (cdk.json) or as a string (`-c key=[...]`). */
function jsonList(ctx: Record<string, unknown>, key: string): unknown[] | undefined {
  const v = ctx[key];
  if (v === undefined || v === '') return undefined;
  let parsed: unknown = v;
  if (typeof v === 'string') {
    try {
      parsed = JSON.parse(v);
    } catch {
      return fail(key, 'a JSON list', v);
    }
  }
  if (!Array.isArray(parsed)) return fail(key, 'a JSON list', v);
  return parsed;
}

/**
 * Reads the app's settings from a context object. `keys` are the context keys the caller may see (the
 * app passes every key it finds); a key that looks like ours but is misspelt is reported.
 */
export function parseAppConfig(ctx: Record<string, unknown>): AppConfig {
  for (const key of Object.keys(ctx)) {
    if (key.includes(':') || key.startsWith('aws:') || key.startsWith('@')) continue; // feature flags, CDK's own keys
    if (!KNOWN.has(key)) {
      throw new Error(`context ${key}: unknown setting. Known settings: ${[...KNOWN].join(', ')}`);
    }
  }
  const account = str(ctx, 'account') ?? '111111111111';
  if (!/^\d{12}$/.test(account)) fail('account', 'a 12-digit AWS account id', account);
  const region = str(ctx, 'region') ?? 'eu-west-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) fail('region', 'an AWS region such as eu-west-1', region);
  const stackName = str(ctx, 'stackName') ?? 'McpOps';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName))
    fail('stackName', 'a CloudFormation stack name (letters, digits, hyphens)', stackName);
  const alarmEmails = list(ctx, 'alarmEmails');
  const pageRoute = alertRoute(ctx, 'page');
  const warningRoute = alertRoute(ctx, 'warning');
  for (const e of alarmEmails) if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) fail('alarmEmails', 'email addresses', e);
  const availabilityZoneNames = list(ctx, 'availabilityZoneNames');
  if (availabilityZoneNames.length === 0) availabilityZoneNames.push(`${region}a`, `${region}b`, `${region}c`);
  for (const z of availabilityZoneNames)
    if (!z.startsWith(region)) fail('availabilityZoneNames', `zones of ${region}`, z);
  const taskCpu = num(ctx, 'taskCpu', true);
  const taskMemoryMiB = num(ctx, 'taskMemoryMiB', true);
  const baselineRps = num(ctx, 'baselineRps');
  const peakSchedule = jsonList(ctx, 'peakSchedule') as CapacityInput['schedule'];
  const azCount = num(ctx, 'availabilityZones', true) ?? 2;
  if (azCount > availabilityZoneNames.length)
    fail(
      'availabilityZones',
      `at most the ${availabilityZoneNames.length} zones named in availabilityZoneNames`,
      azCount,
    );
  const capacity: CapacityInput = {
    peakRps: num(ctx, 'peakRps') ?? 1000,
    meanLatencyMs: num(ctx, 'meanLatencyMs') ?? 100,
    p99LatencyMs: num(ctx, 'p99LatencyMs') ?? 1000,
    cpuSecondsPerRequest: num(ctx, 'cpuSecondsPerRequest') ?? 0.01,
    memoryPerConnectionMiB: num(ctx, 'memoryPerConnectionMiB') ?? 10,
    streamOpensPerSecond: num(ctx, 'streamOpensPerSecond') ?? 0,
    meanStreamDurationSeconds: num(ctx, 'meanStreamDurationSeconds') ?? 300,
    headroom: num(ctx, 'headroom') ?? 0.5,
    availabilityZones: azCount,
    survivesAzLoss: bool(ctx, 'survivesAzLoss', false),
    ...(taskCpu !== undefined ? { taskCpu } : {}),
    ...(taskMemoryMiB !== undefined ? { taskMemoryMiB } : {}),
    ...(baselineRps !== undefined ? { baselineRps } : {}),
    ...(peakSchedule !== undefined ? { schedule: peakSchedule } : {}),
  };
  return {
    account,
    region,
    stackName,
    serviceName: str(ctx, 'serviceName') ?? 'mcp-server',
    capacity,
    certificateArn: str(ctx, 'certificateArn'),
    domainName: str(ctx, 'domainName'),
    availabilityZoneNames,
    alarmEmails,
    ...(pageRoute ? { pageRoute } : {}),
    ...(warningRoute ? { warningRoute } : {}),
    runbookBaseUrl: str(ctx, 'runbookBaseUrl'),
    allowedOrigins: list(ctx, 'allowedOrigins'),
    dataTier: bool(ctx, 'dataTier', true),
    deletionProtection: bool(ctx, 'deletionProtection', true),
    recovery: parseRecoveryConfig(ctx, stackName, region),
  };
}
