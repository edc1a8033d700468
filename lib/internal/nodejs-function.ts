import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lambdaBundleDir } from './paths';

/** Props for {@link McpOpsFunction}: every `lambda.Function` option except the code, handler and runtime. */
export interface McpOpsFunctionProps extends lambda.FunctionOptions {
  /** Folder name under `lambda/` (and bundle under `dist/lambda/`), e.g. `mcp-probe`. */
  readonly handlerName: string;
  /**
   * Retention of the function's own log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Lambda function of this package: Node.js 24 (the current LTS) on ARM64, X-Ray tracing, a log group with
 * retention, and JSON logs. The code is the handler's pre-built bundle (`dist/lambda/<handlerName>/index.js`,
 * built by `npm run bundle` from this repository's lock file, AWS SDK included), deployed as it is: the code that
 * runs in Lambda is the code the tests ran, and a consuming app needs no esbuild and bundles nothing at synth.
 */
export class McpOpsFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: McpOpsFunctionProps) {
    const { handlerName, logRetention, ...rest } = props;
    const logGroup =
      rest.logGroup ??
      new logs.LogGroup(scope, `${id}LogGroup`, {
        retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
      });
    super(scope, id, {
      timeout: Duration.seconds(30),
      memorySize: 256,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...rest,
      logGroup,
      code: lambda.Code.fromAsset(lambdaBundleDir(handlerName)),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
    });
  }
}
