/**
 * Alarm names, runbook links and alarm descriptions. Pure: no CDK imports.
 */
import { checkThat } from '../internal/validate';

/** The runbook of each alarm family, a file under `docs/runbooks/`. */
export const RUNBOOKS = {
  highErrorRate: 'high-error-rate',
  highLatency: 'high-latency',
  saturation: 'saturation',
  trafficAnomaly: 'traffic-anomaly',
  probeFailing: 'probe-failing',
  databaseSaturation: 'database-saturation',
  connectionErrors: 'connection-errors',
  cacheSaturation: 'cache-saturation',
  memoryLeaks: 'memory-leaks',
} as const;

/** One of the runbook file names (without `.md`). */
export type RunbookName = (typeof RUNBOOKS)[keyof typeof RUNBOOKS];

/**
 * Where the runbooks live when `runbookBaseUrl` is not given: a placeholder for this package's
 * `docs/runbooks` folder on GitHub. Set `runbookBaseUrl` to where your copy is published.
 */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/example-org/mcp-ops-cdk/blob/main/docs/runbooks';

/** Checks a runbook base URL (https, no query or fragment) and removes trailing slashes. */
export function normaliseRunbookBaseUrl(url: string, owner = 'McpMonitoring'): string {
  checkThat(
    owner,
    /^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(url),
    `runbookBaseUrl must be an https:// URL without query or fragment (the runbook file name is appended), got ${JSON.stringify(url)}`,
  );
  return url.replace(/\/+$/, '');
}

/** Link to one runbook. */
export function runbookUrl(baseUrl: string, runbook: RunbookName): string {
  return `${baseUrl}/${runbook}.md`;
}

/** `<prefix>-<alarmId>`: deterministic, independent of any resource attribute (see deployment alarms). */
export function alarmName(prefix: string, alarmId: string): string {
  return `${prefix}-${alarmId}`;
}

/** A dashboard name may only hold A–Z, a–z, 0–9, `-` and `_` (≤ 255 characters). */
export function sanitiseDashboardName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 255);
}

/** What an alarm description says. */
export interface AlarmText {
  /** Service name. */
  readonly service: string;
  /** What is wrong, e.g. "p99 response time is high". */
  readonly summary: string;
  /** The threshold in words, with its derivation and evaluation. */
  readonly threshold: string;
  /** Critical alarms page (through the composite) and may roll back deployments; warnings notify. */
  readonly severity: 'critical' | 'warning';
  /** Extra sentence, e.g. which deployment behaviour applies. */
  readonly note?: string;
  readonly runbookUrl: string;
}

/** CloudWatch allows 1024 characters in an alarm description. */
export const MAX_ALARM_DESCRIPTION = 1024;

/** `[critical] orders-mcp: p99 response time is high. Threshold: …. Runbook: https://…` */
export function alarmDescription(t: AlarmText): string {
  const parts = [`[${t.severity}] ${t.service}: ${t.summary}.`, `Threshold: ${t.threshold}.`];
  if (t.note) parts.push(t.note);
  const runbook = `Runbook: ${t.runbookUrl}`;
  let text = `${parts.join(' ')} ${runbook}`;
  if (text.length > MAX_ALARM_DESCRIPTION) {
    // Keep the runbook link whole: shorten the middle.
    const head = parts.join(' ').slice(0, MAX_ALARM_DESCRIPTION - runbook.length - 2);
    text = `${head}… ${runbook}`;
  }
  return text;
}
