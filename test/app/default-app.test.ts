import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../lib/app/build';
import { parseAppConfig } from '../../lib/app/config';
import { planCapacity } from '../../lib/capacity/model';
import { describeFindings, featureFlags, nagFindings, testApp } from '../support/app';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));

describe('the default app', () => {
  test('cdk.json sets the CloudFormation-validation flag and a fixed account and region', () => {
    expect(cdkJson.context['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
    expect(cdkJson.context.account).toMatch(/^\d{12}$/);
    expect(cdkJson.context.region).toBe('eu-west-1');
    expect(cdkJson.app).toBe('npx tsx bin/mcp-ops.ts');
  });

  test('synthesizes offline with cdk-nag AwsSolutions checks and no unacknowledged finding', () => {
    const app = testApp({ account: cdkJson.context.account, region: cdkJson.context.region });
    buildDefaultApp(app);
    expect(describeFindings(nagFindings(app))).toEqual([]);
    // No context lookups were needed (nothing was reported missing).
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8'));
    expect(manifest.missing ?? []).toEqual([]);
  });

  test('context settings reach the service: -c peakRps=... resizes it through the capacity model', () => {
    const app = testApp({ peakRps: '1200', stackName: 'Sized' });
    const stack = buildDefaultApp(app);
    const plan = planCapacity(parseAppConfig({ peakRps: '1200' }).capacity);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: plan.minTasks,
      MaxCapacity: plan.maxTasks,
    });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: String(plan.taskCpu),
      Memory: String(plan.taskMemoryMiB),
    });
    expect(stack.stackName).toBe('Sized');
    expect(stack.account).toBe('111111111111');
  });

  describe('composition', () => {
    const stack = buildDefaultApp(testApp({ stackName: 'Composed' }));
    const t = Template.fromStack(stack);

    test("the data tier's endpoints and secrets reach the container", () => {
      const td = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as any;
      const c = td.Properties.ContainerDefinitions[0];
      const env = Object.fromEntries(c.Environment.map((e: any) => [e.Name, e.Value]));
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['DATABASE_NAME', 'CACHE_TLS']));
      // Endpoints come from the parameters the DR cut-over rewrites (ECS secrets), not from the environment.
      expect(Object.keys(env)).not.toContain('DATABASE_HOST');
      expect(c.Secrets.map((x: any) => x.Name)).toEqual(
        expect.arrayContaining([
          'DATABASE_USERNAME',
          'DATABASE_PASSWORD',
          'CACHE_AUTH_TOKEN',
          'DATABASE_HOST',
          'DATABASE_PORT',
          'CACHE_HOST',
          'CACHE_PORT',
        ]),
      );
      t.resourceCountIs('AWS::RDS::DBInstance', 1);
      t.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 1);
    });

    test("only the service's tasks reach the database", () => {
      const dbSgIds = (
        Object.values(t.findResources('AWS::RDS::DBInstance'))[0] as any
      ).Properties.VPCSecurityGroups.map((g: any) => g['Fn::GetAtt'][0]);
      const rules = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress'))
        .map((r: any) => r.Properties)
        .filter((r: any) => dbSgIds.includes(r.GroupId['Fn::GetAtt']?.[0]));
      expect(rules.length).toBeGreaterThan(0);
      const serviceSgs = (
        Object.values(t.findResources('AWS::ECS::Service'))[0] as any
      ).Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups.map((g: any) => g['Fn::GetAtt'][0]);
      for (const r of rules) {
        expect(r.CidrIp).toBeUndefined();
        expect(serviceSgs).toContain(r.SourceSecurityGroupId['Fn::GetAtt'][0]);
      }
    });

    test("backups run hourly, warn on the service's alert topic, page through its page composite, and show on its dashboard", () => {
      t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
      const topicRef = { Ref: stack.getLogicalId(stack.mcp.alarmTopic!.node.defaultChild as any) };
      for (const alarm of stack.backup.alarms) {
        const a = (t.toJSON().Resources[stack.getLogicalId(alarm.alarm.node.defaultChild as any)] as any).Properties;
        expect(a.AlarmActions).toEqual(alarm.severity === 'critical' ? undefined : [topicRef]);
      }
      expect(stack.mcp.monitoring!.pagedAlarms.map((a) => a.id)).toContain('BackupStale');
      const body = JSON.stringify(
        (Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0] as any).Properties.DashboardBody,
      );
      expect(body).toContain('Backups');
      expect(body).toContain('BackupAgeSeconds');
    });

    test('outputs what an operator needs after deploying', () => {
      const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(Object.keys(outputs).sort()).toEqual([
        'AlarmNames',
        'AlarmTopicArn',
        'AuthIssuer',
        'AuthMachineClientSecretArn',
        'AuthPeopleClientId',
        'BackupBucketName',
        'BackupFunctionName',
        'DashboardName',
        'DashboardUrl',
        'McpEndpointUrl',
        'ProbeFunctionName',
        'RestoreStateMachineArn',
      ]);
      // `mcp-ops verify` checks every alarm of the stack by the names in AlarmNames.
      const alarmIds = Object.keys({
        ...t.findResources('AWS::CloudWatch::Alarm'),
        ...t.findResources('AWS::CloudWatch::CompositeAlarm'),
      }).sort();
      const joined = (outputs.AlarmNames.Value as { 'Fn::Join': [string, { Ref: string }[]] })['Fn::Join'];
      expect(joined[0]).toBe(',');
      expect(joined[1].map((r) => r.Ref).sort()).toEqual(alarmIds);
      expect(JSON.stringify(outputs.McpEndpointUrl.Value)).toContain('/mcp');
      expect(JSON.stringify(outputs.DashboardUrl.Value)).toContain('#dashboards:name=');
    });

    test('the restore workflow protects production and reports to the same topic and dashboard', () => {
      t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      const topicRef = { Ref: stack.getLogicalId(stack.mcp.alarmTopic!.node.defaultChild as any) };
      for (const alarm of stack.dr.alarms) {
        const a = (t.toJSON().Resources[stack.getLogicalId(alarm.alarm.node.defaultChild as any)] as any).Properties;
        expect(a.AlarmActions).toEqual([topicRef]);
        expect(a.OKActions).toEqual([topicRef]);
      }
      const dbRef = stack.getLogicalId(stack.data!.database!.node.defaultChild as any);
      const policies = JSON.stringify(
        Object.values(t.findResources('AWS::IAM::Policy')).map((p: any) => p.Properties.PolicyDocument.Statement),
      );
      const denies = (JSON.parse(policies) as any[][])
        .flat()
        .filter((st) => st.Effect === 'Deny' && JSON.stringify(st.Resource).includes(dbRef));
      expect(denies.length).toBeGreaterThan(0);
      expect(JSON.stringify(denies)).toMatch(/rds:DeleteDBInstance/);
      const body = JSON.stringify(
        (Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0] as any).Properties.DashboardBody,
      );
      expect(body).toContain('Disaster recovery');
    });
  });

  test('a bad context value fails the synth with a clear message', () => {
    const app = testApp({ peakRps: '-5' });
    expect(() => buildDefaultApp(app)).toThrow(/peakRps/);
    expect(featureFlags['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
  });
});

