import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { McpDataTier } from '../../lib/data/data-tier';
import { testStack } from '../support/app';

function dataTier(instanceType?: ec2.InstanceType, database = true) {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  return new McpDataTier(stack, 'Data', {
    vpc,
    database: database ? (instanceType ? { instanceType } : true) : false,
  });
}

describe('McpDataTier.checkConnectionBudget', () => {
  test('the default class (db.m7g.large) carries 13 tasks with the guide’s pool and returns the budget', () => {
    const data = dataTier();
    expect(data.databaseInstanceClass).toBe('db.m7g.large');
    const budget = data.checkConnectionBudget({ maxTasks: 13 })!;
    expect([budget.fits, budget.maxConnections, budget.budget, budget.demand]).toEqual([true, 811, 646, 510]);
  });

  test('a plan that overflows max_connections fails with the numbers and the fixes', () => {
    const data = dataTier(ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM));
    expect(data.databaseInstanceClass).toBe('db.t4g.medium');
    expect(() => data.checkConnectionBudget({ maxTasks: 40 })).toThrow(
      /^McpDataTier: the service's database connections do not fit db\.t4g\.medium: 1530 connections needed, budget 321 \(max_connections 405 − 3 reserved, less the margin\)\..*Fixes: a larger instance class: db\.m7g\.2xlarge .*; a smaller pool: at most 6 connections per process .*; RDS Proxy/,
    );
    // A smaller pool that fits passes.
    expect(data.checkConnectionBudget({ maxTasks: 40, poolSize: 4, maxOverflow: 2 })?.fits).toBe(true);
  });

  test('without a database there is nothing to check', () => {
    expect(dataTier(undefined, false).checkConnectionBudget({ maxTasks: 5000 })).toBeUndefined();
  });
});
