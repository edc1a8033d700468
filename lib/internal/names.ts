/**
 * The physical names this package fixes, in one place. Pure: no CDK imports.
 *
 * A name is fixed only where something must know it before the resource exists: the log groups (the
 * key policy names them, and CloudWatch Logs encrypts with the key at creation), the alarms (deployment
 * alarms are listed by name, or the service would depend on them), the state machine (its Lambda needs
 * the ARN, and the state machine needs the Lambda), the Firehose streams and dashboard (readability on
 * the console; alarms refer to them). Every fixed name holds the stack name, which CloudFormation keeps
 * unique per account and region, so two stacks never collide, and the service name, so two services in
 * one stack never do (see service-claims.ts). Everything else is named by CloudFormation.
 */

/** Limits of the names, characters. */
export const NAME_LIMITS = {
  /** CloudWatch Logs log group names. */
  logGroup: 512,
  /** Amazon Data Firehose stream names. */
  firehoseStream: 64,
  /** CloudWatch alarm names. */
  alarm: 255,
  /** CloudWatch dashboard names. */
  dashboard: 255,
  /** Step Functions state machine names. */
  stateMachine: 80,
  /** CloudWatch Logs Insights query definition names. */
  queryDefinition: 255,
} as const;

/** Sources of the limits, for the error messages and docs. */
export const NAME_LIMIT_SOURCES: Record<keyof typeof NAME_LIMITS, string> = {
  logGroup: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
  firehoseStream: 'https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html',
  alarm: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html',
  dashboard: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html',
  stateMachine: 'https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html',
  queryDefinition: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutQueryDefinition.html',
};

/** The log group names of a service's log pipeline: `/mcp/<stack>/<service>/<kind>`. */
export function logGroupName(
  stackName: string,
  serviceName: string,
  kind: 'application' | 'audit' | 'log-delivery',
): string {
  return `/mcp/${stackName}/${serviceName}/${kind}`;
}

/** The Firehose stream names: `<stack>-<service>-logs` and `<stack>-<service>-audit`. */
export function firehoseStreamName(stackName: string, serviceName: string, kind: 'logs' | 'audit'): string {
  return `${stackName}-${serviceName}-${kind}`;
}

/** The dashboard of a service: `<stack>-<service>` (characters outside [A-Za-z0-9_-] are replaced by the caller). */
export function dashboardName(stackName: string, serviceName: string): string {
  return `${stackName}-${serviceName}`;
}

/** The state machine of the disaster-recovery workflow: `<stack>-<service>-disaster-recovery`. */
export function stateMachineName(stackName: string, serviceName: string): string {
  return `${stackName}-${serviceName}-disaster-recovery`;
}

/** A saved Logs Insights query: `mcp/<stack>/<service>/<title>`. */
export function queryDefinitionName(stackName: string, serviceName: string, title: string): string {
  return `mcp/${stackName}/${serviceName}/${title}`;
}

/**
 * Why `name` is too long for `kind`, or undefined. Names that contain an unresolved token (a stack name
 * given as a token) cannot be measured and are skipped.
 */
export function nameLengthProblem(kind: keyof typeof NAME_LIMITS, what: string, name: string): string | undefined {
  if (name.includes('${Token[')) return undefined;
  const limit = NAME_LIMITS[kind];
  if (name.length <= limit) return undefined;
  return (
    `${what} ${JSON.stringify(name)} (from the stack name and serviceName) is ${name.length} characters, ` +
    `more than the ${limit} AWS allows (${NAME_LIMIT_SOURCES[kind]}); use a shorter stack name or serviceName`
  );
}
