/**
 * The two-Region default app (-c recoveryRegion=eu-central-1): production and pilot-light stacks, both
 * environment-specific, synthesized with no lookups and no cross-Region export, clean under cdk-nag.
 */
import './quiet-logs';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { buildDefaultApp } from '../../lib/app/build';
import { McpPilotLight } from '../../lib/dr/pilot-light';
import { describeFindings, nagFindings, testApp } from '../support/app';
import { definitionFromTemplate, allStates } from './local-sfn';

const CONTEXT = {
  stackName: 'Prod',
  recoveryRegion: 'eu-central-1',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com',
  domainName: 'mcp.example.com',
};

function build(app: App): { production: Stack; recovery: Stack } {
  const production = buildDefaultApp(app);
  const recovery = app.node.findChild('Prod-recovery') as Stack;
  return { production, recovery };
}

describe('two-Region default app', () => {
  test('synthesizes offline, both stacks environment-specific, with no unacknowledged cdk-nag finding', () => {
    const app = testApp(CONTEXT);
    const { production, recovery } = build(app);
    expect([production.account, production.region]).toEqual(['111111111111', 'eu-west-1']);
    expect([recovery.account, recovery.region]).toEqual(['111111111111', 'eu-central-1']);
    expect(describeFindings(nagFindings(app))).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8'));
    expect(manifest.missing ?? []).toEqual([]);
  });

  describe('templates', () => {
    const { production, recovery } = build(testApp({ ...CONTEXT, stackName: 'Prod' }));
    const prod = Template.fromStack(production);
    const rec = Template.fromStack(recovery);

    test('no cross-Region (or any) CloudFormation export between them', () => {
      for (const t of [prod, rec]) {
        expect(JSON.stringify(t.toJSON())).not.toContain('Fn::ImportValue');
        expect(Object.values(t.toJSON().Outputs ?? {}).filter((o: any) => o.Export)).toEqual([]);
      }
    });

    test('the recovery stack writes the replica bucket and key ARNs to SSM; production reads them in that Region', () => {
      rec.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/mcp-ops/Prod/mcp-server/recovery/replica-bucket-arn',
      });
      rec.hasResourceProperties('AWS::SSM::Parameter', { Name: '/mcp-ops/Prod/mcp-server/recovery/data-key-arn' });
      rec.hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        VersioningConfiguration: { Status: 'Enabled' },
      });
      const readers = Object.values(prod.findResources('Custom::AWS')).map((r: any) =>
        JSON.stringify(r.Properties.Create),
      );
      expect(readers).toHaveLength(2);
      for (const r of readers) {
        expect(r).toContain('\\"region\\":\\"eu-central-1\\"');
        expect(r).toContain('/mcp-ops/Prod/mcp-server/recovery/');
      }
    });

    test('backups replicate into the recovery bucket with its key; RDS automated backups replicate to the recovery Region', () => {
      const bucket = Object.values(prod.findResources('AWS::S3::Bucket')).find(
        (b: any) => b.Properties.ReplicationConfiguration,
      ) as any;
      const rule = bucket.Properties.ReplicationConfiguration.Rules[0];
      expect(JSON.stringify(rule.Destination.Bucket)).toContain('RecoveryRegionReplicaBucketArn');
      expect(JSON.stringify(rule.Destination.EncryptionConfiguration.ReplicaKmsKeyID)).toContain(
        'RecoveryRegionDataKeyArn',
      );
      const db = Object.values(prod.findResources('AWS::RDS::DBInstance'))[0] as any;
      expect(db.Properties.AutomaticBackupReplicationRegion).toBe('eu-central-1');
      expect(JSON.stringify(db.Properties.AutomaticBackupReplicationKmsKeyId)).toContain('RecoveryRegionDataKeyArn');
    });

    test('production owns the PRIMARY failover record; the recovery workflow may UPSERT only the SECONDARY name', () => {
      prod.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'mcp.example.com.',
        Failover: 'PRIMARY',
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      });
      // Route 53 allows no simple record beside failover records of one name and type: every A record of the
      // domain in production is the PRIMARY, with its set identifier and the target's health.
      const aRecords = Object.values(prod.findResources('AWS::Route53::RecordSet')).filter(
        (r: any) => r.Properties.Name === 'mcp.example.com.' && r.Properties.Type === 'A',
      );
      expect(aRecords.length).toBeGreaterThan(0);
      for (const r of aRecords as any[]) {
        expect(r.Properties).toMatchObject({ Failover: 'PRIMARY', SetIdentifier: expect.stringMatching(/-primary$/) });
        expect(r.Properties.AliasTarget.EvaluateTargetHealth).toBe(true);
      }
      const upsert = Object.values(rec.findResources('AWS::IAM::Policy'))
        .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
        .find((s: any) => s.Sid === 'UpsertSecondaryRecord');
      expect(upsert.Condition['ForAllValues:StringEquals']).toMatchObject({
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['mcp.example.com'],
        'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
      });
    });

    test('pilot light: the same service at zero tasks (autoscaling minimum 0), pages suppressed while on standby', () => {
      rec.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 0 });
      rec.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0 });
      const page = Object.values(rec.findResources('AWS::CloudWatch::CompositeAlarm'))[0] as any;
      expect(JSON.stringify(page.Properties.ActionsSuppressor)).toContain('StandbyAlarm');
      // The image is the same asset, published to this Region by the recovery stack's deploy.
      const td = Object.values(rec.findResources('AWS::ECS::TaskDefinition'))[0] as any;
      expect(JSON.stringify(td.Properties.ContainerDefinitions[0].Image)).toContain('eu-central-1');
    });

    test("pilot light: the restored instance's credentials are encrypted with the recovery Region's data key", () => {
      const keyId = Object.keys(rec.findResources('AWS::KMS::Key')).find((id) => id.startsWith('RecoveryDataKey'))!;
      const secrets = rec.findResources('AWS::SecretsManager::Secret');
      const ids = Object.keys(secrets).filter((id) => /^PilotLight(MasterSecret|CacheAuthToken)/.test(id));
      expect(ids).toHaveLength(2);
      for (const id of ids) expect(secrets[id].Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    });

    test('pilot light without encryptionKey: a key of its own, rotated, for both secrets', () => {
      const stack = new Stack(testApp(), 'Standby', { env: { account: '111111111111', region: 'eu-central-1' } });
      const vpc = new ec2.Vpc(stack, 'Vpc', {
        availabilityZones: ['eu-central-1a', 'eu-central-1b'],
        subnetConfiguration: [
          { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        ],
      });
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
      const container = taskDefinition.addContainer('mcp', { image: ecs.ContainerImage.fromRegistry('mcp:1') });
      const service = new ecs.FargateService(stack, 'Service', {
        cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
        taskDefinition,
        desiredCount: 0,
      });
      new McpPilotLight(stack, 'PilotLight', {
        serviceName: 'mcp-server',
        vpc,
        service,
        container,
        minimumTaskCount: 2,
      });
      const t = Template.fromStack(stack);
      const keys = t.findResources('AWS::KMS::Key');
      expect(Object.keys(keys)).toEqual([expect.stringMatching(/^PilotLightSecretsKey/)]);
      const [keyId] = Object.keys(keys);
      expect(keys[keyId].Properties.EnableKeyRotation).toBe(true);
      expect(keys[keyId].DeletionPolicy).toBe('Retain');
      const secrets = Object.values(t.findResources('AWS::SecretsManager::Secret')) as any[];
      expect(secrets.map((x) => x.Properties.KmsKeyId)).toEqual([
        { 'Fn::GetAtt': [keyId, 'Arn'] },
        { 'Fn::GetAtt': [keyId, 'Arn'] },
      ]);
    });

    test('region-loss workflow: activation before the traffic approval, traffic moved after it; no task-definition registration', () => {
      const states = Object.fromEntries(allStates(definitionFromTemplate(rec))) as Record<string, any>;
      expect(states['Mode?'].Choices[0].Next).toBe('Cut over');
      expect(states['Probe passed?'].Default).toBe('Request traffic approval');
      expect(states['Traffic approved?'].Choices[0].Next).toBe('Move traffic');
      expect(states['Request cut-over approval']).toBeUndefined();
      const fn = Object.entries(rec.findResources('AWS::Lambda::Function')).find(([id]) =>
        id.startsWith('DisasterRecoveryRestoreFunction'),
      )![1] as any;
      expect(fn.Properties.Environment.Variables).toMatchObject({ DB_SOURCE_REGION: 'eu-west-1' });
      const allowed = Object.entries(rec.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.includes('RestoreFunctionServiceRole'))
        .flatMap(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement)
        .filter((s: any) => s.Effect === 'Allow')
        .flatMap((s: any) => [].concat(s.Action));
      expect(allowed).not.toContain('ecs:RegisterTaskDefinition');
      expect(allowed.filter((a: string) => a.startsWith('iam:'))).toEqual([]);
    });
  });
});
