import {
  Annotations,
  Arn,
  ArnFormat,
  Duration,
  RemovalPolicy,
  Size,
  SizeRoundingBehavior,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUCKET_NOTIFICATIONS_HANDLER_ID, ownLogGroupForBucketNotifications } from '../internal/cdk-handlers';
import { acknowledgeCompliance } from '../internal/compliance';
import { MCP_OPS_NAMESPACE } from '../internal/metrics';
import { nagWildcardResourceId } from '../internal/nag';
import { McpOpsFunction } from '../internal/nodejs-function';
import {
  ALL_EVENTS_FILTER_PATTERN,
  AUDIT_FILTER_PATTERN,
  METRIC_FILTERS,
  MetricFilterSpec,
  metricFilterSpec,
} from './log-contract';
import { renderInsightsQuery, SAVED_QUERIES, SavedQuery } from './insights';
import { LOG_INDEXER_TIMEOUT_MARGIN_SECONDS, resolveLoggingConfig } from './config';
import { OpenSearchIndexRotation } from './index-rotation';
import { AlarmFactory, alarmFactoryFor, MetricAlarmSpec } from '../internal/alarm-factory';
import { AlarmSeverity, IMcpMonitoringSegment, McpAlarm, McpAlarmOptions } from '../monitoring/alarms';
import { useTestedFeatureFlags } from '../internal/feature-flags';
import { kmsBucketProps } from '../internal/buckets';
import { firehoseStreamName, logGroupName, nameLengthProblem, queryDefinitionName } from '../internal/names';
import { serviceNameProblem } from '../internal/service-name';
import { claimServiceName } from '../internal/service-claims';
import { Problems } from '../internal/validate';

/** Id of the S3 request-metrics filter on `errors/` of both buckets (dimension `FilterId`). */
const ERROR_OUTPUT_METRICS_ID = 'ErrorOutput';

/** The runbook every alarm of the pipeline links (docs/runbooks/log-delivery.md). */
export const LOG_DELIVERY_RUNBOOK = 'log-delivery';

/**
 * Optional Amazon OpenSearch Service index of the application logs (the guide's Elasticsearch).
 * The application Firehose always delivers to S3 only (Firehose cannot deliver CloudWatch Logs
 * records to OpenSearch); the log indexer Lambda bulk-indexes each new `logs/` object, one document
 * per line.
 */
export interface McpLoggingOpenSearchProps {
  /**
   * The domain to index into. The indexer is granted `es:ESHttpPost` and `es:ESHttpPut` on
   * `<domain ARN>/*`; the domain's access policy must not deny that role, and with fine-grained access
   * control its role (`McpLogging.logIndexer.role`) must be mapped to an OpenSearch role that may
   * write `<indexPrefix>-*`. Domains with a public endpoint only: the indexer runs outside any VPC.
   */
  readonly domain: opensearch.IDomain;
  /**
   * Index name prefix (1–80 characters of `[a-z0-9_.-]`); the indexer appends the rotation suffix
   * (`mcp-2026.11.25` with the default daily rotation).
   * @default 'mcp'
   */
  readonly indexPrefix?: string;
  /**
   * Index rotation period, from each line's own `timestamp` (UTC): `NO_ROTATION` (`mcp`), `ONE_HOUR`
   * (`mcp-2026.11.25.07`), `ONE_DAY` (`mcp-2026.11.25`), `ONE_WEEK` (ISO week, `mcp-2026.w48`), `ONE_MONTH` (`mcp-2026.11`).
   * @default OpenSearchIndexRotation.ONE_DAY
   */
  readonly indexRotation?: OpenSearchIndexRotation;
  /**
   * How long the indexer keeps retrying, with exponential backoff, documents OpenSearch rejects with
   * 429 or 5xx (for one object) before it fails the invocation, which Lambda then retries twice and
   * finally sends to the on-failure queue. Whole seconds, 0–600; the function's timeout is this plus 5 minutes.
   * @default Duration.seconds(300)
   */
  readonly retryDuration?: Duration;
}

/** Props for {@link McpLogging}. */
export interface McpLoggingProps extends McpLoggingOptions {
  /**
   * Service name (`SERVICE_NAME` of the contract): names the log groups (`/mcp/<stack name>/<serviceName>/application`,
   * `…/audit`, `…/log-delivery`), the Firehose streams (`<stack name>-<serviceName>-logs`, `…-audit`, at most 64
   * characters) and the saved queries, and is the `service` dimension of the metrics. The package's one service-name
   * rule: 1–20 lowercase letters, digits and single hyphens, starting with a letter (see McpService).
   */
  readonly serviceName: string;
}

/**
 * Log-pipeline settings that do not come from the service: everything {@link McpLoggingProps} takes but the service
 * name (what {@link McpService}'s `logging` prop takes).
 */
export interface McpLoggingOptions extends McpAlarmOptions {
  /**
   * Retention of the application log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly applicationRetention?: logs.RetentionDays;
  /**
   * Retention of the audit log group (the searchable index of the audit trail; the WORM bucket is the
   * record). At least one year.
   * @default logs.RetentionDays.THIRTEEN_MONTHS
   */
  readonly auditRetention?: logs.RetentionDays;
  /**
   * Retention of the indexers' own log groups (the audit and the log indexer: each function logs to a log group
   * of its own, encrypted with the stack's log key), and of aws-cdk-lib's bucket-notifications handler's.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly functionLogRetention?: logs.RetentionDays;
  /**
   * Object Lock retention (compliance mode) of every audit object: whole days, 1 to 36500. Nobody, root
   * included, can delete or overwrite an audit object version before it ends.
   * @default Duration.days(400)
   */
  readonly auditObjectLockPeriod?: Duration;
  /**
   * Age at which application log objects expire from the log bucket: whole days, 1 to 36500.
   * @default Duration.days(90)
   */
  readonly logBucketExpiration?: Duration;
  /**
   * Age at which the bucket's lifecycle deletes audit objects: a delete marker hides the object at this age,
   * and the hidden version is removed permanently one day later (S3 lifecycle never removes a version whose
   * Object Lock retention has not ended). Whole days, at least `auditObjectLockPeriod`.
   * @default - audit objects are kept forever
   */
  readonly auditExpiration?: Duration;
  /**
   * Firehose buffering interval (both streams): from 0 to 900 seconds, whole seconds. The operations
   * guide flushes Fluentd every 10 s.
   * @default Duration.seconds(10)
   */
  readonly bufferInterval?: Duration;
  /**
   * Firehose buffering size: 1–128 MiB. Whichever of size and interval is reached first triggers delivery.
   * @default Size.mebibytes(5)
   */
  readonly bufferSize?: Size;
  /**
   * Also index application logs in an Amazon OpenSearch Service domain: an S3 event on each new
   * `logs/` object of the log bucket invokes the log indexer, which bulk-indexes every line as one
   * document (docs/logging.md#opensearch). The S3 archive is unchanged and stays the record.
   * @default - S3 only, no indexer
   */
  readonly openSearch?: McpLoggingOpenSearchProps;
  /**
   * KMS key for the log groups, buckets, Firehose streams and the indexers' queues. Its key
   * policy must allow CloudWatch Logs (`logs.<region>.amazonaws.com`) for the log groups: a key
   * created in the same stack gets that statement automatically, an imported key does not.
   * @default - a new customer-managed key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Log stream prefix of the container's awslogs driver (`<prefix>/<container>/<task id>`).
   * @default 'mcp'
   */
  readonly streamPrefix?: string;
  /**
   * awslogs delivery mode. `non-blocking` never stalls the server's stdout when CloudWatch Logs
   * throttles (lines are buffered, up to `logBufferSize`, and dropped beyond it); `blocking` never
   * drops a line but can stall the event loop.
   * @default ecs.AwsLogDriverMode.NON_BLOCKING
   */
  readonly logDriverMode?: ecs.AwsLogDriverMode;
  /**
   * In-memory buffer of the awslogs driver in non-blocking mode, 1–1024 MiB.
   * @default Size.mebibytes(25)
   */
  readonly logBufferSize?: Size;
}

