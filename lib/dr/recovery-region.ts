import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { kmsBucketProps } from '../internal/buckets';
import { acknowledgeCompliance } from '../internal/compliance';
import { stackLogKey } from '../internal/log-key';
import { checkInteger, checkPattern, checkThat } from '../internal/validate';
import { recoveryKeyAlias, recoveryParameterName } from './recovery-names';

/** Props of {@link McpRecoveryRegionData}. */
export interface McpRecoveryRegionDataProps {
  /** Name of the production stack (the recovery parameters' path holds it). */
  readonly productionStackName: string;
  /** The service (as in the production stack). */
  readonly serviceName: string;
  /**
   * How long replicated backups are kept (lifecycle expiry); match the production backup retention.
   * @default Duration.days(30)
   */
  readonly retention?: Duration;
  /**
   * Object Lock mode of the replicas (S3 replicates each object's own retention; this is the default for
   * objects that have none).
   * @default s3.ObjectLockMode.GOVERNANCE
   */
  readonly objectLockMode?: s3.ObjectLockMode;
  /**
   * What happens to the bucket and key when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The data half of a pilot light, in the recovery Region: a KMS key of that Region (backup replicas,
 * replicated RDS automated backups, instances restored from them) and the versioned, Object-Locked,
 * KMS-encrypted bucket the production backup bucket replicates into. Both ARNs are written to SSM parameters
 * (`/mcp-ops/<production stack>/<service>/recovery/…`), which the production stack reads with
 * {@link McpRecoveryRegionReference}: no cross-Region export. Deploy this stack first.
 */
export class McpRecoveryRegionData extends Construct {
  /** The recovery Region's data key. */
  public readonly key: kms.Key;
  /** The replica bucket (the region-loss workflow's backup bucket). */
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: McpRecoveryRegionDataProps) {
    super(scope, id);
    const retentionDays = (props.retention ?? Duration.days(30)).toDays();
    checkInteger('McpRecoveryRegionData', 'retention (days)', retentionDays, 1, 3650);
    const mode = props.objectLockMode ?? s3.ObjectLockMode.GOVERNANCE;
    checkThat(
      'McpRecoveryRegionData',
      mode === s3.ObjectLockMode.GOVERNANCE || mode === s3.ObjectLockMode.COMPLIANCE,
      `objectLockMode must be "GOVERNANCE" or "COMPLIANCE", got ${JSON.stringify(mode)}`,
    );
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = this.createKey(props, removalPolicy);
    this.bucket = this.createBucket(retentionDays, mode, removalPolicy);
    this.publish(props);
  }

  private createKey(props: McpRecoveryRegionDataProps, removalPolicy: RemovalPolicy): kms.Key {
    return new kms.Key(this, 'Key', {
      description: `mcp-ops ${props.serviceName} (${props.productionStackName}): backups and database backups replicated to this Region`,
      enableKeyRotation: true,
      alias: recoveryKeyAlias(props.productionStackName, props.serviceName),
      removalPolicy,
    });
  }

