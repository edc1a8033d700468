import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { alarmFactoryFor } from '../internal/alarm-factory';
import { useTestedFeatureFlags } from '../internal/feature-flags';
import { checkInteger, checkPattern, checkThat } from '../internal/validate';
import { AlarmSeverity, IMcpMonitoringSegment, McpAlarm, McpAlarmOptions } from '../monitoring/alarms';
import {
  decimalGreaterThan,
  perMinuteThreshold,
  RATE_WINDOW_SECONDS,
  rateLimitProblem,
  SECURITY_ALARM_DEFAULTS,
  WafRateLimits,
  wafRateLimits,
} from './policy';

const OWNER = 'McpWebAcl';

/** The runbook of the web ACL's alarms (docs/runbooks/waf-blocks.md). */
export const WAF_RUNBOOK = 'waf-blocks';

/** Names of the web ACL's own rules (also their CloudWatch `Rule` dimension). */
export const WAF_RULES = {
  allowList: 'AllowList',
  ipReputation: 'AmazonIpReputation',
  knownBadInputs: 'KnownBadInputs',
  coreRuleSet: 'CoreRuleSet',
  bodyTooLarge: 'BodyTooLarge',
  ratePerIp: 'RateLimitPerIp',
  rateToolsCall: 'RateLimitToolsCall',
  ratePerHeader: 'RateLimitPerHeader',
} as const;

/** Headers kept out of the WAF logs: credentials. */
export const WAF_REDACTED_HEADERS = ['authorization', 'cookie'];

/** The MCP request header that names the JSON-RPC method (MCP 2026-07-28: on every POST). */
export const MCP_METHOD_HEADER = 'mcp-method';

/** Props for {@link McpWebAcl}. */
export interface McpWebAclProps extends McpWebAclOptions, McpAlarmOptions {
  /** The service name (names, descriptions, alarm names). */
  readonly serviceName: string;
  /** The load balancer the web ACL protects. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * Peak requests per second of the capacity plan: the rate limits and alarm thresholds derive from it.
   * @default no plan: the floors (1000 requests per IP and 300 tools/call per IP in 5 minutes)
   */
  readonly peakRps?: number;
  /**
   * Create the alarms (blocked-request spike, rate-limit activations).
   * @default true
   */
  readonly alarms?: boolean;
}

/**
 * Web ACL settings that do not come from the service: everything {@link McpWebAclProps} takes except the service's
 * name, load balancer, capacity peak, alarm settings and `alarms` (what {@link McpService} supplies itself; its
 * `webAcl` prop takes these).
 */
export interface McpWebAclOptions {
  /**
   * Requests per client IP in 5 minutes before the IP is blocked (429) for the rest of the window.
   * @default max(1000, ⌈peakRps × 300 × 0.1⌉)
   */
  readonly rateLimitPerIp?: number;
  /**
   * `tools/call` requests per client IP in 5 minutes (the `Mcp-Method` header, or the JSON body's `method`).
   * @default max(300, ⌈rateLimitPerIp × 0.25⌉)
   */
  readonly toolsCallRateLimitPerIp?: number;
  /**
   * A second rate key: a request header (e.g. `authorization`: per access token) whose every value gets its own
   * limit. Requests without the header are not counted by that rule.
   * @default none
   */
  readonly rateLimitHeader?: string;
  /**
   * Requests per value of `rateLimitHeader` in 5 minutes.
   * @default rateLimitPerIp
   */
  readonly rateLimitPerHeaderValue?: number;
  /**
   * Only these source ranges (IPv4 or IPv6 CIDR) may reach the load balancer; others are blocked. Combined with
   * `allowedCountries`, a request from either passes.
   * @default no IP allow-list
   */
  readonly allowedCidrs?: string[];
  /**
   * Only requests from these countries (ISO 3166 alpha-2, e.g. `DE`) may reach the load balancer.
   * @default no country allow-list
   */
  readonly allowedCountries?: string[];
  /**
   * Requests whose `Content-Length` is above this are blocked: the server's body limit (`MAX_BODY_BYTES`).
   * @default 1048576 (the reference server's default)
   */
  readonly maxBodyBytes?: number;
  /**
   * Rules of the core rule set switched to count instead of block.
   * @default ['SizeRestrictions_BODY'] (JSON-RPC bodies above 8 KB are legitimate; `BodyTooLarge` enforces the real limit)
   */
  readonly coreRuleSetCountRules?: string[];
  /**
   * Log every request, allowed ones too. Off, only blocked and counted requests are logged (the ALB access logs
   * record every request).
   * @default false
   */
  readonly logAllowedRequests?: boolean;
  /**
   * KMS key of the WAF log group (the log pipeline's key).
   * @default a new key with rotation
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Retention of the WAF log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the WAF log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Name of the web ACL (the `WebACL` dimension of its metrics); the log group is `aws-waf-logs-<name>`.
   * @default `<stack name>-<serviceName>` with characters outside [A-Za-z0-9_-] replaced by '-'
   */
  readonly webAclName?: string;
  /**
   * Blocked requests per minute (2 of 3 minutes) that raise the blocked-request spike alarm.
   * @default max(60, ⌈peakRps × 60 × 0.01⌉)
   */
  readonly blockedRequestsThreshold?: number;
}

