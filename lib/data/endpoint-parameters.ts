import { Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { checkThat } from '../internal/validate';
import { EndpointVariable, endpointParameterName, endpointParameterPath, parameterPathProblem } from './endpoint-names';

const OWNER = 'McpEndpointParameters';

/** A host and port, given as strings or tokens (e.g. a DB instance's endpoint attributes). */
export interface McpEndpointValue {
  /** Host name. */
  readonly host: string;
  /** Port, as a number or a token string. */
  readonly port: string | number;
}

/** Props of {@link McpEndpointParameters}. */
export interface McpEndpointParametersProps {
  /** The service whose endpoints these are (part of the parameter path). */
  readonly serviceName: string;
  /**
   * Path of the parameters: each one is `<path>/<VARIABLE>`.
   * @default `/mcp-ops/<stack name>/<serviceName>/endpoints`
   */
  readonly parameterPath?: string;
  /**
   * The database endpoint (`DATABASE_HOST`, `DATABASE_PORT`).
   * @default no database parameters
   */
  readonly database?: McpEndpointValue;
  /**
   * The cache endpoint (`CACHE_HOST`, `CACHE_PORT`).
   * @default no cache parameters
   */
  readonly cache?: McpEndpointValue;
}

/**
 * The service's database and cache endpoints as SSM String parameters that the stack creates and owns
 * (`<path>/DATABASE_HOST`, …), delivered to the container as ECS secrets. The disaster-recovery workflow's
 * cut-over overwrites them and forces a new deployment, so the service moves to restored resources without a
 * task-definition revision made outside CloudFormation. To keep a recovered resource across the next
 * `cdk deploy`, give its endpoint here (the default app's `recoveredDatabase…` context keys).
 */
export class McpEndpointParameters extends Construct {
  /** The parameter path. */
  public readonly parameterPath: string;
  /** The parameters, by container variable. */
  public readonly parameters: Record<string, ssm.StringParameter>;

  constructor(scope: Construct, id: string, props: McpEndpointParametersProps) {
    super(scope, id);
    this.parameterPath =
      props.parameterPath ?? endpointParameterPath(Stack.of(this).stackName, props.serviceName ?? 'mcp-server');
    if (!Token.isUnresolved(this.parameterPath)) {
      const problem = parameterPathProblem(this.parameterPath);
      checkThat(OWNER, problem === undefined, `parameterPath ${problem}`);
    }
    checkThat(
      OWNER,
      props.database !== undefined || props.cache !== undefined,
      'give database or cache (or both): there is no endpoint to publish',
    );
    this.parameters = {};
    if (props.database) {
      this.addParameter('DATABASE_HOST', props.database.host, 'database host');
      this.addParameter('DATABASE_PORT', String(props.database.port), 'database port');
    }
    if (props.cache) {
      this.addParameter('CACHE_HOST', props.cache.host, 'cache host');
      this.addParameter('CACHE_PORT', String(props.cache.port), 'cache port');
    }
  }

  private addParameter(variable: EndpointVariable, value: string, what: string): void {
    this.parameters[variable] = new ssm.StringParameter(this, variable, {
      parameterName: endpointParameterName(this.parameterPath, variable),
      stringValue: value,
      description: `${what} of the MCP service (container ${variable}); the disaster-recovery cut-over overwrites it`,
      tier: ssm.ParameterTier.STANDARD,
      simpleName: false,
    });
  }

  /** ECS secrets for the container: each variable from its parameter. */
  public containerSecrets(): Record<string, ecs.Secret> {
    return Object.fromEntries(
      Object.entries(this.parameters).map(([name, p]) => [name, ecs.Secret.fromSsmParameter(p!)]),
    );
  }

  /** Parameter names by variable (what the restore Lambda writes at cut-over). */
  public parameterNames(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.parameters).map(([name, p]) => [name, p!.parameterName]));
  }

  /** Lets `grantee` read and overwrite the parameters (the cut-over); nothing else in Parameter Store. */
  public grantUpdate(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ssm:GetParameters', 'ssm:PutParameter'],
      resourceArns: Object.values(this.parameters).map((p) => p!.parameterArn),
    });
  }
}
