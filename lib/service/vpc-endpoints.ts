import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { VPC_ENDPOINT_SERVICES } from '../capacity/cost';

/** Props for {@link McpVpcEndpoints}. */
export interface McpVpcEndpointsProps {
  /** The VPC the service's tasks run in. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the interface endpoints (one network interface per zone) and whose route tables get the S3 route.
   * @default the VPC's private subnets with egress (where McpService runs its tasks)
   */
  readonly subnets?: ec2.SubnetSelection;
}

/** The interface endpoint of each service the cost model prices (lib/capacity/cost.ts VPC_ENDPOINT_SERVICES). */
const INTERFACE_SERVICES: Record<string, { id: string; service: ec2.InterfaceVpcEndpointAwsService }> = {
  'ecr.api': { id: 'EcrApi', service: ec2.InterfaceVpcEndpointAwsService.ECR },
  'ecr.dkr': { id: 'EcrDocker', service: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER },
  logs: { id: 'Logs', service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS },
  secretsmanager: { id: 'SecretsManager', service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER },
  ssm: { id: 'Ssm', service: ec2.InterfaceVpcEndpointAwsService.SSM },
};

/**
 * VPC endpoints that carry the tasks' AWS API traffic instead of the NAT gateways: the S3 gateway endpoint (ECR
 * image layers come from S3; free) and interface endpoints, with private DNS, for ECR (`ecr.api`, `ecr.dkr`),
 * CloudWatch Logs (the awslogs driver), Secrets Manager (the container's secrets) and SSM. The NAT gateways stay
 * for everything else (the OAuth issuer's JWKS, third-party APIs).
 *
 * A Fargate task (platform 1.4.0 and later) pulls its image, reads its secrets and ships its logs through its own
 * network interface, so its security group is what the endpoints must admit; the endpoints' security group admits
 * only peers given to {@link allowFrom} (the service's tasks, and any Lambda of yours that runs in the VPC), on
 * 443. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-version-migration.html,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html. Pricing: per endpoint per zone-hour
 * and per GB (https://aws.amazon.com/privatelink/pricing/); `npm run capacity -- --vpc-endpoints true` prices it.
 */
export class McpVpcEndpoints extends Construct {
  /** The interface endpoints' security group: 443 from the peers given to {@link allowFrom} only. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The S3 gateway endpoint. */
  public readonly s3: ec2.GatewayVpcEndpoint;
  /** The interface endpoints, by service (`ecr.api`, `ecr.dkr`, `logs`, `secretsmanager`, `ssm`). */
  public readonly interfaceEndpoints: Readonly<Record<string, ec2.InterfaceVpcEndpoint>>;

  constructor(scope: Construct, id: string, props: McpVpcEndpointsProps) {
    super(scope, id);
    const subnets = props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'MCP VPC endpoints: HTTPS from the service tasks only',
      allowAllOutbound: false,
    });
    this.s3 = new ec2.GatewayVpcEndpoint(this, 'S3', {
      vpc: props.vpc,
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [subnets],
    });
    const endpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};
    for (const name of VPC_ENDPOINT_SERVICES) {
      const spec = INTERFACE_SERVICES[name];
      endpoints[name] = new ec2.InterfaceVpcEndpoint(this, spec.id, {
        vpc: props.vpc,
        service: spec.service,
        subnets,
        securityGroups: [this.securityGroup],
        privateDnsEnabled: true,
        // No rule for the whole VPC: allowFrom admits the peers one by one.
        open: false,
      });
    }
    this.interfaceEndpoints = endpoints;
  }

  /** Admits a peer (the service's tasks, a Lambda in the VPC) to the interface endpoints on 443. */
  public allowFrom(peer: ec2.IConnectable, description = 'MCP service tasks'): void {
    this.securityGroup.connections.allowFrom(peer, ec2.Port.tcp(443), `AWS APIs (HTTPS) from ${description}`);
  }
}
