import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledgeCompliance } from '../internal/compliance';
import { checkPattern, checkThat } from '../internal/validate';
import { McpAlarmTopic } from './alarm-topic';

/** A Slack channel that receives notifications through AWS's chat integration (Amazon Q Developer in chat applications). */
export interface McpSlackChannel {
  /**
   * The Slack workspace (team) id, e.g. `T0123ABCD`. The workspace must first be authorised once in the
   * chat-applications console (an OAuth step in Slack that CloudFormation cannot do).
   */
  readonly workspaceId: string;
  /** The channel id, e.g. `C0123ABCD` (Slack: channel details, the id at the bottom). */
  readonly channelId: string;
}

/** A Microsoft Teams channel that receives notifications through AWS's chat integration. */
export interface McpTeamsChannel {
  /** The Microsoft Teams team id (a GUID). The team must first be authorised once in the chat-applications console. */
  readonly teamId: string;
  /** The Microsoft Entra tenant id (a GUID). */
  readonly tenantId: string;
  /**
   * The channel id, as Teams shows it (`19:abc…@thread.tacv2`) or URL-encoded as in the channel's link
   * (`19%3Aabc…%40thread.tacv2`); the construct encodes it, as CloudFormation expects.
   */
  readonly channelId: string;
}

/** A Teams channel id URL-encoded, the form AWS::Chatbot::MicrosoftTeamsChannelConfiguration takes. */
export function encodeTeamsChannelId(channelId: string): string {
  return /%3[aA]/.test(channelId) ? channelId : encodeURIComponent(channelId);
}

/**
 * Where the notifications of one severity go, beside the alarm topic (which keeps receiving everything):
 * e-mail, HTTPS endpoints of paging and incident tools, and chat channels.
 */
