import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { McpService } from '../service/mcp-service';
import { AppConfig } from './config';

/** Props for {@link McpOpsStack}. */
export interface McpOpsStackProps extends StackProps {
  /** The parsed app configuration (see `parseAppConfig`). */
  readonly config: AppConfig;
}

/**
 * The default app's stack: the MCP service with its monitoring and log pipeline, the data tier,
 * backups and the disaster-recovery workflow, configured from CDK context.
 */
export class McpOpsStack extends Stack {
  public readonly mcp: McpService;

  constructor(scope: Construct, id: string, props: McpOpsStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.mcp = new McpService(this, 'Mcp', {
      serviceName: config.serviceName,
      capacity: config.capacity,
      certificateArn: config.certificateArn,
      allowedOrigins: config.allowedOrigins,
      deletionProtection: config.deletionProtection,
    });
  }
}
