import { CONTEXT_KEYS, parseAppConfig } from '../../lib/app/config';

describe('parseAppConfig', () => {
  test("defaults: the operations guide's load, a fixed placeholder account and region, data tier on", () => {
    const c = parseAppConfig({});
    expect(c.account).toBe('111111111111');
    expect(c.region).toBe('eu-west-1');
    expect(c.capacity).toEqual(
      expect.objectContaining({
        peakRps: 1000,
        meanLatencyMs: 100,
        p99LatencyMs: 1000,
        cpuSecondsPerRequest: 0.01,
        memoryPerConnectionMiB: 10,
        headroom: 0.5,
        availabilityZones: 2,
      }),
    );
    expect(c.dataTier).toBe(true);
    expect(c.deletionProtection).toBe(true);
    expect(c.certificateArn).toBeUndefined();
  });

  test('-c values arrive as strings and are converted', () => {
    const c = parseAppConfig({
      peakRps: '250',
      availabilityZones: '3',
      dataTier: 'false',
      survivesAzLoss: 'true',
      alarmEmails: 'a@example.com, b@example.com',
      taskCpu: '1024',
      taskMemoryMiB: '2048',
    });
    expect(c.capacity.peakRps).toBe(250);
    expect(c.capacity.availabilityZones).toBe(3);
    expect(c.capacity.taskCpu).toBe(1024);
    expect(c.dataTier).toBe(false);
    expect(c.capacity.survivesAzLoss).toBe(true);
    expect(c.alarmEmails).toEqual(['a@example.com', 'b@example.com']);
  });

  test("data-tier and endpoint keys: unset means the constructs' defaults; set, they are converted", () => {
    const d = parseAppConfig({});
    expect([d.databaseInstanceClass, d.cacheNodeType, d.databasePoolSize, d.databasePoolMaxOverflow]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(d.vpcEndpoints).toBe(false);
    const c = parseAppConfig({
      databaseInstanceClass: 'db.m7g.xlarge',
      cacheNodeType: 'cache.r7g.large',
      databasePoolSize: '8',
      databasePoolMaxOverflow: '0',
      vpcEndpoints: 'true',
    });
    expect(c).toMatchObject({
      databaseInstanceClass: 'db.m7g.xlarge',
      cacheNodeType: 'cache.r7g.large',
      databasePoolSize: 8,
      databasePoolMaxOverflow: 0,
      vpcEndpoints: true,
    });
  });

  test("feature flags and CDK's own context keys are ignored", () => {
    expect(() =>
      parseAppConfig({ '@aws-cdk/core:validateAgainstDefaultRules': true, 'aws:cdk:enable-path-metadata': true }),
    ).not.toThrow();
  });

  test.each([
    [{ peakRps: 'lots' }, /context peakRps: expected a number, got "lots"/],
    [{ availabilityZones: '2.5' }, /context availabilityZones: expected a whole number/],
    [{ dataTier: 'yes' }, /context dataTier: expected true or false, got "yes"/],
    [{ account: '123' }, /context account: expected a 12-digit AWS account id/],
    [{ region: 'Europe' }, /context region: expected an AWS region/],
    [{ alarmEmails: 'not-an-email' }, /context alarmEmails: expected email addresses/],
    [{ peakRPS: '10' }, /context peakRPS: unknown setting. Known settings: account, region/],
    [{ databaseInstanceClass: 'm7g.large' }, /context databaseInstanceClass: expected an RDS instance class such as/],
    [{ cacheNodeType: 'db.m7g.large' }, /context cacheNodeType: expected an ElastiCache node type such as/],
    [{ databasePoolSize: '0' }, /context databasePoolSize: expected a whole number from 1 to 1000, got 0/],
    [{ databasePoolMaxOverflow: '1.5' }, /context databasePoolMaxOverflow: expected a whole number/],
    [{ vpcEndpoints: 'on' }, /context vpcEndpoints: expected true or false, got "on"/],
  ])('rejects %j', (ctx, message) => {
    expect(() => parseAppConfig(ctx as Record<string, unknown>)).toThrow(message);
  });

  test('every documented key is accepted', () => {
    const ctx = Object.fromEntries(CONTEXT_KEYS.map((k) => [k.key, undefined]));
    expect(() => parseAppConfig(ctx)).not.toThrow();
  });
});
