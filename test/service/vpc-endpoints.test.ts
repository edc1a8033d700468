/**
 * McpService's `vpcEndpoints`: the S3 gateway endpoint on the tasks' route tables and the interface endpoints the
 * cost model prices (ECR api and dkr, CloudWatch Logs, Secrets Manager, SSM), with private DNS, admitting only the
 * service's tasks on 443; ignored with a warning in a given VPC; cdk-nag clean.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { VPC_ENDPOINT_SERVICES } from '../../lib/capacity/cost';
import { McpService, McpServiceProps } from '../../lib/service/mcp-service';
import { McpVpcEndpoints } from '../../lib/service/vpc-endpoints';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';

const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable');

function synth(props: McpServiceProps) {
  const app = testApp();
  const stack = testStack(app);
  const mcp = new McpService(stack, 'Mcp', { image, monitoring: { enabled: false }, ...props });
  return { app, stack, mcp, template: Template.fromStack(stack) };
}

describe('McpService vpcEndpoints: true', () => {
  const { app, stack, mcp, template } = synth({ vpcEndpoints: true });
  const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((r) => r.Properties);
  const serviceOf = (p: Record<string, any>) => JSON.stringify(stack.resolve(p.ServiceName));

  test('one gateway endpoint for S3 and one interface endpoint per service the cost model prices', () => {
    const gateways = endpoints.filter((p) => p.VpcEndpointType === 'Gateway');
    const interfaces = endpoints.filter((p) => p.VpcEndpointType === 'Interface');
    expect(gateways).toHaveLength(1);
    expect(serviceOf(gateways[0])).toContain('.s3');
    expect(interfaces).toHaveLength(VPC_ENDPOINT_SERVICES.length);
    for (const name of VPC_ENDPOINT_SERVICES) {
      expect(interfaces.filter((p) => serviceOf(p).includes(`.${name}`))).toHaveLength(1);
    }
    expect(Object.keys(mcp.vpcEndpoints!.interfaceEndpoints).sort()).toEqual([...VPC_ENDPOINT_SERVICES].sort());
  });

  test('interface endpoints: private DNS, one network interface per zone in the tasks’ private subnets', () => {
    const privateSubnets = mcp.vpc.privateSubnets.map((s) => stack.resolve(s.subnetId));
    expect(privateSubnets).toHaveLength(2);
    for (const p of endpoints.filter((e) => e.VpcEndpointType === 'Interface')) {
      expect(p.PrivateDnsEnabled).toBe(true);
      expect(p.SubnetIds).toEqual(privateSubnets);
    }
    // The S3 route goes into the private subnets' route tables (where the tasks pull image layers from).
    const gateway = endpoints.find((e) => e.VpcEndpointType === 'Gateway')!;
    expect(gateway.RouteTableIds).toEqual(mcp.vpc.privateSubnets.map((s) => stack.resolve(s.routeTable.routeTableId)));
  });

  test('the endpoints admit only the service’s tasks, on 443, and send nothing out', () => {
    const sg = stack.resolve(mcp.vpcEndpoints!.securityGroup.securityGroupId);
    const taskSg = stack.resolve(mcp.service.connections.securityGroups[0].securityGroupId);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(sg));
    expect(ingress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: taskSg }),
    ]);
    const group = Object.values(template.findResources('AWS::EC2::SecurityGroup')).find(
      (r) => r.Properties.GroupDescription === 'MCP VPC endpoints: HTTPS from the service tasks only',
    )!;
    // allowAllOutbound false: CDK's placeholder rule that matches no traffic.
    expect(group.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' }),
    ]);
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('the NAT gateways stay (the OAuth issuer and third-party APIs need them)', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });
});

describe('McpService vpcEndpoints, other cases', () => {
  test('default: no endpoints', () => {
    const { mcp, template } = synth({});
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(mcp.vpcEndpoints).toBeUndefined();
  });

  test('with a given VPC: ignored, and a synth warning says why', () => {
    const app = testApp();
    const stack = testStack(app);
    const vpc = new ec2.Vpc(stack, 'Theirs', { maxAzs: 2, flowLogs: { all: {} } });
    const mcp = new McpService(stack, 'Mcp', { image, monitoring: { enabled: false }, vpc, vpcEndpoints: true });
    expect(mcp.vpcEndpoints).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/Mcp',
      Match.stringLikeRegexp('vpcEndpoints is ignored because vpc is given'),
    );
  });

  test('McpVpcEndpoints in any VPC admits each peer given to allowFrom', () => {
    const stack = testStack(testApp());
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const endpoints = new McpVpcEndpoints(stack, 'Endpoints', { vpc });
    const peer = new ec2.SecurityGroup(stack, 'Peer', { vpc });
    endpoints.allowFrom(peer, 'a VPC Lambda');
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443,
      ToPort: 443,
      Description: 'AWS APIs (HTTPS) from a VPC Lambda',
      SourceSecurityGroupId: stack.resolve(peer.securityGroupId),
    });
  });
});