/** Metric helpers for the dashboard's business row (namespace `McpOps`, dimension `service`). */
export interface IMcpLoggingMetrics {
  /** Tool calls completed (Sum per period); one tool, or every tool summed. */
  toolsExecuted(tool?: string, period?: Duration): cloudwatch.IMetric;
  /** One time series per tool (SEARCH expression), for a stacked graph. */
  toolsExecutedByTool(period?: Duration): cloudwatch.IMetric;
  /** Failed requests and tool calls (Sum per period); one error_type, or every type summed. */
  errorsByType(errorType?: string, period?: Duration): cloudwatch.IMetric;
  /** One time series per error_type (SEARCH expression). */
  errorsByTypeAll(period?: Duration): cloudwatch.IMetric;
  /** Request duration in milliseconds with a statistic such as `p99`, `p50`, `Average`. */
  requestDuration(statistic?: string, period?: Duration): cloudwatch.Metric;
  /** Tool-call duration in milliseconds for one tool. */
  toolDuration(tool: string, statistic?: string, period?: Duration): cloudwatch.Metric;
}

/** Firehose stream parts, as created by {@link McpLogging}. */
interface StreamParts {
  readonly stream: firehose.CfnDeliveryStream;
  readonly role: iam.Role;
}

/** The pipeline's settings, checked and with defaults (`resolveLoggingConfig`). */
type LoggingConfig = ReturnType<typeof resolveLoggingConfig>;

/** The fixed names of the pipeline's log groups. */
interface LogGroupNames {
  readonly application: string;
  readonly audit: string;
  readonly delivery: string;
}

/** The pipeline's log groups. */
interface LogGroups {
  readonly application: logs.LogGroup;
  readonly audit: logs.LogGroup;
  /** Firehose delivery errors of both streams. */
  readonly delivery: logs.LogGroup;
}

/** The two Firehose streams. */
interface DeliveryStreams {
  readonly application: StreamParts;
  readonly audit: StreamParts;
}

/** The two subscription filters on the application log group. */
interface Subscriptions {
  readonly application: logs.CfnSubscriptionFilter;
  readonly audit: logs.CfnSubscriptionFilter;
}

/** The acknowledgements both indexers share (their own X-Ray grants and the on-failure queue's key grants). */
const INDEXER_ACKNOWLEDGEMENTS = [
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing of McpOpsFunction: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions',
  },
  {
    id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason:
      'Granted by aws-cdk-lib for sending failed invocations to the KMS-encrypted on-failure queue; scoped to the pipeline key',
  },
  {
    id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    reason:
      'Granted by aws-cdk-lib for sending failed invocations to the KMS-encrypted on-failure queue; scoped to the pipeline key',
  },
];

/** Alarm on one breaching period; no data (nothing delivered, nothing failed) is not breaching. */
const ONE_PERIOD = { evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING };

/**
 * The log pipeline and audit trail of an MCP service (the AWS-native equivalent of the operations
 * guide's Fluentd → Elasticsearch pipeline):
 *
 * ```
 * container stdout ──awslogs──▶ application log group (KMS, 30 d) ── metric filters ▶ McpOps metrics
 *        ├─ subscription (all events) ──▶ Firehose ──▶ S3 log bucket ─ S3 event ▶ log indexer ▶ OpenSearch `mcp-*` (optional)
 *        └─ subscription { $.log_type = "audit" } ──▶ Firehose ──▶ S3 audit bucket (Object Lock, compliance)
 *                                                                   └─ S3 event ▶ audit indexer ▶ audit log group (KMS, ≥ 1 y)
 * ```
 * See docs/logging.md for why the audit trail is routed this way.
 */
export class McpLogging extends Construct implements IMcpMonitoringSegment {
  /** Every line the service writes: application lines and audit entries. */
  public readonly applicationLogGroup: logs.LogGroup;
  /** Audit entries only, indexed from the WORM bucket; kept for `auditRetention`. */
  public readonly auditLogGroup: logs.LogGroup;
  /** Application log archive: `logs/year=…/month=…/day=…/`, errors under `errors/`. */
  public readonly logBucket: s3.Bucket;
  /** The audit trail of record: versioned, Object Lock (compliance), TLS 1.2+ only, no delete path. */
  public readonly auditBucket: s3.Bucket;
  /** Server access logs of the two buckets. */
  public readonly accessLogBucket: s3.Bucket;
  /** The key encrypting logs, buckets and streams. */
  public readonly encryptionKey: kms.IKey;
  /** Firehose stream of application logs. */
  public readonly applicationDeliveryStream: firehose.CfnDeliveryStream;
  /** Role of the application Firehose stream (writes the log bucket only). */
  public readonly applicationDeliveryRole: iam.Role;
  /** Firehose stream of audit entries. */
  public readonly auditDeliveryStream: firehose.CfnDeliveryStream;
  /** The Lambda function that indexes audit objects into the audit log group. */
  public readonly auditIndexer: lambda.Function;
  /** Failed audit-indexer invocations (after retries), for redrive. */
  public readonly auditIndexerDeadLetterQueue: sqs.Queue;
  /** With `openSearch`: the Lambda function that bulk-indexes new `logs/` objects into the domain (map its role in the domain). */
  public readonly logIndexer?: lambda.Function;
  /** With `openSearch`: failed log-indexer invocations (after retries; the error names the object key), for redrive. */
  public readonly logIndexerDeadLetterQueue?: sqs.Queue;
  /** Metric filters by id (`ToolsExecuted`, `Errors`, `RequestDuration`, `ToolDuration`). */
  public readonly metricFilters: Record<string, logs.MetricFilter>;
  /** Saved Logs Insights queries by id (`SlowestTools`, `TopErrorTypes`, `RequestTrail`, `ErrorRatePerMinute`). */
  public readonly queries: Record<string, logs.QueryDefinition>;
  /** Alarms of the pipeline (a segment's alarms: see `McpMonitoring.addSegment`). */
  public readonly alarms: McpAlarm[];
  /** Title of the pipeline's dashboard row. */
  public readonly segmentTitle = 'Logs and audit trail';
  /** Metrics for the dashboard's business row. */
  public readonly metrics: IMcpLoggingMetrics;
  /** The service name the pipeline was created for. */
  public readonly serviceName: string;

