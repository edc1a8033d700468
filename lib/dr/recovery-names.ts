/**
 * What the production and recovery stacks know of each other, by name only: no cross-Region CloudFormation
 * export. The recovery stack writes SSM parameters in the recovery Region under a path derived from the
 * production stack's name and the service name; the production stack reads them at deploy time. Pure: no CDK.
 */

/** `/mcp-ops/<production stack>/<service>/recovery`: the parameters the recovery stack writes. */
export function recoveryParameterPath(productionStackName: string, serviceName: string): string {
  return `/mcp-ops/${productionStackName}/${serviceName}/recovery`;
}

/** The parameters under {@link recoveryParameterPath}. */
export const RECOVERY_PARAMETERS = {
  /** ARN of the Object-Locked bucket the backup bucket replicates into. */
  replicaBucketArn: 'replica-bucket-arn',
  /** ARN of the recovery Region's data key (replicated backups, replicated automated backups, restored instance). */
  dataKeyArn: 'data-key-arn',
} as const;

/** Full name of one recovery parameter. */
export function recoveryParameterName(
  productionStackName: string,
  serviceName: string,
  parameter: keyof typeof RECOVERY_PARAMETERS,
): string {
  return `${recoveryParameterPath(productionStackName, serviceName)}/${RECOVERY_PARAMETERS[parameter]}`;
}

/** Alias of the recovery Region's data key: `alias/mcp-ops/<production stack>/<service>/recovery`. */
export function recoveryKeyAlias(productionStackName: string, serviceName: string): string {
  return `alias/mcp-ops/${productionStackName}/${serviceName}/recovery`;
}