export interface McpAlertRoute {
  /**
   * E-mail addresses. Each gets a confirmation e-mail from SNS and receives nothing until it is confirmed.
   * @default none
   */
  readonly emails?: string[];
  /**
   * HTTPS endpoints of paging or incident tools (e.g. a PagerDuty, Opsgenie or incident.io CloudWatch
   * integration URL). SNS sends a `SubscriptionConfirmation` request first; these tools confirm it themselves,
   * anything else must visit its `SubscribeURL`.
   * @default none
   */
  readonly httpsEndpoints?: string[];
  /**
   * Slack channels (AWS chat integration).
   * @default none
   */
  readonly slackChannels?: McpSlackChannel[];
  /**
   * Microsoft Teams channels (AWS chat integration).
   * @default none
   */
  readonly teamsChannels?: McpTeamsChannel[];
  /**
   * Also send OK (recovery) notifications to this route's e-mail addresses. HTTPS endpoints and chat channels
   * always get both: paging tools resolve incidents on OK. When false, the e-mail subscriptions carry a filter
   * policy on the notification's `NewStateValue` that lets only ALARM through.
   * @default true
   */
  readonly emailOnOk?: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HTTPS_URL = /^https:\/\/[^\s/?#]+[^\s]*$/;
const SLACK_ID = /^[A-Z0-9]{1,255}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// CloudFormation's pattern for TeamsChannelId (URL-encoded `19:…@…`).
const TEAMS_CHANNEL = /^([a-zA-Z0-9-_=+/.,])*%3[aA]([a-zA-Z0-9-_=+/.,])*%40([a-zA-Z0-9-_=+/.,])*$/;

/** Checks a route's values; `name` is the prop, e.g. `pageRoute`. */
export function checkAlertRoute(owner: string, name: string, route: McpAlertRoute): void {
  for (const [i, email] of (route.emails ?? []).entries()) {
    checkPattern(owner, `${name}.emails[${i}]`, email, EMAIL, 'an e-mail address');
  }
  for (const [i, url] of (route.httpsEndpoints ?? []).entries()) {
    checkPattern(owner, `${name}.httpsEndpoints[${i}]`, url, HTTPS_URL, 'an https:// URL');
  }
  for (const [i, c] of (route.slackChannels ?? []).entries()) {
    checkPattern(
      owner,
      `${name}.slackChannels[${i}].workspaceId`,
      c.workspaceId,
      SLACK_ID,
      'a Slack workspace id such as T0123ABCD',
    );
    checkPattern(
      owner,
      `${name}.slackChannels[${i}].channelId`,
      c.channelId,
      SLACK_ID,
      'a Slack channel id such as C0123ABCD',
    );
  }
  for (const [i, c] of (route.teamsChannels ?? []).entries()) {
    checkPattern(owner, `${name}.teamsChannels[${i}].teamId`, c.teamId, GUID, 'a Microsoft Teams team id (a GUID)');
    checkPattern(
      owner,
      `${name}.teamsChannels[${i}].tenantId`,
      c.tenantId,
      GUID,
      'a Microsoft Entra tenant id (a GUID)',
    );
    checkThat(
      owner,
      typeof c.channelId === 'string' && TEAMS_CHANNEL.test(encodeTeamsChannelId(c.channelId)),
      `${name}.teamsChannels[${i}].channelId must be a Teams channel id such as 19:abc@thread.tacv2, got ${JSON.stringify(c.channelId)}`,
    );
  }
  const destinations =
    (route.emails?.length ?? 0) +
    (route.httpsEndpoints?.length ?? 0) +
    (route.slackChannels?.length ?? 0) +
    (route.teamsChannels?.length ?? 0);
  checkThat(owner, destinations > 0, `${name} must name at least one e-mail, HTTPS endpoint or chat channel`);
}

/** Props of {@link McpAlertRouteTopic}. */
export interface McpAlertRouteTopicProps {
  /** The route. */
  readonly route: McpAlertRoute;
  /** What the topic carries, for its display name and the chat configurations' names, e.g. `page`. */
  readonly severityName: string;
  /** Service name, for names. */
  readonly serviceName: string;
  /** Chat configuration names start with this (unique in the account), e.g. `<stack>-<service>`. */
  readonly namePrefix: string;
}

/**
 * One severity's own topic (an {@link McpAlarmTopic}: KMS-encrypted, TLS-only, CloudWatch may publish) and its
 * subscribers: e-mail (optionally ALARM only, by a filter policy), HTTPS endpoints, and Slack/Teams channels
 * through AWS's chat integration, whose role may read nothing (notifications only).
 */
export class McpAlertRouteTopic extends Construct {
  /** The route's topic. */
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: McpAlertRouteTopicProps) {
    super(scope, id);
    const { route } = props;
    this.topic = new McpAlarmTopic(this, 'Topic', {
      displayName: `MCP ${props.severityName}: ${props.serviceName}`,
    }).topic;
    const emailFilter =
      route.emailOnOk === false
        ? {
            // CloudWatch's notification body is JSON with NewStateValue (ALARM, OK, INSUFFICIENT_DATA).
            filterPolicyWithMessageBody: {
              NewStateValue: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: ['ALARM'] })),
            },
          }
        : {};
    for (const email of route.emails ?? []) this.topic.addSubscription(new subs.EmailSubscription(email, emailFilter));
    for (const url of route.httpsEndpoints ?? []) {
      this.topic.addSubscription(new subs.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
    }
    acknowledgeCompliance(this.topic, {
      SNSRedrivePolicy:
        'Pages and warnings: SNS retries each delivery under its delivery policy; one still undelivered after that is stale before anyone would redrive it, and the alert topic (alarmEmails) receives every notification too',
    });
    const channels = [
      ...(route.slackChannels ?? []).map((c) => ({ kind: 'slack' as const, c })),
      ...(route.teamsChannels ?? []).map((c) => ({ kind: 'teams' as const, c })),
    ];
    if (channels.length === 0) return;
    // The chat integration only relays notifications here: its role has no permissions, and the guardrail
    // (the most any channel member could do through it) is read-only CloudWatch.
    const role = new iam.Role(this, 'ChatRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: `AWS chat integration of the ${props.serviceName} ${props.severityName} notifications: relays only`,
    });
    const guardrail = iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchReadOnlyAccess');
    for (const [i, { kind, c }] of channels.entries()) {
      const name = `${props.namePrefix}-${props.severityName}-${i + 1}`.slice(0, 128);
      if (kind === 'slack') {
        const slack = c as McpSlackChannel;
        new chatbot.SlackChannelConfiguration(this, `Slack${i + 1}`, {
          slackChannelConfigurationName: name,
          slackWorkspaceId: slack.workspaceId,
          slackChannelId: slack.channelId,
          notificationTopics: [this.topic],
          role,
          guardrailPolicies: [guardrail],
          loggingLevel: chatbot.LoggingLevel.ERROR,
        });
      } else {
        const teams = c as McpTeamsChannel;
        new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, `Teams${i + 1}`, {
          configurationName: name,
          teamId: teams.teamId,
          teamsTenantId: teams.tenantId,
          teamsChannelId: encodeTeamsChannelId(teams.channelId),
          iamRoleArn: role.roleArn,
          snsTopicArns: [this.topic.topicArn],
          guardrailPolicies: [guardrail.managedPolicyArn],
          loggingLevel: 'ERROR',
        });
      }
    }
  }
}
