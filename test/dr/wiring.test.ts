/**
 * The readiness task must be able to reach what the workflow restores, or every drill fails its
 * verification: checked on the security groups of the synthesized templates of the test fixture and
 * of the default app (lib/app/stack.ts), and the restored instance must sit in production's subnets.
 */
import './quiet-logs';
import { Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../lib/app/build';
import { testApp } from '../support/app';
import { drFixture } from './fixture';
import { readinessReachability } from './reachability';
import { synthesizedWorkflow } from './workflow-harness';

describe('readiness task → restored resources (security groups)', () => {
  test('test fixture: the service security group reaches the restored database on 5432', () => {
    const r = readinessReachability(Template.fromStack(drFixture().stack));
    expect(r.database).toMatchObject({ port: 5432, reachable: true });
    // The fixture's cache group admits nobody: the check can fail.
    expect(r.cache).toMatchObject({ port: 6379, reachable: false });
  });

  describe('default app', () => {
    const template = Template.fromStack(buildDefaultApp(testApp({ stackName: 'DrWiring' })));
    const resources = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;

    test('the readiness task reaches the restored database (5432) and cache (6379)', () => {
      const r = readinessReachability(template);
      expect(r.database).toMatchObject({ reachable: true, port: 5432 });
      expect(r.cache).toMatchObject({ reachable: true, port: 6379 });
    });

    test("the state machine may use the alert topic's key (approval and notifications publish to an SSE-KMS topic)", () => {
      const topic = Object.values(resources).find((r) => r.Type === 'AWS::SNS::Topic' && r.Properties.KmsMasterKeyId)!;
      const statements = Object.entries(resources)
        .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.includes('DisasterRecoveryStateMachineRole'))
        .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement);
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Allow',
            Action: expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
            Resource: topic.Properties.KmsMasterKeyId,
          }),
        ]),
      );
    });

    test("the restored instance goes into production's subnet group with production's parameter group", () => {
      const env = synthesizedWorkflow(template).environment;
      const prod = resources[env.PRODUCTION_DB_INSTANCE_ID.replace(/^ref:/, '')];
      expect(prod.Type).toBe('AWS::RDS::DBInstance');
      expect(`ref:${(prod.Properties.DBSubnetGroupName as { Ref: string }).Ref}`).toBe(env.DB_SUBNET_GROUP);
      expect(`ref:${(prod.Properties.DBParameterGroupName as { Ref: string }).Ref}`).toBe(env.DB_PARAMETER_GROUP);
      expect(Object.keys(resources).filter((id) => id.includes('RestoreSubnetGroup'))).toEqual([]);
    });
  });
});