describe('the default app’s data-tier and endpoint settings', () => {
  test('databaseInstanceClass, cacheNodeType and the pool reach the database, the cache, the container and the alarms', () => {
    const stack = buildDefaultApp(
      testApp({
        databaseInstanceClass: 'db.m7g.xlarge',
        cacheNodeType: 'cache.r7g.large',
        databasePoolSize: '8',
        databasePoolMaxOverflow: '4',
        stackName: 'DataSettings',
      }),
    );
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.m7g.xlarge' });
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { CacheNodeType: 'cache.r7g.large' });
    const td = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0] as any;
    const env = Object.fromEntries(
      td.Properties.ContainerDefinitions[0].Environment.map((e: any) => [e.Name, e.Value]),
    );
    expect([env.DATABASE_POOL_SIZE, env.DATABASE_POOL_MAX_OVERFLOW]).toEqual(['8', '4']);
    // db.m7g.xlarge (16 GiB): max_connections ⌊16 GiB × 0.9 / 9531392⌋ = 1622, budget ⌊(1622 − 3) × 0.8⌋ = 1295.
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'DataSettings-mcp-server-DatabaseConnections',
      Threshold: 1295,
    });
  });

  test('a smaller pool is the fix the budget error names: with it, a peak that overflowed fits', () => {
    let message = '';
    try {
      buildDefaultApp(testApp({ peakRps: '3000', stackName: 'Overflow' }));
    } catch (e) {
      message = (e as Error).message;
    }
    const fix = /-c databasePoolSize=(\d+) -c databasePoolMaxOverflow=(\d+)/.exec(message);
    expect(fix).not.toBeNull();
    expect(() =>
      buildDefaultApp(
        testApp({ peakRps: '3000', databasePoolSize: fix![1], databasePoolMaxOverflow: fix![2], stackName: 'Fixed' }),
      ),
    ).not.toThrow();
  });

  test('vpcEndpoints=true adds the endpoints the cost model prices', () => {
    const t = Template.fromStack(buildDefaultApp(testApp({ vpcEndpoints: 'true', stackName: 'Endpoints' })));
    const types = Object.values(t.findResources('AWS::EC2::VPCEndpoint')).map((r: any) => r.Properties.VpcEndpointType);
    expect(types.sort()).toEqual(['Gateway', 'Interface', 'Interface', 'Interface', 'Interface', 'Interface']);
  });
});

describe('the default app’s database connection budget', () => {
  test('a peak whose pools overflow db.m7g.large fails the synth with the numbers and the fixes', () => {
    expect(() => buildDefaultApp(testApp({ peakRps: '3000', stackName: 'Overflow' }))).toThrow(
      /^McpDataTier: the service's database connections do not fit db\.m7g\.large: 1440 connections needed, budget 646 .*Fixes: a larger instance class: db\.m7g\.2xlarge/,
    );
    // Without the data tier there is no database to overflow.
    expect(() => buildDefaultApp(testApp({ peakRps: '3000', dataTier: 'false', stackName: 'NoData' }))).not.toThrow();
  });
});