/**
 * A regional WAFv2 web ACL for an MCP endpoint's load balancer: an optional IP/country allow-list, AWS managed rule
 * groups (Amazon IP reputation, known bad inputs, core rule set with its 8 KB body rule counted), a body-size rule at
 * the server's limit, rate limits per client IP and for `tools/call` derived from the capacity plan, an optional
 * second rate key, logs to an encrypted `aws-waf-logs-` log group with credentials redacted, and warnings on
 * blocked-request spikes and rate-limit activations. See docs/security.md.
 */
export class McpWebAcl extends Construct implements IMcpMonitoringSegment {
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** Its name (the `WebACL` metric dimension). */
  public readonly webAclName: string;
  /** The log group of the WAF logs. */
  public readonly logGroup: logs.LogGroup;
  /** The logging configuration. */
  public readonly loggingConfiguration: wafv2.CfnLoggingConfiguration;
  /** The rate limits in force and their formula. */
  public readonly rateLimits: WafRateLimits;
  /** Names of the rate-based rules. */
  public readonly rateRuleNames: string[];
  /** The web ACL's alarms. */
  public readonly alarms: McpAlarm[];
  /** Title of the dashboard row. */
  public readonly segmentTitle = 'Edge protection (WAF)';

  constructor(scope: Construct, id: string, props: McpWebAclProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    this.validate(props);
    this.webAclName =
      props.webAclName ??
      `${Stack.of(this).stackName}-${props.serviceName}`.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 128);
    this.rateLimits = wafRateLimits(props.peakRps, {
      perIp: props.rateLimitPerIp,
      toolsCallPerIp: props.toolsCallRateLimitPerIp,
    });
    const rules = this.createRules(props);
    this.rateRuleNames = [
      WAF_RULES.ratePerIp,
      WAF_RULES.rateToolsCall,
      ...(props.rateLimitHeader ? [WAF_RULES.ratePerHeader] : []),
    ];
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: this.webAclName,
      description: `mcp-ops: edge protection of ${props.serviceName}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: this.visibility(this.webAclName),
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.loadBalancer.loadBalancerArn,
      webAclArn: this.webAcl.attrArn,
    });
    this.logGroup = this.createLogGroup(props);
    this.loggingConfiguration = this.createLogging(props);
    this.alarms = props.alarms === false ? [] : this.createAlarms(props);
  }

  /** A WAF metric of this web ACL (`Rule` = `ALL` for the whole web ACL, else a rule's name). */
  public metric(metricName: string, rule = 'ALL', props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    // AWS/WAFV2 dimensions of a regional web ACL: Region, Rule, WebACL
    // (https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html).
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName,
      dimensionsMap: { Region: Stack.of(this).region, Rule: rule, WebACL: this.webAclName },
      statistic: 'Sum',
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** Requests the web ACL blocked (every rule). */
  public metricBlockedRequests(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('BlockedRequests', 'ALL', { label: 'Blocked', ...props });
  }

  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: 'WAF: allowed, blocked, counted',
        width: 8,
        height: 6,
        left: [
          this.metric('AllowedRequests', 'ALL', { label: 'Allowed' }),
          this.metricBlockedRequests(),
          this.metric('CountedRequests', 'ALL', { label: 'Counted' }),
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: 'WAF: blocked by rule',
        width: 8,
        height: 6,
        left: [WAF_RULES.ipReputation, WAF_RULES.knownBadInputs, WAF_RULES.coreRuleSet, WAF_RULES.bodyTooLarge].map(
          (r) => this.metric('BlockedRequests', r, { label: r }),
        ),
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: `WAF: rate-limited (per ${RATE_WINDOW_SECONDS / 60} min: ${this.rateLimits.perIp}/IP, ${this.rateLimits.toolsCallPerIp} tools/call/IP)`,
        width: 8,
        height: 6,
        left: this.rateRuleNames.map((r) => this.metric('BlockedRequests', r, { label: r })),
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.AlarmStatusWidget({
        title: 'Edge protection alarms',
        alarms: this.alarms.map((a) => a.alarm),
        width: 24,
        height: 2,
      }),
    ];
  }

  private validate(props: McpWebAclProps): void {
    for (const [name, value] of [
      ['rateLimitPerIp', props.rateLimitPerIp],
      ['toolsCallRateLimitPerIp', props.toolsCallRateLimitPerIp],
      ['rateLimitPerHeaderValue', props.rateLimitPerHeaderValue],
    ] as const) {
      const problem = rateLimitProblem(name, value);
      checkThat(OWNER, problem === undefined, problem ?? '');
    }
    checkThat(
      OWNER,
      props.rateLimitPerHeaderValue === undefined || props.rateLimitHeader !== undefined,
      'rateLimitPerHeaderValue needs rateLimitHeader (the header whose values are counted)',
    );
    checkPattern(
      OWNER,
      'rateLimitHeader',
      props.rateLimitHeader,
      /^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/,
      'a lowercase HTTP header name such as authorization',
    );
    checkInteger(OWNER, 'maxBodyBytes', props.maxBodyBytes, 1024, 100 * 1_048_576);
    checkInteger(OWNER, 'blockedRequestsThreshold', props.blockedRequestsThreshold, 1, 1_000_000_000);
    if (props.peakRps !== undefined)
      checkThat(
        OWNER,
        Number.isFinite(props.peakRps) && props.peakRps > 0,
        `peakRps must be positive, got ${props.peakRps}`,
      );
    for (const cidr of props.allowedCidrs ?? []) {
      checkPattern(
        OWNER,
        'allowedCidrs entry',
        cidr,
        /^(\d{1,3}(\.\d{1,3}){3}\/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:]+:[0-9a-fA-F:]*\/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$/,
        'an IPv4 or IPv6 CIDR such as 203.0.113.0/24 or 2001:db8::/32',
      );
    }
    for (const c of props.allowedCountries ?? [])
      checkPattern(OWNER, 'allowedCountries entry', c, /^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as DE');
    for (const r of props.coreRuleSetCountRules ?? [])
      checkPattern(
        OWNER,
        'coreRuleSetCountRules entry',
        r,
        /^[A-Za-z0-9_]{1,128}$/,
        'a rule name of the core rule set such as SizeRestrictions_BODY',
      );
    if (props.webAclName !== undefined)
      checkPattern(
        OWNER,
        'webAclName',
        props.webAclName,
        /^[A-Za-z0-9_-]{1,128}$/,
        'letters, digits, _ and -, 1–128 characters',
      );
  }

  private visibility(metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
    return { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
  }

  private managedGroup(
    priority: number,
    name: string,
    group: string,
    countRules: string[] = [],
  ): wafv2.CfnWebACL.RuleProperty {
    return {
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name: group,
          ...(countRules.length > 0
            ? { ruleActionOverrides: countRules.map((r) => ({ name: r, actionToUse: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: this.visibility(name),
    };
  }

  /** The rules, in evaluation order. */
  private createRules(props: McpWebAclProps): wafv2.CfnWebACL.RuleProperty[] {
    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    const allowList = this.allowListStatement(props);
    if (allowList) {
      rules.push({
        name: WAF_RULES.allowList,
        priority: 0,
        action: { block: {} },
        statement: { notStatement: { statement: allowList } },
        visibilityConfig: this.visibility(WAF_RULES.allowList),
      });
    }
    // AWS managed rule groups: https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
    rules.push(this.managedGroup(10, WAF_RULES.ipReputation, 'AWSManagedRulesAmazonIpReputationList'));
    rules.push(this.managedGroup(20, WAF_RULES.knownBadInputs, 'AWSManagedRulesKnownBadInputsRuleSet'));
    // The core rule set's SizeRestrictions_BODY blocks bodies over 8 KB
    // (https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html); an ALB hands WAF
    // only the first 8 KB of a body (https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html).
    // JSON-RPC tool calls can be larger, so that rule only counts and BodyTooLarge enforces the server's own limit.
    rules.push(
      this.managedGroup(
        30,
        WAF_RULES.coreRuleSet,
        'AWSManagedRulesCommonRuleSet',
        props.coreRuleSetCountRules ?? ['SizeRestrictions_BODY'],
      ),
    );
    const maxBody = props.maxBodyBytes ?? 1_048_576;
    rules.push({
      name: WAF_RULES.bodyTooLarge,
      priority: 40,
      action: { block: { customResponse: { responseCode: 413 } } },
      statement: {
        regexMatchStatement: {
          fieldToMatch: { singleHeader: { Name: 'content-length' } },
          regexString: `^${decimalGreaterThan(maxBody)}$`,
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
      visibilityConfig: this.visibility(WAF_RULES.bodyTooLarge),
    });
    const tooMany = { block: { customResponse: { responseCode: 429 } } };
    rules.push({
      name: WAF_RULES.ratePerIp,
      priority: 50,
      action: tooMany,
      statement: {
        rateBasedStatement: {
          limit: this.rateLimits.perIp,
          evaluationWindowSec: RATE_WINDOW_SECONDS,
          aggregateKeyType: 'IP',
        },
      },
      visibilityConfig: this.visibility(WAF_RULES.ratePerIp),
    });
    rules.push({
      name: WAF_RULES.rateToolsCall,
      priority: 60,
      action: tooMany,
      statement: {
        rateBasedStatement: {
          limit: this.rateLimits.toolsCallPerIp,
          evaluationWindowSec: RATE_WINDOW_SECONDS,
          aggregateKeyType: 'IP',
          // tools/call by the Mcp-Method header (2026-07-28 clients) or by the JSON-RPC body's method (older clients;
          // the method member comes first in practice, well inside the 8 KB WAF sees).
          scopeDownStatement: {
            orStatement: {
              statements: [
                {
                  byteMatchStatement: {
                    fieldToMatch: { singleHeader: { Name: MCP_METHOD_HEADER } },
                    positionalConstraint: 'EXACTLY',
                    searchString: 'tools/call',
                    textTransformations: [{ priority: 0, type: 'NONE' }],
                  },
                },
                {
                  byteMatchStatement: {
                    fieldToMatch: {
                      jsonBody: {
                        matchPattern: { includedPaths: ['/method'] },
                        matchScope: 'VALUE',
                        invalidFallbackBehavior: 'NO_MATCH',
                        oversizeHandling: 'CONTINUE',
                      },
                    },
                    positionalConstraint: 'EXACTLY',
                    searchString: 'tools/call',
                    textTransformations: [{ priority: 0, type: 'NONE' }],
                  },
                },
              ],
            },
          },
        },
      },
      visibilityConfig: this.visibility(WAF_RULES.rateToolsCall),
    });
    if (props.rateLimitHeader) {
      rules.push({
        name: WAF_RULES.ratePerHeader,
        priority: 70,
        action: tooMany,
        statement: {
          rateBasedStatement: {
            limit: props.rateLimitPerHeaderValue ?? this.rateLimits.perIp,
            evaluationWindowSec: RATE_WINDOW_SECONDS,
            aggregateKeyType: 'CUSTOM_KEYS',
            customKeys: [
              { header: { name: props.rateLimitHeader, textTransformations: [{ priority: 0, type: 'NONE' }] } },
            ],
          },
        },
        visibilityConfig: this.visibility(WAF_RULES.ratePerHeader),
      });
    }
    return rules;
  }

  /** The statement a request must match to pass the allow-list, or undefined for no allow-list. */
  private allowListStatement(props: McpWebAclProps): wafv2.CfnWebACL.StatementProperty | undefined {
    const statements: wafv2.CfnWebACL.StatementProperty[] = [];
    const cidrs = props.allowedCidrs ?? [];
    for (const [version, list] of [
      ['IPV4', cidrs.filter((c) => !c.includes(':'))],
      ['IPV6', cidrs.filter((c) => c.includes(':'))],
    ] as const) {
      if (list.length === 0) continue;
      const set = new wafv2.CfnIPSet(this, `Allowed${version === 'IPV4' ? 'Ipv4' : 'Ipv6'}`, {
        scope: 'REGIONAL',
        ipAddressVersion: version,
        addresses: list,
        description: `Source ranges allowed to reach ${props.serviceName}`,
      });
      statements.push({ ipSetReferenceStatement: { arn: set.attrArn } });
    }
    if ((props.allowedCountries ?? []).length > 0) {
      statements.push({ geoMatchStatement: { countryCodes: props.allowedCountries } });
    }
    if (statements.length === 0) return undefined;
    return statements.length === 1 ? statements[0] : { orStatement: { statements } };
  }

  private createLogGroup(props: McpWebAclProps): logs.LogGroup {
    const stack = Stack.of(this);
    // The destination's name must start with aws-waf-logs-
    // (https://docs.aws.amazon.com/waf/latest/developerguide/logging-destinations.html).
    const logGroupName = `aws-waf-logs-${this.webAclName}`;
    const key =
      props.logEncryptionKey ??
      new kms.Key(this, 'LogKey', {
        description: `mcp-ops: WAF logs of ${props.serviceName}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const granted = key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `CloudWatchLogsEncrypt${this.webAclName.replace(/[^A-Za-z0-9]/g, '')}WafLogs`.slice(0, 64),
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${logGroupName}`,
          },
        },
      }),
    );
    if (!granted.statementAdded) {
      Annotations.of(this).addWarningV2(
        'mcp-ops:wafLogKeyPolicy',
        `${props.serviceName}: the WAF log group's KMS key is imported, so its key policy cannot be extended here; allow logs.${stack.region}.amazonaws.com to use it for log group ${logGroupName}, or the log group cannot be created.`,
      );
    }
    return new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: key,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  private createLogging(props: McpWebAclProps): wafv2.CfnLoggingConfiguration {
    const stack = Stack.of(this);
    const config = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group's ARN without the trailing ":*".
      logDestinationConfigs: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: this.logGroup.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: WAF_REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
      ...(props.logAllowedRequests
        ? {}
        : {
            loggingFilter: {
              DefaultBehavior: 'DROP',
              Filters: [
                {
                  Behavior: 'KEEP',
                  Requirement: 'MEETS_ANY',
                  Conditions: ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT', 'CAPTCHA', 'CHALLENGE'].map((action) => ({
                    ActionCondition: { Action: action },
                  })),
                },
              ],
            },
          }),
    });
    config.node.addDependency(this.logGroup);
    return config;
  }

  private createAlarms(props: McpWebAclProps): McpAlarm[] {
    const factory = alarmFactoryFor(this, OWNER, props.serviceName, props);
    const d = SECURITY_ALARM_DEFAULTS;
    const blocked = perMinuteThreshold(props.peakRps, d.blockedFloorPerMinute, d.blockedShare);
    const blockedThreshold = props.blockedRequestsThreshold ?? blocked.value;
    factory.metricAlarm(
      'WafBlockedSpike',
      {
        severity: AlarmSeverity.WARNING,
        runbook: WAF_RUNBOOK,
        summary: 'the web ACL blocks an unusual number of requests (an attack, or a rule blocking real clients)',
        threshold: `BlockedRequests (all rules) above ${blockedThreshold} per minute (${props.blockedRequestsThreshold !== undefined ? 'set explicitly' : blocked.formula}) in 2 of 3 one-minute periods`,
      },
      {
        metric: this.metricBlockedRequests(),
        threshold: blockedThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        // WAF publishes a datapoint only when a request was blocked.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    this.rateRuleNames.forEach((r, i) => {
      usingMetrics[`r${i}`] = this.metric('BlockedRequests', r, { period: Duration.minutes(5) });
    });
    factory.metricAlarm(
      'WafRateLimited',
      {
        severity: AlarmSeverity.WARNING,
        runbook: WAF_RUNBOOK,
        summary:
          'a rate-based rule is blocking a client (429s): a client above its limit, or limits below real traffic',
        threshold: `any request blocked by ${this.rateRuleNames.join(', ')} in a 5-minute period; limits ${this.rateLimits.formula}`,
      },
      {
        metric: new cloudwatch.MathExpression({
          expression: Object.keys(usingMetrics)
            .map((k) => `FILL(${k}, 0)`)
            .join(' + '),
          usingMetrics,
          period: Duration.minutes(5),
          label: 'Requests blocked by rate rules',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    return factory.alarms;
  }
}