  private createBucket(retentionDays: number, mode: s3.ObjectLockMode, removalPolicy: RemovalPolicy): s3.Bucket {
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // no key policy for the S3 log-delivery service (below)
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the access-log target of the replica bucket; logging it into itself would loop.',
    });
    // An SSE-KMS target works only with a customer managed key whose policy admits the S3 logging service
    // (aws/aws-cdk#25350); SSE-S3 needs no key policy. https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
    acknowledgeCompliance(accessLogs, {
      S3DefaultEncryptionKMS:
        'The S3 server-access-log target of the replica bucket: SSE-S3, since an SSE-KMS target needs the log-delivery service admitted to the key, and these records hold no backup content',
      S3BucketReplicationEnabled:
        'Access records of the replica bucket, kept 90 days in the recovery Region: an audit trail of replication and restore reads, not backup data',
    });
    // S3 replicates Object-Locked objects only into a bucket with Object Lock enabled (and versioning, which
    // Object Lock implies): https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html#object-lock-managing-replication
    const bucket = new s3.Bucket(this, 'Bucket', {
      ...kmsBucketProps(this.key),
      objectLockEnabled: true,
      objectLockDefaultRetention:
        mode === s3.ObjectLockMode.COMPLIANCE
          ? s3.ObjectLockRetention.compliance(Duration.days(retentionDays))
          : s3.ObjectLockRetention.governance(Duration.days(retentionDays)),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'replica-bucket/',
      lifecycleRules: [
        {
          id: 'expire-replicas',
          expiration: Duration.days(retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy,
    });
    acknowledgeCompliance(bucket, {
      S3BucketReplicationEnabled:
        "This bucket is the replication destination: the production backup bucket's copy in the recovery Region, Object-Locked and versioned; a third copy would be another Region's design",
    });
    return bucket;
  }

  private publish(props: McpRecoveryRegionDataProps): void {
    new ssm.StringParameter(this, 'ReplicaBucketArn', {
      parameterName: recoveryParameterName(props.productionStackName, props.serviceName, 'replicaBucketArn'),
      stringValue: this.bucket.bucketArn,
      description: `Bucket in this Region that ${props.productionStackName}'s backup bucket replicates into`,
      simpleName: false,
    });
    new ssm.StringParameter(this, 'DataKeyArn', {
      parameterName: recoveryParameterName(props.productionStackName, props.serviceName, 'dataKeyArn'),
      stringValue: this.key.keyArn,
      description: `KMS key in this Region for ${props.productionStackName}'s replicated backups and RDS automated backups`,
      simpleName: false,
    });
  }
}

/** Props of {@link McpRecoveryRegionReference}. */
export interface McpRecoveryRegionReferenceProps {
  /** The recovery Region (where {@link McpRecoveryRegionData} wrote its parameters). */
  readonly recoveryRegion: string;
  /** The service. */
  readonly serviceName: string;
  /**
   * Name of the production stack, as the recovery stack knows it.
   * @default this stack's name
   */
  readonly productionStackName?: string;
  /**
   * Retention of the parameter reader's log group (aws-cdk-lib's AwsCustomResource provider, one per stack: the
   * first reference of the stack sets it).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly functionLogRetention?: logs.RetentionDays;
}

/**
 * Reads, at deploy time, the recovery stack's parameters in the recovery Region (SSM GetParameter through a
 * custom resource: CloudFormation's `{{resolve:ssm:…}}` reads the stack's own Region only): the replica bucket
 * ARN and the data key ARN. The deploy fails with `ParameterNotFound` when the recovery stack is not deployed
 * yet. It reads again only when its properties change (a new Region or stack name).
 */
export class McpRecoveryRegionReference extends Construct {
  /** ARN of the replica bucket in the recovery Region. */
  public readonly replicaBucketArn: string;
  /** ARN of the recovery Region's data key (what RDS `AutomaticBackupReplicationKmsKeyId` needs). */
  public readonly dataKeyArn: string;

  constructor(scope: Construct, id: string, props: McpRecoveryRegionReferenceProps) {
    super(scope, id);
    checkPattern(
      'McpRecoveryRegionReference',
      'recoveryRegion',
      props.recoveryRegion,
      /^[a-z]{2}(-[a-z]+)+-\d$/,
      'a Region such as eu-central-1',
    );
    const stack = Stack.of(this);
    checkThat(
      'McpRecoveryRegionReference',
      props.recoveryRegion !== stack.region,
      `recoveryRegion must differ from the stack's Region ${stack.region}, got ${JSON.stringify(props.recoveryRegion)}`,
    );
    const productionStackName = props.productionStackName ?? stack.stackName;
    const reader = readerIdentity(stack, props.functionLogRetention);
    this.replicaBucketArn = this.read('ReplicaBucketArn', props, productionStackName, 'replicaBucketArn', reader);
    this.dataKeyArn = this.read('DataKeyArn', props, productionStackName, 'dataKeyArn', reader);
    acknowledgeProvider(stack);
  }

  private read(
    id: string,
    props: McpRecoveryRegionReferenceProps,
    productionStackName: string,
    parameter: 'replicaBucketArn' | 'dataKeyArn',
    reader: ReaderIdentity,
  ): string {
    const name = recoveryParameterName(productionStackName, props.serviceName, parameter);
    const call: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'GetParameter',
      parameters: { Name: name },
      region: props.recoveryRegion,
      physicalResourceId: cr.PhysicalResourceId.of(`${props.recoveryRegion}:${name}`),
    };
    // ssm:GetParameter on this one parameter (a String parameter: no KMS key involved).
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
    reader.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ssm',
            region: props.recoveryRegion,
            resource: 'parameter',
            resourceName: name.replace(/^\//, ''),
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      }),
    );
    const resource = new cr.AwsCustomResource(this, id, {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      role: reader.role,
      logGroup: reader.logGroup,
      // Above Lambda's 128 MB default (the Serverless pack's LambdaDefaultMemorySize): a deploy-time SDK call.
      memorySize: 256,
    });
    // The reader's role and its policy exist before the call: the custom resource waits for the grant.
    resource.node.addDependency(reader.role);
    return resource.getResponseField('Parameter.Value');
  }
}