  private readonly streamPrefix: string;
  private readonly logDriverMode: ecs.AwsLogDriverMode;
  private readonly logBufferSize: Size;
  private readonly functionLogRetention?: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: McpLoggingProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    const cfg = this.validate(props);
    this.serviceName = cfg.serviceName;
    this.streamPrefix = cfg.streamPrefix;
    this.logDriverMode = props.logDriverMode ?? ecs.AwsLogDriverMode.NON_BLOCKING;
    this.logBufferSize = Size.mebibytes(cfg.logBufferSizeMiB);
    this.functionLogRetention = props.functionLogRetention;
    const names = this.logGroupNames(cfg);
    this.encryptionKey = this.buildKey(props, cfg, names);
    const logGroups = this.buildLogGroups(props, names);
    this.applicationLogGroup = logGroups.application;
    this.auditLogGroup = logGroups.audit;
    this.accessLogBucket = this.buildAccessLogBucket(cfg);
    this.logBucket = this.buildLogBucket(cfg);
    this.auditBucket = this.buildAuditBucket(cfg);
    const streams = this.buildDeliveryStreams(cfg, logGroups.delivery);
    this.applicationDeliveryStream = streams.application.stream;
    this.applicationDeliveryRole = streams.application.role;
    this.auditDeliveryStream = streams.audit.stream;
    this.acknowledgeCompliance(cfg.serviceName);
    const subscriptions = this.buildSubscriptions(names, streams);
    this.metricFilters = this.buildMetricFilters();
    this.queries = this.buildQueries(cfg);
    this.auditIndexerDeadLetterQueue = this.buildIndexerDeadLetterQueue('AuditIndexerDeadLetterQueue', 'audit indexer');
    this.auditIndexer = this.buildAuditIndexer(cfg, names, this.auditIndexerDeadLetterQueue);
    if (props.openSearch) {
      this.logIndexerDeadLetterQueue = this.buildIndexerDeadLetterQueue('LogIndexerDeadLetterQueue', 'log indexer');
      this.logIndexer = this.buildLogIndexer(props.openSearch, cfg, this.logIndexerDeadLetterQueue);
    }
    this.acknowledgeNotificationsHandler();
    this.alarms = this.buildAlarms(props, cfg, names, streams, subscriptions.audit);
    this.metrics = this.buildMetrics(cfg);
  }

  /** The fixed names of the pipeline's three log groups. */
  private logGroupNames(cfg: LoggingConfig): LogGroupNames {
    const stack = Stack.of(this);
    // Fixed names (the key policy below names the log groups before they exist), scoped by stack and
    // service so that no two stacks or services collide; see lib/internal/names.ts.
    return {
      application: logGroupName(stack.stackName, cfg.serviceName, 'application'),
      audit: logGroupName(stack.stackName, cfg.serviceName, 'audit'),
      delivery: logGroupName(stack.stackName, cfg.serviceName, 'log-delivery'),
    };
  }

  /** The ARN of the log group named `name` in this stack's account and Region. */
  private logGroupArn(name: string): string {
    return Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** The pipeline key (the given one or a new `Key`), admitting CloudWatch Logs for the three log groups. */
  private buildKey(props: McpLoggingProps, cfg: LoggingConfig, names: LogGroupNames): kms.IKey {
    const stack = Stack.of(this);
    const key =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: `mcp-ops: logs and audit trail of ${cfg.serviceName}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptMcpLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': [names.application, names.audit, names.delivery].map(
              (n) => `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${n}`,
            ),
          },
        },
      }),
    );
    return key;
  }

  /** The application, audit and delivery-error log groups, KMS-encrypted, with fixed names. */
  private buildLogGroups(props: McpLoggingProps, names: LogGroupNames): LogGroups {
    // Fixed-name log groups (and their log streams) are kept on stack deletion and on updates that remove
    // them, but deleted when the create that made them rolls back (DeletionPolicy RetainExceptOnCreate),
    // so a failed first deployment leaves nothing behind that makes its retry fail with "already exists".
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
    const fixedNameRemoval = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    const application = new logs.LogGroup(this, 'ApplicationLogGroup', {
      logGroupName: names.application,
      retention: props.applicationRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: this.encryptionKey,
      removalPolicy: fixedNameRemoval,
    });
    const audit = new logs.LogGroup(this, 'AuditLogGroup', {
      logGroupName: names.audit,
      retention: props.auditRetention ?? logs.RetentionDays.THIRTEEN_MONTHS,
      encryptionKey: this.encryptionKey,
      removalPolicy: fixedNameRemoval,
    });
    const delivery = new logs.LogGroup(this, 'DeliveryErrorLogGroup', {
      logGroupName: names.delivery,
      retention: logs.RetentionDays.ONE_MONTH,
      encryptionKey: this.encryptionKey,
      removalPolicy: fixedNameRemoval,
    });
    return { application, audit, delivery };
  }

  /** The server-access-log target of the log and audit buckets. */
  private buildAccessLogBucket(cfg: LoggingConfig): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(cfg.logBucketExpirationDays),
          noncurrentVersionExpiration: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the server-access-log target of the log and audit buckets; logging it into itself would loop',
    });
    return bucket;
  }

  /** The application log archive (`logs/`, errors under `errors/`), expiring at `logBucketExpiration`. */
  private buildLogBucket(cfg: LoggingConfig): s3.Bucket {
    return new s3.Bucket(this, 'LogBucket', {
      ...kmsBucketProps(this.encryptionKey),
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'log-bucket/',
      metrics: [{ id: ERROR_OUTPUT_METRICS_ID, prefix: 'errors/' }],
      lifecycleRules: [
        {
          id: 'expire-application-logs',
          expiration: Duration.days(cfg.logBucketExpirationDays),
          noncurrentVersionExpiration: Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The audit trail of record: Object Lock (compliance) and no delete path. */
  private buildAuditBucket(cfg: LoggingConfig): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AuditBucket', {
      ...kmsBucketProps(this.encryptionKey),
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(cfg.auditObjectLockDays)),
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'audit-bucket/',
      metrics: [{ id: ERROR_OUTPUT_METRICS_ID, prefix: 'errors/' }],
      lifecycleRules: [
        {
          id: 'audit-housekeeping',
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          // Versioned bucket: expiring only adds a delete marker; the noncurrent version must expire too,
          // or the audit objects stay (and are billed) forever.
          ...(cfg.auditExpirationDays !== undefined
            ? { expiration: Duration.days(cfg.auditExpirationDays), noncurrentVersionExpiration: Duration.days(1) }
            : {}),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No delete path: nobody may delete audit objects or versions (not even add a delete marker),
    // whatever their IAM policy says; Object Lock (compliance) already makes every version immutable
    // until its retention ends. Legal holds, extending a retention and changing the default retention
    // through this stack stay possible. Undoing the deny needs a bucket-policy change (CloudTrail).
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyAuditDeletion',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:BypassGovernanceRetention'],
        resources: [bucket.bucketArn, bucket.arnForObjects('*')],
      }),
    );
    return bucket;
  }

  /** The application and audit Firehose streams, each writing its own bucket. */
  private buildDeliveryStreams(cfg: LoggingConfig, deliveryLogGroup: logs.LogGroup): DeliveryStreams {
    const stack = Stack.of(this);
    const bufferingHints = { intervalInSeconds: cfg.bufferIntervalSeconds, sizeInMBs: cfg.bufferSizeMiB };
    const cloudWatchProcessing: firehose.CfnDeliveryStream.ProcessingConfigurationProperty = {
      enabled: true,
      processors: [
        { type: 'Decompression', parameters: [{ parameterName: 'CompressionFormat', parameterValue: 'GZIP' }] },
        {
          type: 'CloudWatchLogProcessing',
          parameters: [{ parameterName: 'DataMessageExtraction', parameterValue: 'true' }],
        },
        { type: 'AppendDelimiterToRecord', parameters: [] },
      ],
    };
    const application = this.createStream('ApplicationDelivery', {
      name: firehoseStreamName(stack.stackName, cfg.serviceName, 'logs'),
      bucket: this.logBucket,
      prefix: 'logs/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
      errorPrefix:
        'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
      bufferingHints,
      processing: cloudWatchProcessing,
      deliveryLogGroup,
      logStreamName: 'application',
    });
    const audit = this.createStream('AuditDelivery', {
      name: firehoseStreamName(stack.stackName, cfg.serviceName, 'audit'),
      bucket: this.auditBucket,
      prefix: 'audit/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
      errorPrefix:
        'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
      bufferingHints,
      processing: cloudWatchProcessing,
      deliveryLogGroup,
      logStreamName: 'audit',
    });
    return { application, audit };
  }

  /** Subscriptions: CloudWatch Logs → Firehose (every event to the log stream, audit entries to the audit stream). */
  private buildSubscriptions(names: LogGroupNames, streams: DeliveryStreams): Subscriptions {
    const stack = Stack.of(this);
    const subscriptionRole = new iam.Role(this, 'SubscriptionRole', {
      description: `CloudWatch Logs subscription delivery from ${names.application} to the log Firehose streams`,
      assumedBy: new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`, {
        conditions: {
          StringLike: { 'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` },
        },
      }),
    });
    const subscriptionPolicy = new iam.Policy(this, 'SubscriptionPolicy', {
      roles: [subscriptionRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
          resources: [streams.application.stream.attrArn, streams.audit.stream.attrArn],
        }),
        // The streams are encrypted with the pipeline key (CUSTOMER_MANAGED_CMK), and since 2026-04-20 AWS
        // requires whoever calls PutRecord/PutRecordBatch on such a stream to hold kms:GenerateDataKey and
        // kms:Decrypt on its key (AWS notice to account holders, quoted in issue 10; streams created before
        // that date must comply by 2027-02-28). The notice is not in the AWS documentation we could search;
        // Kinesis Data Streams documents the same producer rule for its SSE keys:
        // https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
        // Creating a subscription filter sends a test record, so without this both filters fail on create.
        // Only through Firehose in this region.
        new iam.PolicyStatement({
          sid: 'FirehoseProducerKey',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `firehose.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    const subscribe = (
      sid: string,
      filterName: string,
      pattern: string,
      target: firehose.CfnDeliveryStream,
    ): logs.CfnSubscriptionFilter => {
      const f = new logs.CfnSubscriptionFilter(this, sid, {
        logGroupName: this.applicationLogGroup.logGroupName,
        filterName,
        filterPattern: pattern,
        destinationArn: target.attrArn,
        roleArn: subscriptionRole.roleArn,
      });
      f.node.addDependency(subscriptionPolicy);
      f.node.addDependency(this.applicationLogGroup);
      return f;
    };
    const application = subscribe(
      'ApplicationSubscription',
      'mcp-all-to-firehose',
      ALL_EVENTS_FILTER_PATTERN,
      streams.application.stream,
    );
    const audit = subscribe('AuditSubscription', 'mcp-audit-to-firehose', AUDIT_FILTER_PATTERN, streams.audit.stream);
    return { application, audit };
  }

  /** The metric filters of the log contract on the application log group (McpOps metrics). */
  private buildMetricFilters(): Record<string, logs.MetricFilter> {
    const filters: Partial<Record<MetricFilterSpec['id'], logs.MetricFilter>> = {};
    for (const spec of METRIC_FILTERS) {
      filters[spec.id] = new logs.MetricFilter(this, `${spec.id}MetricFilter`, {
        logGroup: this.applicationLogGroup,
        filterName: `mcp-${spec.metricName}`,
        filterPattern: logs.FilterPattern.literal(spec.filterPattern),
        metricNamespace: MCP_OPS_NAMESPACE,
        metricName: spec.metricName,
        metricValue: spec.metricValue,
        unit: spec.unit === 'Count' ? cloudwatch.Unit.COUNT : cloudwatch.Unit.MILLISECONDS,
        dimensions: { ...spec.dimensions },
      });
    }
    return filters as Record<MetricFilterSpec['id'], logs.MetricFilter>;
  }

  /** The saved Logs Insights queries, each checked to render as the tested query text. */
  private buildQueries(cfg: LoggingConfig): Record<string, logs.QueryDefinition> {
    const stack = Stack.of(this);
    const queries: Partial<Record<SavedQuery['id'], logs.QueryDefinition>> = {};
    for (const q of SAVED_QUERIES) {
      const queryString = new logs.QueryString({
        fields: q.parts.fields ? [...q.parts.fields] : undefined,
        filterStatements: q.parts.filterStatements ? [...q.parts.filterStatements] : undefined,
        statsStatements: q.parts.statsStatements ? [...q.parts.statsStatements] : undefined,
        sort: q.parts.sort,
        limit: q.parts.limit,
      });
      if (queryString.toString() !== renderInsightsQuery(q.parts)) {
        throw new Error(`McpLogging: saved query ${q.id} renders differently from the tested query text`);
      }
      queries[q.id] = new logs.QueryDefinition(this, `${q.id}Query`, {
        queryDefinitionName: queryDefinitionName(stack.stackName, cfg.serviceName, q.title),
        queryString,
        logGroups: [this.applicationLogGroup],
      });
    }
    return queries as Record<SavedQuery['id'], logs.QueryDefinition>;
  }

  /** The KMS-encrypted on-failure queue of an indexer (`indexer` names it in the acknowledgements). */
  private buildIndexerDeadLetterQueue(id: string, indexer: string): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the dead-letter (on-failure) destination of the ${indexer}`,
    });
    acknowledgeCompliance(queue, {
      SQSRedrivePolicy: `This queue is itself the dead-letter (on-failure) destination of the ${indexer}`,
    });
    return queue;
  }

  /** Audit indexer: WORM bucket → audit log group (S3 notifications on `audit/`). */
  private buildAuditIndexer(cfg: LoggingConfig, names: LogGroupNames, deadLetterQueue: sqs.Queue): McpOpsFunction {
    const fn = new McpOpsFunction(this, 'AuditIndexer', {
      handlerName: 'log-transform',
      logRetention: this.functionLogRetention,
      description: `Indexes audit objects of ${cfg.serviceName} from the WORM bucket into ${names.audit}`,
      timeout: Duration.minutes(2),
      outsideVpcReason:
        'Reads audit objects from S3 and writes the audit log group: AWS APIs only, no resource in a VPC',
      noDeadLetterQueueReason:
        'Invoked asynchronously by S3 notifications: after 2 retries a failed event goes to the on-failure SQS destination (AuditIndexerDeadLetterQueue), whose depth alarms',
      environment: {
        AUDIT_LOG_GROUP_NAME: names.audit,
        SERVICE_NAME: `${cfg.serviceName}-audit-indexer`,
        POWERTOOLS_SERVICE_NAME: `${cfg.serviceName}-audit-indexer`,
      },
      onFailure: new lambdaDestinations.SqsDestination(deadLetterQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    this.grantReadObjects(fn, this.auditBucket, 'audit/*');
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroupArn(names.audit)}:log-stream:*`],
      }),
    );
    fn.acknowledge(
      {
        id: nagWildcardResourceId(this, this.auditBucket.arnForObjects('audit/*')),
        reason:
          'Reads any audit object Firehose writes under audit/ (keys are date-partitioned and unknown in advance)',
      },
      {
        id: nagWildcardResourceId(this, `${this.logGroupArn(names.audit)}:log-stream:*`),
        reason: 'Writes one log stream per day in the audit log group; stream names are created at run time',
      },
      ...INDEXER_ACKNOWLEDGEMENTS,
    );
    this.auditBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fn), {
      prefix: 'audit/',
    });
    return fn;
  }

  /** `fn` reads the objects under `pattern` of `bucket` and decrypts them through S3 (nothing else of the key). */
  private grantReadObjects(fn: McpOpsFunction, bucket: s3.Bucket, pattern: string): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(pattern)],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.encryptionKey.keyArn],
        // Through S3, for that bucket only (with an S3 Bucket Key the context is the bucket ARN).
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` },
          StringLike: {
            'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, `${bucket.bucketArn}/*`],
          },
        },
      }),
    );
  }

  /**
   * Log indexer (optional): log bucket logs/ → OpenSearch. Firehose cannot deliver CloudWatch Logs records to
   * OpenSearch (one record carries several events) and both subscription slots are taken, so the S3 archive is
   * indexed instead, one document per line.
   */
  private buildLogIndexer(
    openSearch: McpLoggingOpenSearchProps,
    cfg: LoggingConfig,
    deadLetterQueue: sqs.Queue,
  ): McpOpsFunction {
    const domain = openSearch.domain;
    const logIndexer = new McpOpsFunction(this, 'LogIndexer', {
      handlerName: 'log-indexer',
      logRetention: this.functionLogRetention,
      description: `Bulk-indexes application log objects of ${cfg.serviceName} from the log bucket into OpenSearch ${cfg.indexPrefix}-*`,
      timeout: Duration.seconds(cfg.retryDurationSeconds + LOG_INDEXER_TIMEOUT_MARGIN_SECONDS),
      // One object holds up to a full Firehose buffer (bufferSize, uncompressed) and is parsed in memory.
      memorySize: 1024,
      outsideVpcReason:
        'Reads log objects from S3 and posts to the OpenSearch domain endpoint with SigV4; a domain inside a VPC needs the function there, not supported yet',
      noDeadLetterQueueReason:
        'Invoked asynchronously by S3 notifications: after 2 retries a failed event goes to the on-failure SQS destination (LogIndexerDeadLetterQueue)',
      environment: {
        OPENSEARCH_ENDPOINT: domain.domainEndpoint,
        OPENSEARCH_REGION: Arn.split(domain.domainArn, ArnFormat.SLASH_RESOURCE_NAME).region!,
        INDEX_PREFIX: cfg.indexPrefix,
        INDEX_ROTATION: cfg.indexRotation,
        RETRY_DURATION_SECONDS: String(cfg.retryDurationSeconds),
        SERVICE_NAME: `${cfg.serviceName}-log-indexer`,
        POWERTOOLS_SERVICE_NAME: `${cfg.serviceName}-log-indexer`,
      },
      onFailure: new lambdaDestinations.SqsDestination(deadLetterQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    this.grantReadObjects(logIndexer, this.logBucket, 'logs/*');
    // _bulk is a POST (PUT for the same API); nothing else: no reads, no deletes, no cluster APIs.
    logIndexer.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['es:ESHttpPost', 'es:ESHttpPut'],
        resources: [`${domain.domainArn}/*`],
      }),
    );
    logIndexer.acknowledge(
      {
        id: nagWildcardResourceId(this, this.logBucket.arnForObjects('logs/*')),
        reason:
          'Reads any application log object Firehose writes under logs/ (keys are date-partitioned and unknown in advance)',
      },
      {
        id: nagWildcardResourceId(this, `${domain.domainArn}/*`),
        reason: `HTTP POST/PUT on the domain's paths: _bulk into the date-rotated ${cfg.indexPrefix}-* indices, whose names exist only at index time`,
      },
      ...INDEXER_ACKNOWLEDGEMENTS,
    );
    this.logBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(logIndexer), {
      prefix: 'logs/',
    });
    return logIndexer;
  }

  /** aws-cdk-lib's bucket-notifications handler (created by the S3 notifications): its own log group, its wildcard. */
  private acknowledgeNotificationsHandler(): void {
    // aws-cdk-lib's bucket-notifications handler (the stack's singleton): its own log group, no managed policy.
    ownLogGroupForBucketNotifications(this, this.functionLogRetention);
    const notificationsHandler = Stack.of(this).node.tryFindChild(BUCKET_NOTIFICATIONS_HANDLER_ID);
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "aws-cdk-lib's bucket-notifications handler calls s3:PutBucketNotification, which it applies to buckets named at deploy time",
      });
    }
  }

  /** Alarms: `<prefix>-<service name>-<id>` from the one alarm factory, linking the log-delivery runbook. */
  private buildAlarms(
    props: McpLoggingProps,
    cfg: LoggingConfig,
    names: LogGroupNames,
    streams: DeliveryStreams,
    auditSubscription: logs.CfnSubscriptionFilter,
  ): McpAlarm[] {
    const factory = alarmFactoryFor(this, 'McpLogging', cfg.serviceName, props);
    this.buildDeliveryAlarms(factory, streams);
    this.buildAuditAlarms(factory, names, auditSubscription);
    this.buildLogIndexerAlarms(factory);
    return factory.alarms;
  }

  /** An alarm of the pipeline from the factory, construct id `<id>Alarm`, linking the log-delivery runbook. */
  private addAlarm(
    factory: AlarmFactory,
    aid: string,
    text: { summary: string; threshold: string; severity: AlarmSeverity; note?: string },
    a: MetricAlarmSpec,
  ): McpAlarm {
    return factory.metricAlarm(aid, { ...text, runbook: LOG_DELIVERY_RUNBOOK, constructId: `${aid}Alarm` }, a);
  }

  /** Delivery alarms of both streams: failed puts, stale records, and records written under errors/. */
  private buildDeliveryAlarms(factory: AlarmFactory, streams: DeliveryStreams): void {
    const fhMetric = (stream: firehose.CfnDeliveryStream, metricName: string, statistic: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/Firehose',
        metricName,
        statistic,
        period: Duration.minutes(5),
        dimensionsMap: { DeliveryStreamName: stream.ref },
      });
    for (const [label, what, s, severity] of [
      ['Log', 'application log', streams.application.stream, AlarmSeverity.WARNING],
      ['Audit', 'audit', streams.audit.stream, AlarmSeverity.CRITICAL],
    ] as const) {
      this.addAlarm(
        factory,
        `${label}DeliveryFailed`,
        {
          summary: `the ${what} Firehose failed to write to S3`,
          severity,
          threshold: 'DeliveryToS3.Success below 1 (any failed put) in a 5-minute period',
          note: 'Firehose retries for 24 hours, then writes the records under errors/ in the bucket.',
        },
        {
          metric: fhMetric(s, 'DeliveryToS3.Success', 'Minimum'),
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          threshold: 1,
          ...ONE_PERIOD,
        },
      );
      this.addAlarm(
        factory,
        `${label}DeliveryStale`,
        {
          summary: `the ${what} Firehose holds records it has not delivered for 15 minutes`,
          severity,
          threshold: 'DeliveryToS3.DataFreshness above 900 seconds in a 5-minute period',
        },
        {
          metric: fhMetric(s, 'DeliveryToS3.DataFreshness', 'Maximum'),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: 900,
          ...ONE_PERIOD,
        },
      );
    }
    // Anything Firehose writes under errors/ (records the processors or S3 could not take) is a
    // failed delivery: S3 request metrics filtered on the prefix count those writes.
    for (const [label, what, bucket, severity] of [
      ['Log', 'application log', this.logBucket, AlarmSeverity.WARNING],
      ['Audit', 'audit', this.auditBucket, AlarmSeverity.CRITICAL],
    ] as const) {
      this.addAlarm(
        factory,
        `${label}ErrorOutput`,
        {
          summary: `the ${what} Firehose wrote records it could not deliver under errors/`,
          severity,
          threshold: 'any PUT under errors/ in the bucket in a 5-minute period (S3 request metrics)',
        },
        {
          metric: new cloudwatch.Metric({
            namespace: 'AWS/S3',
            metricName: 'PutRequests',
            statistic: 'Sum',
            period: Duration.minutes(5),
            dimensionsMap: { BucketName: bucket.bucketName, FilterId: ERROR_OUTPUT_METRICS_ID },
          }),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: 0,
          ...ONE_PERIOD,
        },
      );
    }
  }

  /** The audit trail's own alarms: the subscription's delivery errors and failed indexing. */
  private buildAuditAlarms(
    factory: AlarmFactory,
    names: LogGroupNames,
    auditSubscription: logs.CfnSubscriptionFilter,
  ): void {
    this.addAlarm(
      factory,
      'AuditSubscriptionErrors',
      {
        summary: 'CloudWatch Logs could not hand audit entries to the audit Firehose',
        severity: AlarmSeverity.CRITICAL,
        threshold: 'AWS/Logs DeliveryErrors of the audit subscription above 0 in a 5-minute period',
      },
      {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Logs',
          metricName: 'DeliveryErrors',
          statistic: 'Sum',
          period: Duration.minutes(5),
          dimensionsMap: {
            LogGroupName: names.application,
            DestinationType: 'Firehose',
            FilterName: auditSubscription.filterName!,
          },
        }),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: 0,
        ...ONE_PERIOD,
      },
    );
    this.addAlarm(
      factory,
      'AuditIndexFailed',
      {
        summary: `audit objects could not be indexed into ${names.audit}`,
        severity: AlarmSeverity.WARNING,
        threshold: 'a failed invocation (after 2 retries) waiting in the on-failure queue',
        note: 'The write-once bucket still holds the entries; redrive the queue.',
      },
      {
        metric: this.auditIndexerDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: 0,
        ...ONE_PERIOD,
      },
    );
  }

  /** With OpenSearch: the log indexer's errors and its on-failure queue. */
  private buildLogIndexerAlarms(factory: AlarmFactory): void {
    if (this.logIndexer && this.logIndexerDeadLetterQueue) {
      this.addAlarm(
        factory,
        'LogIndexerErrors',
        {
          summary: 'the log indexer failed to index application log objects into OpenSearch',
          severity: AlarmSeverity.WARNING,
          threshold: 'Lambda Errors of the log indexer above 0 in a 5-minute period',
          note: 'Lambda retries twice, then the event goes to the on-failure queue (LogIndexFailed); S3 keeps every line.',
        },
        {
          metric: this.logIndexer.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: 0,
          ...ONE_PERIOD,
        },
      );
      this.addAlarm(
        factory,
        'LogIndexFailed',
        {
          summary: 'application log objects could not be indexed into OpenSearch',
          severity: AlarmSeverity.WARNING,
          threshold: 'a failed invocation (after 2 retries) waiting in the on-failure queue',
          note: 'The log bucket still holds the lines; fix the cause and redrive the queue (re-indexing overwrites, never duplicates).',
        },
        {
          metric: this.logIndexerDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(5),
            statistic: 'Maximum',
          }),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: 0,
          ...ONE_PERIOD,
        },
      );
    }
  }

  /** Metrics for the dashboard (the metric filters' metrics and SEARCH expressions across their dimensions). */
  private buildMetrics(cfg: LoggingConfig): IMcpLoggingMetrics {
    const service = cfg.serviceName;
    const metric = (
      spec: MetricFilterSpec,
      extra: Record<string, string>,
      statistic: string,
      period: Duration,
    ): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: MCP_OPS_NAMESPACE,
        metricName: spec.metricName,
        statistic,
        period,
        dimensionsMap: { service, ...extra },
        unit: spec.unit === 'Count' ? cloudwatch.Unit.COUNT : cloudwatch.Unit.MILLISECONDS,
      });
    const search = (
      spec: MetricFilterSpec,
      dim: string,
      label: string,
      period: Duration,
      sum: boolean,
    ): cloudwatch.MathExpression => {
      const s = `SEARCH('{${MCP_OPS_NAMESPACE},service,${dim}} MetricName="${spec.metricName}" service="${service}"', 'Sum', ${period.toSeconds()})`;
      return new cloudwatch.MathExpression({ expression: sum ? `SUM(${s})` : s, label, period });
    };
    const tools = metricFilterSpec('ToolsExecuted');
    const errors = metricFilterSpec('Errors');
    return {
      toolsExecuted: (tool, period = Duration.minutes(1)) =>
        tool === undefined
          ? search(tools, 'tool', 'tools executed', period, true)
          : metric(tools, { tool }, 'Sum', period),
      toolsExecutedByTool: (period = Duration.minutes(1)) => search(tools, 'tool', '', period, false),
      errorsByType: (errorType, period = Duration.minutes(1)) =>
        errorType === undefined
          ? search(errors, 'error_type', 'errors', period, true)
          : metric(errors, { error_type: errorType }, 'Sum', period),
      errorsByTypeAll: (period = Duration.minutes(1)) => search(errors, 'error_type', '', period, false),
      requestDuration: (statistic = 'p99', period = Duration.minutes(1)) =>
        metric(metricFilterSpec('RequestDuration'), {}, statistic, period),
      toolDuration: (tool, statistic = 'p99', period = Duration.minutes(1)) =>
        metric(metricFilterSpec('ToolDuration'), { tool }, statistic, period),
    };
  }

  /**
   * Dashboard widgets of the pipeline (its segment row, see `McpMonitoring.addSegment`): errors by
   * `error_type`, tools executed by tool and request duration (p50/p99), all from the metric filters on the
   * application log (one-minute periods), and the state of the pipeline's alarms.
   */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    const period = Duration.minutes(1);
    return [
      new cloudwatch.GraphWidget({
        title: 'Errors by error_type (log metric filter)',
        width: 8,
        height: 6,
        left: [this.metrics.errorsByTypeAll(period)],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: 'Tools executed by tool (log metric filter)',
        width: 8,
        height: 6,
        left: [this.metrics.toolsExecutedByTool(period)],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: 'Request duration, ms (log metric filter)',
        width: 8,
        height: 6,
        left: [
          this.metrics.requestDuration('p50', period).with({ label: 'p50' }),
          this.metrics.requestDuration('p99', period).with({ label: 'p99' }),
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.AlarmStatusWidget({
        title: 'Log pipeline and audit trail alarms',
        alarms: this.alarms.map((a) => a.alarm),
        width: 24,
        height: 3,
      }),
    ];
  }

  /**
   * The log driver of the MCP container: awslogs into the application log group, non-blocking by
   * default (see `logDriverMode`). Audit routing happens after ingestion, so the container needs no sidecar.
   */
  public logDriver(): ecs.LogDriver {
    return ecs.LogDrivers.awsLogs({
      logGroup: this.applicationLogGroup,
      streamPrefix: this.streamPrefix,
      mode: this.logDriverMode,
      ...(this.logDriverMode === ecs.AwsLogDriverMode.NON_BLOCKING ? { maxBufferSize: this.logBufferSize } : {}),
    });
  }

  /**
   * Extra wiring on the task: explicit denies on the task role so the service can never delete,
   * overwrite or unlock audit objects, loosen the audit bucket's lock, versioning or policy, redirect
   * or delete the Firehose streams, change the log groups' retention or subscriptions, or disable or
   * schedule the deletion of the key (which would make the whole trail unreadable), whatever else it
   * is granted. The container's log driver is set by the caller (`logging: logDriver()`).
   */
  public bindToTaskDefinition(taskDefinition: ecs.FargateTaskDefinition, container: ecs.ContainerDefinition): void {
    if (container.taskDefinition !== taskDefinition) {
      throw new Error(`McpLogging: container ${container.containerName} does not belong to the task definition given`);
    }
    taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        sid: 'DenyAuditTrailTampering',
        effect: iam.Effect.DENY,
        actions: [
          's3:DeleteObject',
          's3:DeleteObjectVersion',
          's3:PutObject',
          's3:PutObjectRetention',
          's3:PutObjectLegalHold',
          's3:BypassGovernanceRetention',
          's3:PutLifecycleConfiguration',
          's3:PutBucketPolicy',
          's3:DeleteBucketPolicy',
          's3:PutBucketObjectLockConfiguration',
          's3:PutBucketVersioning',
          's3:DeleteBucket',
        ],
        resources: [this.auditBucket.bucketArn, this.auditBucket.arnForObjects('*')],
      }),
    );
    taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        sid: 'DenyLogGroupTampering',
        effect: iam.Effect.DENY,
        // Transformers and data-protection policies rewrite events at ingestion, before the subscription
        // filters see them: either could strip `log_type` and keep entries out of the audit trail.
        actions: [
          'logs:DeleteLogGroup',
          'logs:DeleteLogStream',
          'logs:PutRetentionPolicy',
          'logs:DeleteRetentionPolicy',
          'logs:DeleteSubscriptionFilter',
          'logs:PutSubscriptionFilter',
          'logs:DeleteMetricFilter',
          'logs:PutMetricFilter',
          'logs:AssociateKmsKey',
          'logs:DisassociateKmsKey',
          'logs:PutTransformer',
          'logs:DeleteTransformer',
          'logs:PutDataProtectionPolicy',
          'logs:DeleteDataProtectionPolicy',
        ],
        resources: [this.applicationLogGroup.logGroupArn, this.auditLogGroup.logGroupArn],
      }),
    );
    taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        sid: 'DenyLogDeliveryTampering',
        effect: iam.Effect.DENY,
        actions: [
          'firehose:DeleteDeliveryStream',
          'firehose:UpdateDestination',
          'firehose:StopDeliveryStreamEncryption',
        ],
        resources: [this.applicationDeliveryStream.attrArn, this.auditDeliveryStream.attrArn],
      }),
    );
    taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        sid: 'DenyAuditKeyDestruction',
        effect: iam.Effect.DENY,
        actions: ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:DisableKeyRotation'],
        resources: [this.encryptionKey.keyArn],
      }),
    );
  }

  /** Checks every prop (the service name first) and throws once with all problems; returns the resolved config. */
  private validate(props: McpLoggingProps): LoggingConfig {
    const problems = new Problems('McpLogging', this.node.path);
    problems.replaced(props, {
      auditObjectLockDays: 'auditObjectLockPeriod (a Duration: Duration.days(n))',
      logBucketExpirationDays: 'logBucketExpiration (a Duration: Duration.days(n))',
      auditExpirationDays: 'auditExpiration (a Duration: Duration.days(n))',
    });
    const nameProblem = serviceNameProblem(props.serviceName);
    problems.add(nameProblem);
    if (!nameProblem) problems.add(claimServiceName(this, 'McpLogging', props.serviceName));
    const cfg = problems.capture(() =>
      resolveLoggingConfig({
        // A bad name is reported above; the other props are still checked.
        serviceName: nameProblem ? 'placeholder' : props.serviceName,
        auditObjectLockDays: props.auditObjectLockPeriod?.toDays({ integral: false }),
        auditRetentionDays: props.auditRetention,
        logBucketExpirationDays: props.logBucketExpiration?.toDays({ integral: false }),
        auditExpirationDays: props.auditExpiration?.toDays({ integral: false }),
        bufferIntervalSeconds: props.bufferInterval?.toSeconds({ integral: false }),
        bufferSizeMiB: props.bufferSize?.toMebibytes({ rounding: SizeRoundingBehavior.NONE }),
        indexPrefix: props.openSearch?.indexPrefix,
        indexRotation: props.openSearch?.indexRotation,
        retryDurationSeconds: props.openSearch?.retryDuration?.toSeconds({ integral: false }),
        streamPrefix: props.streamPrefix,
        logBufferSizeMiB: props.logBufferSize?.toMebibytes({ rounding: SizeRoundingBehavior.NONE }),
      }),
    );
    if (!nameProblem) {
      const stackName = Stack.of(this).stackName;
      for (const kind of ['logs', 'audit'] as const)
        problems.add(
          nameLengthProblem(
            'firehoseStream',
            'the Firehose stream name',
            firehoseStreamName(stackName, props.serviceName, kind),
          ),
        );
      problems.add(
        nameLengthProblem('logGroup', 'the log group name', logGroupName(stackName, props.serviceName, 'log-delivery')),
      );
    }
    problems.throwIfAny();
    if (
      props.logBufferSize !== undefined &&
      props.logDriverMode !== undefined &&
      props.logDriverMode !== ecs.AwsLogDriverMode.NON_BLOCKING
    ) {
      Annotations.of(this).addWarningV2(
        'mcp-ops:logBufferSizeIgnored',
        `McpLogging: logBufferSize is ignored because logDriverMode is ${props.logDriverMode} (the awslogs buffer exists in non-blocking mode only)`,
      );
    }
    return cfg!;
  }

  /** The compliance-pack findings of the pipeline's buckets, queues and roles, each with its reason. */
  private acknowledgeCompliance(serviceName: string): void {
    const notReplicated = (what: string) =>
      `${what} of ${serviceName}, versioned and KMS-encrypted in this Region; a cross-Region copy is a choice of the account's log-archive design (an organization trail or a central log account), not of this stack`;
    acknowledgeCompliance(this.accessLogBucket, {
      S3BucketReplicationEnabled: notReplicated('Server access logs of the log and audit buckets'),
      S3DefaultEncryptionKMS:
        'The S3 server-access-log target of the log and audit buckets: SSE-S3, since an SSE-KMS target needs the log-delivery service admitted to the key, and these records hold no log content',
    });
    acknowledgeCompliance(this.logBucket, { S3BucketReplicationEnabled: notReplicated('The application log archive') });
    acknowledgeCompliance(this.auditBucket, {
      S3BucketReplicationEnabled: notReplicated('The WORM audit trail (Object Lock, compliance mode)'),
    });
    acknowledgeCompliance(this, {
      IAMNoInlinePolicy:
        "Each policy of the log pipeline (log subscription, Firehose delivery, indexers, aws-cdk-lib's bucket-notification handler) is attached to exactly one role of the pipeline, scoped to its streams, buckets and key, and deleted with it",
    });
  }

  /** A Firehose stream into `o.bucket`: its role (write-only, no delete), error log stream and policy. */
  private createStream(
    id: string,
    o: {
      name: string;
      bucket: s3.Bucket;
      prefix: string;
      errorPrefix: string;
      bufferingHints: { intervalInSeconds: number; sizeInMBs: number };
      processing: firehose.CfnDeliveryStream.ProcessingConfigurationProperty;
      deliveryLogGroup: logs.LogGroup;
      logStreamName: string;
    },
  ): StreamParts {
    const stack = Stack.of(this);
    const role = new iam.Role(this, `${id}Role`, {
      description: `Firehose ${o.name}`,
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    const logStream = new logs.LogStream(this, `${id}ErrorLogStream`, {
      logGroup: o.deliveryLogGroup,
      logStreamName: o.logStreamName,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    const statements = [
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [o.bucket.bucketArn],
      }),
      // Firehose writes new objects only: no s3:DeleteObject, ever.
      new iam.PolicyStatement({
        actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        resources: [o.bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.encryptionKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [o.bucket.bucketArn, `${o.bucket.bucketArn}/*`] },
        },
      }),
      new iam.PolicyStatement({
        actions: ['logs:PutLogEvents'],
        resources: [
          `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${o.deliveryLogGroup.logGroupName}:log-stream:${o.logStreamName}`,
        ],
      }),
    ];
    const policy = new iam.Policy(this, `${id}Policy`, { roles: [role], statements });
    const iam5 = [
      {
        id: nagWildcardResourceId(this, o.bucket.arnForObjects('*')),
        reason:
          'Firehose writes date-partitioned objects whose keys are only known at delivery time; no delete action is granted',
      },
    ];
    Validations.of(policy).acknowledge(...iam5);

    const s3Config = {
      bucketArn: o.bucket.bucketArn,
      roleArn: role.roleArn,
      prefix: o.prefix,
      errorOutputPrefix: o.errorPrefix,
      compressionFormat: 'GZIP',
      bufferingHints: o.bufferingHints,
      encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: this.encryptionKey.keyArn } },
      cloudWatchLoggingOptions: {
        enabled: true,
        logGroupName: o.deliveryLogGroup.logGroupName,
        logStreamName: logStream.logStreamName,
      },
    };
    const stream = new firehose.CfnDeliveryStream(this, id, {
      deliveryStreamName: o.name,
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: {
        keyType: 'CUSTOMER_MANAGED_CMK',
        keyArn: this.encryptionKey.keyArn,
      },
      extendedS3DestinationConfiguration: { ...s3Config, processingConfiguration: o.processing },
    });
    stream.node.addDependency(policy);
    return { stream, role };
  }
}
