/**
 * Same template with or without the consumer's feature flags. The constructs pin the flags they were tested
 * with on their own subtree (lib/internal/feature-flags.ts), so an app without this repository's cdk.json
 * flags gets the same resources, properties and logical ids. Two flags are read at the stack, outside any
 * construct's subtree, and change notation only (README, "Feature flags"): normalized for them, the
 * templates are equal.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../lib/app/build';
import { testApp } from '../support/app';
import { normalizeForFlags } from '../support/flag-normalize';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

const bare = Template.fromStack(buildDefaultApp(new App({ context: NO_BUNDLING }))).toJSON();
const flagged = Template.fromStack(buildDefaultApp(testApp(NO_BUNDLING))).toJSON();

test('the same resources, by logical id and type', () => {
  const types = (t: any) => Object.fromEntries(Object.entries(t.Resources).map(([k, r]: [string, any]) => [k, r.Type]));
  expect(types(bare)).toEqual(types(flagged));
  expect(Object.keys(bare.Outputs).sort()).toEqual(Object.keys(flagged.Outputs).sort());
});

test('the same properties, once the notation of the two stack-level flags is normalized', () => {
  const a = normalizeForFlags(bare);
  const b = normalizeForFlags(flagged);
  for (const id of Object.keys(a.Resources)) expect([id, a.Resources[id]]).toEqual([id, b.Resources[id]]);
  expect(a.Outputs).toEqual(b.Outputs);
});

test('and the raw templates do differ only there: partition literals and merged, sorted policy statements', () => {
  const raw = (t: any) => JSON.stringify(t);
  expect(raw(bare)).toContain('{"Ref":"AWS::Partition"}');
  expect(raw(flagged)).not.toContain('"Ref":"AWS::Partition"},":iam::111111111111:root"');
});
