import { CfnResource, CustomResourceProviderBase, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeCompliance } from './compliance';
import { stackLogKey } from './log-key';

/**
 * aws-cdk-lib's own custom-resource handlers (singletons at the stack's root) come with a role holding the
 * `AWSLambdaBasicExecutionRole` managed policy: `logs:CreateLogGroup`, `CreateLogStream` and `PutLogEvents`
 * on every log group of the account. The functions below give such a handler what each mcp-ops function has
 * (McpOpsFunction): a log group of its own, encrypted with the stack's log key (retention: the creating
 * construct's `functionLogRetention`, default one year), set as
 * the function's log destination (`LoggingConfig.LogGroup`), and a role that may write only that group.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html (an existing log group)
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-function-loggingconfig.html
 */

/** Id of the log group added under a handler's construct; its presence marks the handler as done. */
const LOG_GROUP_ID = 'LogGroup';

/** aws-cdk-lib's provider of `restrictDefaultSecurityGroup` (every `new ec2.Vpc` under the current flags). */
export const RESTRICT_DEFAULT_SG_PROVIDER_ID = 'Custom::VpcRestrictDefaultSGCustomResourceProvider';
/** aws-cdk-lib's handler of `s3.Bucket.addEventNotification`. */
export const BUCKET_NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

function ownLogGroup(handler: Construct, retention: logs.RetentionDays | undefined): logs.LogGroup {
  return new logs.LogGroup(handler, LOG_GROUP_ID, {
    retention: retention ?? logs.RetentionDays.ONE_YEAR,
    encryptionKey: stackLogKey(handler),
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

function childOfType(scope: IConstruct, id: string, type: string): CfnResource {
  const child = scope.node.tryFindChild(id);
  if (!(child instanceof CfnResource) || child.cfnResourceType !== type)
    throw new Error(
      `mcp-ops: internal: ${scope.node.path}/${id} is not the ${type} this version expects (aws-cdk-lib changed)`,
    );
  return child;
}

/**
 * The VPC default-security-group handler of the stack (created by `new ec2.Vpc`), when there is one: its own
 * KMS-encrypted log group and no managed policy. Idempotent; does nothing when the stack has no such handler.
 */
export function ownLogGroupForRestrictDefaultSg(scope: IConstruct, retention?: logs.RetentionDays): void {
  const provider = Stack.of(scope).node.tryFindChild(RESTRICT_DEFAULT_SG_PROVIDER_ID);
  if (!provider || provider.node.tryFindChild(LOG_GROUP_ID)) return;
  if (!(provider instanceof CustomResourceProviderBase))
    throw new Error(
      `mcp-ops: internal: ${provider.node.path} is not the custom-resource provider this version expects (aws-cdk-lib changed)`,
    );
  const role = childOfType(provider, 'Role', 'AWS::IAM::Role');
  const handler = childOfType(provider, 'Handler', 'AWS::Lambda::Function');
  const logGroup = ownLogGroup(provider, retention);
  role.addPropertyDeletionOverride('ManagedPolicyArns');
  // The provider renders its inline policy lazily, so this statement joins its ec2 statements.
  provider.addToRolePolicy({
    Sid: 'OwnLogGroup',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: logGroup.logGroupArn,
  });
  handler.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
}

/**
 * The bucket-notifications handler of the stack (created by `addEventNotification`), when there is one: its
 * own KMS-encrypted log group and no managed policy. Idempotent; does nothing when the stack has none.
 */
export function ownLogGroupForBucketNotifications(scope: IConstruct, retention?: logs.RetentionDays): void {
  const handlerScope = Stack.of(scope).node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER_ID);
  if (!handlerScope || handlerScope.node.tryFindChild(LOG_GROUP_ID)) return;
  const role = handlerScope.node.tryFindChild('Role');
  if (!(role instanceof iam.Role))
    throw new Error(
      `mcp-ops: internal: ${handlerScope.node.path}/Role is not the iam.Role this version expects (aws-cdk-lib changed)`,
    );
  const handler = childOfType(handlerScope, 'Resource', 'AWS::Lambda::Function');
  const logGroup = ownLogGroup(handlerScope as Construct, retention);
  // Replaces the L2 role's lazy list of managed policies (so the template and cdk-nag both see none).
  (role.node.defaultChild as iam.CfnRole).managedPolicyArns = undefined;
  logGroup.grantWrite(role);
  acknowledgeCompliance(role, {
    IAMNoInlinePolicy:
      "The policy of aws-cdk-lib's bucket-notifications handler's own role: s3:PutBucketNotification and its log group, attached to this one role and deleted with it",
  });
  handler.addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
}
