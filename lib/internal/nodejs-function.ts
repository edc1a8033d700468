import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundlingRoot, lambdaEntry } from './paths';

/**
 * Rewrites the bundle's source map so that its `sources` are relative to the project root instead of to
 * the bundling output folder. esbuild writes them relative to the output file, which lives in the cloud
 * assembly (`cdk.out/bundling-temp-*`, or a temporary folder in tests and `cdk synth -o`), and the asset
 * hash is taken over the output: without this, the same commit synthesized into two folders at different
 * depths gets different asset hashes (and a pull-request diff shows every Lambda as changed). Runs with
 * `bash -c` (or `cmd /c`) in the project root after esbuild; the script has no quotes or `$` to escape.
 */
const NORMALIZE_SOURCE_MAP =
  "const fs=require('fs'),p=require('path');const[o,i]=process.argv.slice(1);const f=p.join(o,'index.js.map');" +
  "if(fs.existsSync(f)){const m=JSON.parse(fs.readFileSync(f,'utf8'));" +
  "m.sources=m.sources.map((s)=>p.relative(i,p.resolve(o,s)).split(p.sep).join('/'));fs.writeFileSync(f,JSON.stringify(m))}";

const PROJECT_RELATIVE_SOURCE_MAPS: nodejs.ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir: string, outputDir: string) => [
    `node -e "${NORMALIZE_SOURCE_MAP}" "${outputDir}" "${inputDir}"`,
  ],
};

/** Props for {@link McpOpsFunction}. */
export interface McpOpsFunctionProps extends Omit<
  nodejs.NodejsFunctionProps,
  'entry' | 'runtime' | 'architecture' | 'bundling' | 'projectRoot' | 'depsLockFilePath'
> {
  /** Folder name under `lambda/`, e.g. `mcp-probe`. */
  readonly handlerName: string;
  /**
   * Retention of the function's own log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Lambda function of this package: Node.js 24 (the current LTS) on ARM64, bundled by the local esbuild
 * (never Docker), minified with source maps, AWS SDK v3 taken from the runtime only where the
 * runtime's copy is recent enough (we bundle ours so behaviour matches the tests), X-Ray tracing,
 * a log group with retention, and JSON logs.
 */
export class McpOpsFunction extends nodejs.NodejsFunction {
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
      environment: { NODE_OPTIONS: '--enable-source-maps', ...rest.environment },
      logGroup,
      entry: lambdaEntry(handlerName),
      ...bundlingRoot(),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
        // Bundle the SDK clients we use, so the deployed code runs the versions the tests ran.
        bundleAwsSDK: true,
        externalModules: [],
        // esbuild's per-asset size report is noise in `cdk synth` output; warnings and errors still show.
        logLevel: nodejs.LogLevel.WARNING,
        commandHooks: PROJECT_RELATIVE_SOURCE_MAPS,
      },
    });
  }
}
