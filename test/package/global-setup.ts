/**
 * Jest global setup: the tests synthesize the constructs from the pre-built Lambda bundles in dist/lambda, exactly
 * the files the package ships, so build the bundles that are missing or older than their sources (a fresh checkout
 * has them from `npm ci`'s prepare script; an edited handler is rebuilt here). Prints nothing.
 */
import { buildBundles } from '../../scripts/bundle';

export default async function globalSetup(): Promise<void> {
  await buildBundles({ ifStale: true });
}
