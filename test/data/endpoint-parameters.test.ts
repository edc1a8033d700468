import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { McpDataTier } from '../../lib/data/data-tier';
import {
  endpointParameterPath,
  endpointValues,
  parameterPathProblem,
  parseHostPort,
} from '../../lib/data/endpoint-names';
import { McpEndpointParameters } from '../../lib/data/endpoint-parameters';
import { testStack } from '../support/app';

function tier(props: Partial<ConstructorParameters<typeof McpDataTier>[2]> = {}) {
  const stack = testStack(undefined, 'EndpointsStack');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    subnetConfiguration: [
      { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const data = new McpDataTier(stack, 'Data', { vpc, endpointParameters: { serviceName: 'mcp' }, ...props });
  return { stack, data, template: Template.fromStack(stack) };
}

describe('endpoint names (pure)', () => {
  test('path holds the stack and the service; host:port parses and says what is wrong', () => {
    expect(endpointParameterPath('McpOps', 'mcp-server')).toBe('/mcp-ops/McpOps/mcp-server/endpoints');
    expect(parseHostPort('x', 'db.example.com:5432')).toEqual({ host: 'db.example.com', port: 5432 });
    expect(() => parseHostPort('context recoveredDatabaseEndpoint', 'db.example.com')).toThrow(
      /context recoveredDatabaseEndpoint must be host:port .*got "db.example.com"/,
    );
    expect(() => parseHostPort('x', 'db:99999')).toThrow(/port 1-65535/);
    expect(parameterPathProblem('/mcp-ops/A/b/endpoints')).toBeUndefined();
    expect(parameterPathProblem('/aws/reserved')).toMatch(/not under \/aws/);
    expect(parameterPathProblem('no-slash')).toMatch(/got "no-slash"/);
    expect(endpointValues({ database: { host: 'd', port: 5433 }, cache: { host: 'c' } })).toEqual({
      DATABASE_HOST: 'd',
      DATABASE_PORT: '5433',
      CACHE_HOST: 'c',
      CACHE_PORT: '6379',
    });
  });
});

describe('McpDataTier endpointParameters', () => {
  test('endpoints become SSM String parameters named by stack and service, given to the container as ECS secrets', () => {
    const { data, stack, template } = tier();
    for (const name of ['DATABASE_HOST', 'DATABASE_PORT', 'CACHE_HOST', 'CACHE_PORT']) {
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: `/mcp-ops/EndpointsStack/mcp/endpoints/${name}`,
        Type: 'String',
      });
    }
    const host = template.findResources('AWS::SSM::Parameter', {
      Properties: { Name: '/mcp-ops/EndpointsStack/mcp/endpoints/DATABASE_HOST' },
    });
    // Valued from the tier's own instance.
    expect(JSON.stringify(Object.values(host)[0].Properties.Value)).toContain('Endpoint.Address');
    expect(Object.keys(data.containerEnvironment).sort()).toEqual([
      'CACHE_TLS',
      'DATABASE_NAME',
      'DATABASE_POOL_MAX_OVERFLOW',
      'DATABASE_POOL_SIZE',
    ]);
    expect(Object.keys(data.containerSecrets).sort()).toEqual([
      'CACHE_AUTH_TOKEN',
      'CACHE_HOST',
      'CACHE_PORT',
      'DATABASE_HOST',
      'DATABASE_PASSWORD',
      'DATABASE_PORT',
      'DATABASE_USERNAME',
    ]);
    expect(stack.resolve(data.containerSecrets.DATABASE_HOST.arn)).toEqual(
      stack.resolve(data.endpointParameters!.parameters.DATABASE_HOST!.parameterArn),
    );
  });

  test('post-recovery state: the parameters name the restored resources, the tier keeps its own instance', () => {
    const { template } = tier({
      endpointParameters: {
        serviceName: 'mcp',
        recovered: {
          database: {
            instanceIdentifier: 'mcp-dr-0abc123',
            host: 'mcp-dr-0abc123.x.eu-west-1.rds.amazonaws.com',
            port: 5432,
          },
          cache: {
            replicationGroupId: 'mcp-dr-0abc123',
            host: 'master.mcp-dr-0abc123.x.euw1.cache.amazonaws.com',
            port: 6379,
          },
        },
      },
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/mcp-ops/EndpointsStack/mcp/endpoints/DATABASE_HOST',
      Value: 'mcp-dr-0abc123.x.eu-west-1.rds.amazonaws.com',
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/mcp-ops/EndpointsStack/mcp/endpoints/CACHE_HOST',
      Value: 'master.mcp-dr-0abc123.x.euw1.cache.amazonaws.com',
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
  });

  test('a recovered identifier that is not one is refused', () => {
    expect(() =>
      tier({
        endpointParameters: {
          serviceName: 'mcp',
          recovered: { database: { instanceIdentifier: '9-bad--id', host: 'h.example.com', port: 5432 } },
        },
      }),
    ).toThrow(/recovered.database.instanceIdentifier must be a DB instance identifier, got "9-bad--id"/);
  });

  test('McpEndpointParameters needs something to publish and a valid path', () => {
    const stack = testStack(undefined, 'Empty');
    expect(() => new McpEndpointParameters(stack, 'E', { serviceName: 'mcp' })).toThrow(/give database or cache/);
    expect(
      () =>
        new McpEndpointParameters(stack, 'F', {
          serviceName: 'mcp',
          parameterPath: 'x',
          cache: { host: 'h', port: 1 },
        }),
    ).toThrow(/parameterPath must be an SSM parameter path/);
  });
});

describe('McpDataTier database.backupReplication', () => {
  const keyArn = 'arn:aws:kms:eu-central-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  test('sets the CloudFormation automated-backup replication properties', () => {
    const { template } = tier({
      database: { backupReplication: { region: 'eu-central-1', kmsKeyArn: keyArn, retention: Duration.days(14) } },
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      AutomaticBackupReplicationRegion: 'eu-central-1',
      AutomaticBackupReplicationKmsKeyId: keyArn,
      AutomaticBackupReplicationRetentionPeriod: 14,
    });
  });

  test('retention defaults to the instance retention (the property is left out)', () => {
    const { template } = tier({ database: { backupReplication: { region: 'eu-central-1', kmsKeyArn: keyArn } } });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      AutomaticBackupReplicationRegion: 'eu-central-1',
      AutomaticBackupReplicationRetentionPeriod: Match.absent(),
    });
  });

  test('an alias, a key of another Region or a retention over 35 days is refused', () => {
    expect(() =>
      tier({
        database: {
          backupReplication: { region: 'eu-central-1', kmsKeyArn: 'arn:aws:kms:eu-central-1:111111111111:alias/x' },
        },
      }),
    ).toThrow(/the ARN of a KMS key in eu-central-1 \(CloudFormation takes a key ARN, not an alias\)/);
    expect(() =>
      tier({
        database: {
          backupReplication: { region: 'eu-central-1', kmsKeyArn: keyArn.replace('eu-central-1', 'us-east-1') },
        },
      }),
    ).toThrow(/KMS key in eu-central-1/);
    expect(() =>
      tier({
        database: { backupReplication: { region: 'eu-central-1', kmsKeyArn: keyArn, retention: Duration.days(36) } },
      }),
    ).toThrow(/retention \(days\) must be an integer from 1 to 35, got 36/);
  });
});
