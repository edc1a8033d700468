import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';

const LOG_KEY_ID = 'McpOpsLogKey';

/**
 * The stack's KMS key for the log groups mcp-ops creates with generated names (each Lambda's, the VPC flow
 * logs, the restore state machine's): one per stack, created on first use, rotated yearly, retained on
 * deletion (encrypted log data stays readable). CloudWatch Logs may use it only for log groups of this
 * account and Region (`kms:EncryptionContext:aws:logs:arn`): the documented key policy for encrypting log
 * groups, whose ArnLike form admits log groups not yet created, as generated names are.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function stackLogKey(scope: IConstruct): kms.IKey {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LOG_KEY_ID);
  if (existing) return existing as kms.Key;
  const key = new kms.Key(stack, LOG_KEY_ID, {
    description: `mcp-ops: log groups of stack ${stack.stackName}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsEncryptStackLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
  );
  return key;
}
