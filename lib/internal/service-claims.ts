import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The constructs that are "of a service": at most one of each per service name and environment. */
export type ServiceConstructKind =
  'McpService' | 'McpMonitoring' | 'McpLogging' | 'McpBackup' | 'McpDisasterRecovery' | 'McpProbe';

/** What two constructs of one kind with the same service name share, for the error message. */
const SHARED: Record<ServiceConstructKind, string> = {
  McpService:
    'its log groups, alarms and dashboard, and the McpOps metrics the containers publish with dimension service',
  McpMonitoring:
    'alarm and dashboard names in one stack, and in one account and region the McpOps metrics (dimension service) every alarm watches',
  McpLogging:
    'log group and Firehose stream names in one stack, and in one account and region the McpOps metrics its metric filters publish (dimension service)',
  McpBackup:
    'the manual RDS snapshots named mcpops-<serviceName>-db-…, which each backup Lambda prunes as its own, and the McpOps backup metrics',
  McpDisasterRecovery:
    'the state machine name in one stack, and in one account and region the restored resources <serviceName>-dr-<hash of the execution name> and the McpOps recovery metrics',
  McpProbe: 'the McpOps ProbeSuccess and ProbeLatencyMs metrics (dimension service)',
};

// One registry per app (construct tree root): a claim is forgotten with the app.
const registries = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Where a construct's service name could collide: its account and region when the stack's are concrete
 * (CloudWatch metrics, snapshot names and restored resources are per account and region), else its stack
 * (an environment-agnostic stack may be deployed anywhere; only within the stack is a clash certain).
 */
function scopeOf(construct: IConstruct): { key: string; words: string } {
  const stack = Stack.of(construct);
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    return { key: `stack:${stack.node.path}`, words: `the same stack ${stack.node.path}` };
  }
  return { key: `env:${stack.account}/${stack.region}`, words: `account ${stack.account}, region ${stack.region}` };
}

/**
 * Registers `construct` as the `kind` of service `serviceName` and returns undefined, or, when another
 * construct of that kind already claimed the name in the same account and region (or stack), a message
 * naming both construct paths and what they would share.
 */
export function claimServiceName(
  construct: IConstruct,
  kind: ServiceConstructKind,
  serviceName: string,
): string | undefined {
  const root = construct.node.root;
  let registry = registries.get(root);
  if (!registry) {
    registry = new Map();
    registries.set(root, registry);
  }
  const scope = scopeOf(construct);
  const key = `${kind}|${scope.key}|${serviceName}`;
  const earlier = registry.get(key);
  if (earlier !== undefined && earlier !== construct.node.path) {
    return (
      `serviceName ${JSON.stringify(serviceName)} is already used by the ${kind} at ${earlier} (${scope.words}); ` +
      `two of them with one name would share ${SHARED[kind]}. Give each service its own serviceName`
    );
  }
  registry.set(key, construct.node.path);
  return undefined;
}
