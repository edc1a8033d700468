/**
 * The default app's disaster-recovery context keys, and the production stack synthesized in its post-recovery
 * state: after a recovery in place the next `cdk deploy` keeps the service on the restored endpoints.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../lib/app/build';
import { parseRecoveryConfig } from '../../lib/app/recovery-config';
import { testApp } from '../support/app';

describe('recovery context keys', () => {
  test('defaults: no recovery stack, nothing recovered', () => {
    expect(parseRecoveryConfig({}, 'McpOps', 'eu-west-1')).toEqual({
      recoveryStackName: 'McpOps-recovery',
      recoveryAvailabilityZoneNames: [],
      recoveredIn: 'production',
      recovered: {},
    });
  });

  test('a recovery Region gets zones a-c and a stack name derived from the production stack', () => {
    const c = parseRecoveryConfig({ recoveryRegion: 'eu-central-1' }, 'McpOps', 'eu-west-1');
    expect(c.recoveryRegion).toBe('eu-central-1');
    expect(c.recoveryAvailabilityZoneNames).toEqual(['eu-central-1a', 'eu-central-1b', 'eu-central-1c']);
  });

  test.each([
    [{ recoveryRegion: 'eu-west-1' }, /recoveryRegion: expected a Region other than the production Region eu-west-1/],
    [{ recoveryRegion: 'mars' }, /recoveryRegion: expected an AWS region/],
    [
      { recoveredDatabase: 'mcp-dr-1' },
      /recoveredDatabaseEndpoint: expected recoveredDatabase and recoveredDatabaseEndpoint together/,
    ],
    [
      { recoveredDatabase: 'mcp-dr-1', recoveredDatabaseEndpoint: 'no-port.example.com' },
      /recoveredDatabaseEndpoint: expected host:port/,
    ],
    [
      { recoveredCache: 'Bad_Id', recoveredCacheEndpoint: 'c.example.com:6379' },
      /recoveredCache: expected a replication group id/,
    ],
    [{ recoveredIn: 'recovery' }, /recoveredIn: expected "production" unless recoveryRegion is set/],
    [{ hostedZoneId: 'example.com' }, /hostedZoneId: expected a Route 53 hosted zone id/],
    [
      { recoveryRegion: 'eu-central-1', recoveryAvailabilityZoneNames: 'eu-west-1a' },
      /recoveryAvailabilityZoneNames: expected zones of recoveryRegion eu-central-1/,
    ],
  ])('%j is refused with the key, the value and what is allowed', (ctx, message) => {
    expect(() => parseRecoveryConfig(ctx, 'McpOps', 'eu-west-1')).toThrow(message);
  });
});

describe('production stack in its post-recovery state (recovery in place)', () => {
  const host = 'mcp-server-dr-0abc123.cxyzexample.eu-west-1.rds.amazonaws.com';
  const cacheHost = 'master.mcp-server-dr-0abc123.abcdef.euw1.cache.amazonaws.com';
  const template = Template.fromStack(
    buildDefaultApp(
      testApp({
        stackName: 'PostRecovery',
        recoveredDatabase: 'mcp-server-dr-0abc123',
        recoveredDatabaseEndpoint: `${host}:5432`,
        recoveredCache: 'mcp-server-dr-0abc123',
        recoveredCacheEndpoint: `${cacheHost}:6379`,
      }),
    ),
  );
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const parameterValue = (name: string): unknown =>
    Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::SSM::Parameter' && r.Properties.Name === `/mcp-ops/PostRecovery/mcp-server/endpoints/${name}`,
    )?.Properties.Value;

  test('the service still points at the recovered endpoints: its endpoint parameters hold them', () => {
    expect(parameterValue('DATABASE_HOST')).toBe(host);
    expect(parameterValue('DATABASE_PORT')).toBe('5432');
    expect(parameterValue('CACHE_HOST')).toBe(cacheHost);
    expect(parameterValue('CACHE_PORT')).toBe('6379');
    const td = Object.values(resources).find((r) => r.Type === 'AWS::ECS::TaskDefinition')!;
    const secrets = td.Properties.ContainerDefinitions[0].Secrets as Array<{ Name: string; ValueFrom: unknown }>;
    const hostSecret = secrets.find((s) => s.Name === 'DATABASE_HOST')!;
    const hostParameterId = Object.entries(resources).find(
      ([, r]) =>
        r.Type === 'AWS::SSM::Parameter' &&
        r.Properties.Name === '/mcp-ops/PostRecovery/mcp-server/endpoints/DATABASE_HOST',
    )![0];
    expect(JSON.stringify(hostSecret.ValueFrom)).toContain(`{"Ref":"${hostParameterId}"}`);
    // The old instance stays in the stack (kept, not replaced or deleted).
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::RDS::DBInstance')).toHaveLength(1);
  });

  test('backups and the recovery workflow follow the restored instance; the workflow protects it', () => {
    const backupFn = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('BackupFunction'),
    )![1];
    expect(JSON.stringify(backupFn.Properties.Environment.Variables)).toContain('"mcp-server-dr-0abc123"');
    const restoreFn = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('DisasterRecoveryRestoreFunction'),
    )![1];
    expect(restoreFn.Properties.Environment.Variables.PRODUCTION_DB_INSTANCE_ID).toBe('mcp-server-dr-0abc123');
    expect(restoreFn.Properties.Environment.Variables.CACHE_PRODUCTION_ID).toBe('mcp-server-dr-0abc123');
    const deny = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement)
      .find((s: any) => s.Sid === 'DenyProductionDatabaseChanges');
    expect(JSON.stringify(deny.Resource)).toContain(':db:mcp-server-dr-0abc123');
  });
});
