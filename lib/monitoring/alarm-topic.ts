import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledgeCompliance } from '../internal/compliance';
import { checkThat } from '../internal/validate';
import { useTestedFeatureFlags } from '../internal/feature-flags';

/** Props for {@link McpAlarmTopic}. */
export interface McpAlarmTopicProps {
  /**
   * Display name of the topic (the sender name of e-mail notifications).
   * @default 'MCP alarms'
   */
  readonly displayName?: string;
  /**
   * The KMS key that encrypts the topic. CloudWatch is granted use of it in the key's policy; an imported key's
   * policy cannot be changed, so the synth warns and the grant is yours to add.
   * @default a new customer-managed key with rotation
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The alarm topic: SNS encrypted with a customer-managed KMS key, a policy that denies any
 * request not made over TLS, and CloudWatch alarms of this account allowed to publish (and to use
 * the key, which an encrypted topic needs).
 */
export class McpAlarmTopic extends Construct {
  /** The SNS topic. */
  public readonly topic: sns.Topic;
  /** The key that encrypts it. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: McpAlarmTopicProps = {}) {
    super(scope, id);
    useTestedFeatureFlags(this);
    const stack = Stack.of(this);
    this.key =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        enableKeyRotation: true,
        description: `Encrypts the MCP alarm topic of ${stack.stackName}`,
      });
    // CloudWatch publishes alarm notifications to the encrypted topic: it must be able to use the key.
    const keyGrant = this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    if (!keyGrant.statementAdded) {
      // An imported key's policy cannot be changed here; without the grant every notification is dropped.
      Annotations.of(this).addWarningV2(
        'mcp-ops:alarmTopicKeyPolicy',
        'McpAlarmTopic: encryptionKey is an imported key whose policy this stack cannot change; allow the service principal ' +
          'cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey* on it (condition aws:SourceAccount = this account), ' +
          'or CloudWatch cannot deliver any alarm notification to the topic',
      );
    }
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName ?? 'MCP alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Subscribes e-mail addresses and HTTPS endpoints to a topic, validating each. */
export function subscribeAlarmRecipients(
  topic: sns.ITopic,
  emails: readonly string[] = [],
  httpsEndpoints: readonly string[] = [],
): void {
  for (const [i, email] of emails.entries()) {
    checkThat(
      'McpMonitoring',
      EMAIL.test(email),
      `alarmEmails[${i}] must be an e-mail address, got ${JSON.stringify(email)}`,
    );
    topic.addSubscription(new subs.EmailSubscription(email));
  }
  for (const [i, url] of httpsEndpoints.entries()) {
    checkThat(
      'McpMonitoring',
      /^https:\/\/[^\s]+$/.test(url),
      `alarmHttpsEndpoints[${i}] must be an https:// URL, got ${JSON.stringify(url)}`,
    );
    topic.addSubscription(new subs.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
  }
  if (emails.length + httpsEndpoints.length > 0)
    acknowledgeCompliance(topic, {
      SNSRedrivePolicy:
        'Alarm notifications: SNS retries each delivery under its delivery policy; a notification still undelivered after that is stale before anyone would redrive it from a queue, and the alarm stays in ALARM on the dashboard and in CloudWatch',
    });
}
