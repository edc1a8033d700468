import { Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../lib/app/build';
import { StackInventory, defaultAppInventory } from '../../lib/capacity/cost';
import { testApp } from '../support/app';

/** Counts, in a synthesized template, what the cost model prices (everything but custom metrics). */
function inventoryOf(template: Template, availabilityZones: number): Omit<StackInventory, 'customMetrics'> {
  const all = Object.values(template.toJSON().Resources as Record<string, { Type: string; Properties: any }>);
  const of = (type: string) => all.filter((r) => r.Type === type).map((r) => r.Properties);
  const albs = of('AWS::ElasticLoadBalancingV2::LoadBalancer');
  let standard = 0;
  let highResolution = 0;
  let anomaly = 0;
  for (const alarm of of('AWS::CloudWatch::Alarm')) {
    if (alarm.ThresholdMetricId) {
      anomaly++;
      continue;
    }
    const periods: number[] = alarm.Metrics
      ? alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period)
      : [alarm.Period];
    for (const period of periods) {
      if (period < 60) highResolution++;
      else standard++;
    }
  }
  const db = of('AWS::RDS::DBInstance');
  const cache = of('AWS::ElastiCache::ReplicationGroup');
  const endpoints = of('AWS::EC2::VPCEndpoint');
  return {
    availabilityZones,
    loadBalancers: albs.length,
    natGateways: of('AWS::EC2::NatGateway').length,
    publicIpv4Addresses:
      of('AWS::EC2::EIP').length +
      albs.filter((a) => a.Scheme === 'internet-facing').reduce((n, a) => n + a.Subnets.length, 0),
    ...(db.length === 1
      ? {
          database: {
            instanceClass: db[0].DBInstanceClass,
            multiAz: db[0].MultiAZ === true,
            storageGb: Number(db[0].AllocatedStorage),
          },
        }
      : {}),
    ...(cache.length === 1 ? { cache: { nodeType: cache[0].CacheNodeType, nodes: cache[0].NumCacheClusters } } : {}),
    standardAlarmMetrics: standard,
    highResolutionAlarmMetrics: highResolution,
    anomalyDetectionAlarms: anomaly,
    compositeAlarms: of('AWS::CloudWatch::CompositeAlarm').length,
    dashboards: of('AWS::CloudWatch::Dashboard').length,
    kmsKeys: of('AWS::KMS::Key').length,
    secrets: of('AWS::SecretsManager::Secret').length,
    firehoseStreams: of('AWS::KinesisFirehose::DeliveryStream').length,
    interfaceEndpoints: endpoints.filter((e) => e.VpcEndpointType === 'Interface').length,
    gatewayEndpoints: endpoints.filter((e) => e.VpcEndpointType === 'Gateway').length,
  };
}

describe('the cost model’s inventory of the default app', () => {
  // If this fails after a construct changed, update defaultAppInventory (lib/capacity/cost.ts) to what the
  // template now deploys, and the README's cost block with `npm run capacity -- --default-app --markdown`.
  test.each([
    ['the default app', {}, { availabilityZones: 2 }],
    ['without the data tier', { dataTier: 'false' }, { availabilityZones: 2, dataTier: false }],
    ['on three zones', { availabilityZones: '3' }, { availabilityZones: 3 }],
  ])('%s: what the cost model prices is what the template deploys', (_name, context, options) => {
    const stack = buildDefaultApp(testApp(context));
    const { customMetrics: _metrics, ...expected } = defaultAppInventory(options);
    expect(inventoryOf(Template.fromStack(stack), options.availabilityZones)).toEqual(expected);
  });
});
