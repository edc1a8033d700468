import { Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../lib/app/build';
import { StackInventory, defaultAppInventory } from '../../lib/capacity/cost';
import { testApp } from '../support/app';
import { capacityFacts } from '../../cli/review/capacity';
import { CfnTemplate } from '../../cli/review/template';

/**
 * What the cost model prices, counted in a synthesized template (everything but custom metrics) by the review
 * report's reader (cli/review/capacity.ts), which prices templates with the same price table.
 */
function inventoryOf(template: Template, availabilityZones: number): Omit<StackInventory, 'customMetrics'> {
  const json = template.toJSON() as CfnTemplate;
  const facts = capacityFacts(json, 'eu-west-1');
  const db = facts.data.find((d) => d.kind === 'database');
  const cache = facts.data.find((d) => d.kind === 'cache');
  expect(facts.billable.availabilityZones).toBe(availabilityZones);
  return {
    ...facts.billable,
    loadBalancers: facts.loadBalancers,
    natGateways: facts.natGateways,
    ...(db ? { database: { instanceClass: db.instanceClass!, multiAz: db.multiAz, storageGb: db.storageGiB! } } : {}),
    ...(cache ? { cache: { nodeType: cache.instanceClass!, nodes: cache.nodes } } : {}),
  };
}

describe('the cost model’s inventory of the default app', () => {
  // If this fails after a construct changed, update defaultAppInventory (lib/capacity/cost.ts) to what the
  // template now deploys, and the README's cost block with `npm run capacity -- --default-app --markdown`.
  test.each([
    ['the default app', {}, { availabilityZones: 2 }],
    ['without the data tier', { dataTier: 'false' }, { availabilityZones: 2, dataTier: false }],
    ['on three zones', { availabilityZones: '3' }, { availabilityZones: 3 }],
    ['with VPC endpoints', { vpcEndpoints: 'true' }, { availabilityZones: 2, vpcEndpoints: true }],
    [
      'with a larger database class',
      { databaseInstanceClass: 'db.m7g.xlarge' },
      { availabilityZones: 2, databaseInstanceClass: 'db.m7g.xlarge' },
    ],
  ])('%s: what the cost model prices is what the template deploys', (_name, context, options) => {
    const stack = buildDefaultApp(testApp(context));
    const { customMetrics: _metrics, ...expected } = defaultAppInventory(options);
    expect(inventoryOf(Template.fromStack(stack), options.availabilityZones)).toEqual(expected);
  });
});
