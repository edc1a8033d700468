import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { McpDatabaseOptions, McpDataTier } from '../../lib/data/data-tier';
import { testStack } from '../support/app';

function dataTier(database: McpDatabaseOptions = {}) {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  return new McpDataTier(stack, 'Data', { vpc, database });
}

const T4G_MEDIUM = ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM);

describe('McpDataTier.checkConnectionBudget', () => {
  test('the default class (db.m7g.large) carries 13 tasks with the guide’s pool and returns the budget', () => {
    const data = dataTier();
    expect(data.databaseInstanceClass).toBe('db.m7g.large');
    const budget = data.checkConnectionBudget({ maxTasks: 13 })!;
    expect([budget.fits, budget.maxConnections, budget.budget, budget.demand]).toEqual([true, 811, 646, 510]);
  });

  test('a plan that overflows max_connections fails with the numbers, the fixes and the settings that apply them', () => {
    const data = dataTier({ instanceType: T4G_MEDIUM });
    expect(data.databaseInstanceClass).toBe('db.t4g.medium');
    const check = () => data.checkConnectionBudget({ maxTasks: 40 });
    expect(check).toThrow(
      /^McpDataTier: the service's database connections do not fit db\.t4g\.medium: 1530 connections needed, budget 321 \(max_connections 405 − 3 reserved, less the margin\)\..*Fixes: a larger instance class: db\.m7g\.2xlarge .*; a smaller pool: at most 6 connections per process .*; RDS Proxy .*McpDataTier does not create one/,
    );
    // The error names the props and the default app's context keys that apply the first two fixes.
    expect(check).toThrow(
      'To apply one: database.instanceType m7g.2xlarge (default app: -c databaseInstanceClass=db.m7g.2xlarge); or database.poolSize 4 and database.poolMaxOverflow 2 (default app: -c databasePoolSize=4 -c databasePoolMaxOverflow=2).',
    );
  });

  test('the pool is the data tier’s: the budget counts the numbers the container gets', () => {
    // The suggested pool really fits, and reaches the container unchanged.
    const data = dataTier({ instanceType: T4G_MEDIUM, poolSize: 4, poolMaxOverflow: 2 });
    expect(data.checkConnectionBudget({ maxTasks: 40 })).toMatchObject({ fits: true, connectionsPerProcess: 6 });
    expect(data.containerEnvironment).toMatchObject({ DATABASE_POOL_SIZE: '4', DATABASE_POOL_MAX_OVERFLOW: '2' });
    expect([data.poolSize, data.poolMaxOverflow]).toEqual([4, 2]);
    // Passing a pool to the check instead would let the two drift apart: refused.
    expect(() => data.checkConnectionBudget({ maxTasks: 40, poolSize: 30 } as never)).toThrow(
      "McpDataTier: checkConnectionBudget: poolSize is the data tier's own setting (database.poolSize), so the budget and the container use the same number; got 30",
    );
  });

  test('maxConnections is set in the parameter group and used by the budget', () => {
    const data = dataTier({ instanceType: T4G_MEDIUM, maxConnections: 2000 });
    Template.fromStack(data.node.scope as never).hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: { max_connections: '2000' },
    });
    expect(data.checkConnectionBudget({ maxTasks: 40 })).toMatchObject({
      fits: true,
      maxConnections: 2000,
      budget: 1597,
    });
  });

  test.each([
    [{ poolSize: 0 }, 'McpDataTier: database.poolSize must be an integer from 1 to 1000, got 0'],
    [{ poolMaxOverflow: -1 }, 'McpDataTier: database.poolMaxOverflow must be an integer from 0 to 1000, got -1'],
    [
      { poolSize: 900, poolMaxOverflow: 200 },
      "McpDataTier: database.poolSize + database.poolMaxOverflow must be at most 1000 connections (the reference server's limit), got 1100",
    ],
    [{ maxConnections: 5 }, 'McpDataTier: database.maxConnections must be an integer from 10 to 262143, got 5'],
  ])('rejects %j', (database, message) => {
    expect(() => dataTier(database)).toThrow(message);
  });

  test('without a database there is nothing to check', () => {
    expect(dataTier({ enabled: false }).checkConnectionBudget({ maxTasks: 5000 })).toBeUndefined();
  });
});
