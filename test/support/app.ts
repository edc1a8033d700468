import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, Stack, StackProps } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));

/** The feature flags of cdk.json (including `@aws-cdk/core:validateAgainstDefaultRules: true`). */
export const featureFlags: Record<string, unknown> = Object.fromEntries(
  Object.entries(cdkJson.context as Record<string, unknown>).filter(([k]) => k.startsWith('@aws-cdk')),
);

/** A test App with the project's feature flags and no asset staging outside a temp dir. */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...featureFlags, ...context } });
}

/** A stack in a fixed account and region (no credentials, no lookups). */
export function testStack(app: App = testApp(), id = 'TestStack', props: StackProps = {}): Stack {
  return new Stack(app, id, { env: { account: '111111111111', region: 'eu-west-1' }, ...props });
}

/**
 * Applies cdk-nag AwsSolutionsChecks to the stack and returns every unsuppressed
 * finding (errors and warnings) as readable strings. Call before the stack is synthesized.
 */
export function nagFindings(stack: Stack): string[] {
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  const annotations = Annotations.fromStack(stack);
  const found = [
    ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ];
  return found.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`);
}
