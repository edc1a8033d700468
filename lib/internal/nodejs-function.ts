import { Acknowledgment, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeCompliance } from './compliance';
import { stackLogKey } from './log-key';
import { lambdaBundleDir } from './paths';

/** Props for {@link McpOpsFunction}: every `lambda.Function` option except the code, handler and runtime. */
export interface McpOpsFunctionProps extends lambda.FunctionOptions {
  /** Folder name under `lambda/` (and bundle under `dist/lambda/`), e.g. `mcp-probe`. */
  readonly handlerName: string;
  /**
   * The function's log group, when the caller makes it (the role is granted write on it).
   * @default a log group of its own, KMS-encrypted, with `logRetention`
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * Retention of the function's own log group (when `logGroup` is not given).
   * @default logs.RetentionDays.ONE_YEAR: a year of invocation records, as PCI DSS 10.7 asks of audit trails
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * KMS key of the function's own log group (when `logGroup` is not given).
   * @default the stack's log key (`stackLogKey`)
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Why the function runs outside a VPC, for the compliance packs' LambdaInsideVPC rule (not used when `vpc` is
   * given). Every function of this package calls only AWS APIs or public endpoints and reaches no resource in
   * a VPC, so each says which.
   */
  readonly outsideVpcReason: string;
  /**
   * Why the function has no dead-letter queue, for the LambdaDLQ rules (not used when `deadLetterQueue` is set):
   * who invokes it, and what notices a failed invocation.
   */
  readonly noDeadLetterQueueReason: string;
}

/**
 * A Lambda function of this package: Node.js 24 (the current LTS) on ARM64, X-Ray tracing, JSON logs, and a
 * role and a log group of its own. The role is created here without the AWSLambdaBasicExecutionRole managed
 * policy (which may write to every log group of the account): it may create streams in and write to the
 * function's own log group only. The log group is KMS-encrypted (the stack's log key) with a retention.
 * The code is the handler's pre-built bundle (`dist/lambda/<handlerName>/index.js`, built by `npm run bundle`
 * from this repository's lock file, AWS SDK included), deployed as it is: the code that runs in Lambda is the
 * code the tests ran, and a consuming app needs no esbuild and bundles nothing at synth.
 */
export class McpOpsFunction extends lambda.Function {
  /** The function's log group (given, or created here). */
  public readonly functionLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: McpOpsFunctionProps) {
    // The reasons are read by acknowledgeFindings; lambda.Function must not receive them.
    const {
      handlerName,
      logRetention,
      logEncryptionKey,
      outsideVpcReason: _outsideVpcReason,
      noDeadLetterQueueReason: _noDeadLetterQueueReason,
      ...rest
    } = props;
    const logGroup =
      rest.logGroup ??
      new logs.LogGroup(scope, `${id}LogGroup`, {
        retention: logRetention ?? logs.RetentionDays.ONE_YEAR,
        encryptionKey: logEncryptionKey ?? stackLogKey(scope),
        removalPolicy: RemovalPolicy.RETAIN,
      });
    const role =
      rest.role ??
      new iam.Role(scope, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Lambda ${handlerName}: writes only its own log group`,
      });
    // CreateLogStream and PutLogEvents on the function's log group and its streams, nothing else of CloudWatch Logs.
    // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
    logGroup.grantWrite(role);
    if (!rest.role)
      acknowledgeCompliance(role, {
        IAMNoInlinePolicy: `The policy of Lambda ${handlerName}'s own role: its log group, X-Ray and the grants of its construct, attached to this one role and deleted with it`,
      });
    // In a VPC: the network-interface actions Lambda needs (without AWSLambdaVPCAccessExecutionRole, which also
    // grants logs:* writes on every log group). The Describe actions have no resource-level permissions, and Lambda
    // creates the interfaces in subnets it chooses.
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
    if (rest.vpc)
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'LambdaVpcNetworkInterfaces',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    super(scope, id, {
      timeout: Duration.seconds(30),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...rest,
      role,
      logGroup,
      code: lambda.Code.fromAsset(lambdaBundleDir(handlerName)),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
    });
    this.functionLogGroup = logGroup;
    this.acknowledgeFindings(props);
  }

  /**
   * Acknowledges validation findings on the function and on its role (a sibling construct, so that the
   * function can be given it at construction), e.g. `AwsSolutions-IAM5` on the role's policy.
   */
  public acknowledge(...acknowledgments: Acknowledgment[]): void {
    Validations.of(this).acknowledge(...acknowledgments);
    Validations.of(this.role!).acknowledge(...acknowledgments);
  }

  private acknowledgeFindings(props: McpOpsFunctionProps): void {
    acknowledgeCompliance(this, {
      ...(props.vpc ? {} : { LambdaInsideVPC: props.outsideVpcReason }),
      ...(props.deadLetterQueue || props.deadLetterQueueEnabled ? {} : { LambdaDLQ: props.noDeadLetterQueueReason }),
      ...(props.reservedConcurrentExecutions !== undefined
        ? {}
        : {
            // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
            LambdaConcurrency:
              'No reserved concurrency: a reservation must leave the account 100 unreserved executions, so it fails the deploy in accounts with the default quota of new accounts; each function of this package runs one invocation at a time or a few, and alarms on errors',
          }),
    });
  }
}
