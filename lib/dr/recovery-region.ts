import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { kmsBucketProps } from '../internal/buckets';
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
      encryption: s3.BucketEncryption.S3_MANAGED, // server access logs cannot target an SSE-KMS bucket
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
    // S3 replicates Object-Locked objects only into a bucket with Object Lock enabled (and versioning, which
    // Object Lock implies): https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html#object-lock-managing-replication
    return new s3.Bucket(this, 'Bucket', {
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
    this.replicaBucketArn = this.read('ReplicaBucketArn', props, productionStackName, 'replicaBucketArn');
    this.dataKeyArn = this.read('DataKeyArn', props, productionStackName, 'dataKeyArn');
    // The custom-resource provider aws-cdk-lib shares per stack (a singleton Lambda at the stack's root).
    const provider = stack.node.tryFindChild(
      cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '').replace(/^/, 'AWS'),
    );
    if (provider) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "aws-cdk-lib's AwsCustomResource provider: the basic execution role writes only its own log group; its inline policy allows ssm:GetParameter on the two recovery parameters only",
      });
    }
  }

  private read(
    id: string,
    props: McpRecoveryRegionReferenceProps,
    productionStackName: string,
    parameter: 'replicaBucketArn' | 'dataKeyArn',
  ): string {
    const name = recoveryParameterName(productionStackName, props.serviceName, parameter);
    const call: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'GetParameter',
      parameters: { Name: name },
      region: props.recoveryRegion,
      physicalResourceId: cr.PhysicalResourceId.of(`${props.recoveryRegion}:${name}`),
    };
    const reader = new cr.AwsCustomResource(this, id, {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({
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
    });
    return reader.getResponseField('Parameter.Value');
  }
}
