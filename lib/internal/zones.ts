import { Fn, Stack } from 'aws-cdk-lib';

/**
 * Runs `build` while `stack.availabilityZones` answers `zones`, then restores the stack.
 *
 * aws-cdk-lib's `ec2.Vpc` reads `Stack.of(this).availabilityZones` even when it is given its zones (to check
 * they are a subset), and for a stack with a concrete account and region that getter is a context lookup: the
 * CLI then needs credentials ("Need to perform AWS calls for account …") before it can synthesize. A construct
 * cannot seed the app's context once the stack has children, so for the span of the VPC's construction the
 * stack answers the zones the construct decided on, exactly as a Stack subclass overriding
 * `availabilityZones` would. Nothing else is read while the override is in place.
 */
export function withStackAvailabilityZones<T>(stack: Stack, zones: readonly string[], build: () => T): T {
  const own = Object.getOwnPropertyDescriptor(stack, 'availabilityZones');
  Object.defineProperty(stack, 'availabilityZones', { configurable: true, enumerable: false, get: () => [...zones] });
  try {
    return build();
  } finally {
    if (own) Object.defineProperty(stack, 'availabilityZones', own);
    else delete (stack as { availabilityZones?: string[] }).availabilityZones;
  }
}

/** The first `count` zones of `Fn::GetAZs` for the stack's region, resolved by CloudFormation at deploy time. */
export function deployTimeZones(count: number): string[] {
  return Array.from({ length: count }, (_, i) => Fn.select(i, Fn.getAzs()));
}
