/**
 * The one rule for a service name, shared by every construct, the default app's context parser and the
 * backup Lambda's environment parser. Pure: no CDK imports.
 *
 * The name ends up in places with different rules, and the strictest decides:
 * - the disaster-recovery workflow restores ElastiCache replication groups named `<service>-dr-<7-char hash>`,
 *   and ElastiCache allows 40 characters, lowercase letters, digits and single hyphens, starting with a letter
 *   and not ending in a hyphen; RDS instance identifiers (63) follow the same character rules;
 * - RDS snapshot identifiers `mcpops-<service>-db-<backup id>` (letters, digits, single hyphens);
 * - the `service` metric dimension, log group names, Firehose stream and alarm names (all wider).
 * 20 characters leave the DR prefix, `<service>-dr-`, and the hash room inside ElastiCache's 40.
 */

/** Longest service name. */
export const SERVICE_NAME_MAX_LENGTH = 20;

/** 1–20 characters: lowercase letters, digits and single hyphens, starting with a letter, not ending with a hyphen. */
export const SERVICE_NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,19}$/;

/** What the rule allows, in words, for error messages. */
export const SERVICE_NAME_RULE =
  '1–20 characters of lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen';

/** Whether `name` follows the service-name rule. */
export function isServiceName(name: unknown): name is string {
  return typeof name === 'string' && SERVICE_NAME_PATTERN.test(name);
}

/**
 * Why `name` breaks the rule (`serviceName must be …, got "…"`), or undefined when it follows it. The
 * message explains the limit, so that a user who meets it in one construct knows it holds for all.
 */
export function serviceNameProblem(name: unknown, prop = 'serviceName'): string | undefined {
  if (isServiceName(name)) return undefined;
  const why =
    typeof name === 'string' && name.length > SERVICE_NAME_MAX_LENGTH
      ? ` (${name.length} characters; the disaster-recovery workflow names restored caches <serviceName>-dr-<hash>, and ElastiCache allows 40)`
      : '';
  const shown = typeof name === 'string' ? JSON.stringify(name) : String(name);
  return `${prop} must be ${SERVICE_NAME_RULE}, got ${shown}${why}`;
}