/** The role and log group of the stack's AwsCustomResource provider (one per stack, as the provider is). */
interface ReaderIdentity {
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

const READER_ROLE_ID = 'McpRecoveryParameterReaderRole';
const READER_LOG_GROUP_ID = 'McpRecoveryParameterReaderLogGroup';

/**
 * aws-cdk-lib runs every AwsCustomResource of a stack in one singleton Lambda, which takes the role and the
 * log group of the first one created: so both are stack singletons too. Its own role (instead of
 * aws-cdk-lib's with AWSLambdaBasicExecutionRole, which writes every log group of the account) may write
 * only its KMS-encrypted log group and read the recovery parameters the references add.
 */
function readerIdentity(stack: Stack, retention: logs.RetentionDays | undefined): ReaderIdentity {
  const existing = stack.node.tryFindChild(READER_ROLE_ID) as iam.Role | undefined;
  if (existing) return { role: existing, logGroup: stack.node.findChild(READER_LOG_GROUP_ID) as logs.LogGroup };
  const role = new iam.Role(stack, READER_ROLE_ID, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Reads the recovery Region parameters at deploy time (AwsCustomResource): its own log group only',
  });
  const logGroup = new logs.LogGroup(stack, READER_LOG_GROUP_ID, {
    retention: retention ?? logs.RetentionDays.ONE_YEAR,
    encryptionKey: stackLogKey(stack),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  logGroup.grantWrite(role);
  acknowledgeCompliance(role, {
    IAMNoInlinePolicy:
      "The policy of the recovery-parameter reader's own role: ssm:GetParameter on the recovery parameters and its log group, attached to this one role and deleted with it",
  });
  return { role, logGroup };
}

/** The findings of aws-cdk-lib's provider function that a deploy-time reader of two parameters cannot fix. */
function acknowledgeProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(
    cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '').replace(/^/, 'AWS'),
  );
  if (!provider) return;
  // CloudFormation invokes a custom resource's function asynchronously and waits for the response at the
  // event's pre-signed URL; the provider answers FAILED on every error, which fails (and rolls back) the deploy.
  // https://docs.aws.amazon.com/lambda/latest/dg/services-cloudformation.html
  acknowledgeCompliance(provider, {
    LambdaDLQ:
      "aws-cdk-lib's AwsCustomResource provider: CloudFormation invokes it during a deploy and waits for its answer; an error answers FAILED and fails the deploy, so no event is left for a dead-letter queue",
    LambdaInsideVPC:
      "aws-cdk-lib's AwsCustomResource provider: calls only the recovery Region's SSM endpoint, which this Region's VPC endpoints cannot serve, and runs only during deploys",
    LambdaConcurrency:
      "aws-cdk-lib's AwsCustomResource provider: CloudFormation calls it once per reader during a deploy; a reservation would take 1 of the account's unreserved executions for nothing",
    LambdaTracing:
      "aws-cdk-lib's AwsCustomResource provider: two deploy-time GetParameter calls; the deploy's events record them, a trace would add nothing",
  });
}
