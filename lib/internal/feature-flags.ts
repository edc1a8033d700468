import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';

/**
 * The aws-cdk-lib feature flags this package is built and tested with: those `cdk init` writes for a new
 * project plus the currently recommended ones (the same set as this repository's cdk.json).
 */
export const TESTED_FEATURE_FLAGS: Readonly<Record<string, unknown>> = Object.freeze({
  ...cxapi.NEW_PROJECT_DEFAULT_CONTEXT,
  ...cxapi.CURRENTLY_RECOMMENDED_FLAGS,
});

/**
 * Gives a construct's subtree the feature flags this package was tested with, for every flag the app
 * has not set itself, so the constructs synthesize the same in an older app (whose cdk.json predates
 * these flags) as in our tests. An app's explicit setting always wins. Call first in a constructor,
 * before any child is added.
 */
export function useTestedFeatureFlags(scope: IConstruct): void {
  for (const [flag, value] of Object.entries(TESTED_FEATURE_FLAGS)) {
    if (scope.node.tryGetContext(flag) === undefined) scope.node.setContext(flag, value);
  }
}
