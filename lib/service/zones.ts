/**
 * Which availability zones a new VPC uses, decided at synth time without asking AWS. Pure: no CDK.
 *
 * Every AWS Region has at least three Availability Zones, and their codes are the Region code followed by
 * a letter (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html).
 * So up to three zones can be assumed: `<region>a`, `<region>b`, `<region>c` when the region is known, and
 * `Fn::GetAZs` (CloudFormation's answer at deploy time) when it is not. More zones exist only in some
 * Regions and accounts: beyond three, the zones must be named.
 */

/** The most zones that can be assumed without naming them. */
export const ASSUMABLE_ZONES = 3;

/** What {@link resolveZones} decided. */
export type ZoneChoice =
  | { readonly kind: 'named'; readonly zones: readonly string[] }
  /** `<region>a`, `<region>b`, … (region known). */
  | { readonly kind: 'assumed'; readonly zones: readonly string[] }
  /** The first `count` entries of `Fn::GetAZs` (region unknown at synth). */
  | { readonly kind: 'deploy-time'; readonly count: number };

/** Input of {@link resolveZones}. */
export interface ZoneInput {
  /** The stack's region, undefined when it is a token (environment-agnostic stack). */
  readonly region?: string;
  /** The `availabilityZones` prop. */
  readonly named?: readonly unknown[];
  /** Zones the capacity plan spreads the tasks over. */
  readonly count: number;
}

/** Decides the zones, or returns the problems (each naming the prop, the value and what is allowed). */
export function resolveZones(input: ZoneInput): { choice?: ZoneChoice; problems: string[] } {
  const problems: string[] = [];
  if (input.named !== undefined) {
    const named = input.named;
    if (!Array.isArray(named) || named.length < 2)
      problems.push(`availabilityZones must name at least 2 zones for high availability, got ${JSON.stringify(named)}`);
    for (const [i, z] of (Array.isArray(named) ? named : []).entries()) {
      const p = zoneNameProblem(`availabilityZones[${i}]`, z, input.region);
      if (p) problems.push(p);
    }
    if (Array.isArray(named) && new Set(named).size !== named.length)
      problems.push(`availabilityZones must not repeat a zone, got ${JSON.stringify(named)}`);
    return problems.length ? { problems } : { choice: { kind: 'named', zones: named as string[] }, problems };
  }
  const count = Math.max(2, input.count);
  if (count > ASSUMABLE_ZONES) {
    problems.push(
      `capacity.availabilityZones is ${input.count}, but only ${ASSUMABLE_ZONES} zones can be assumed without naming them ` +
        '(every Region has at least three; which further zones exist depends on the Region and the account): ' +
        'name the zones with availabilityZones',
    );
    return { problems };
  }
  if (input.region === undefined) return { choice: { kind: 'deploy-time', count }, problems };
  const zones = 'abc'
    .slice(0, count)
    .split('')
    .map((letter) => `${input.region}${letter}`);
  return { choice: { kind: 'assumed', zones }, problems };
}

/** Why `zone` is not a zone name of `region` (e.g. `eu-west-1a`, or a Local Zone `us-west-2-lax-1a`), or undefined. */
export function zoneNameProblem(prop: string, zone: unknown, region?: string): string | undefined {
  const shown = JSON.stringify(zone);
  if (typeof zone !== 'string' || !/^[a-z]{2}(-[a-z0-9]+)+[a-z]$/.test(zone))
    return `${prop} must be an availability zone name such as eu-west-1a, got ${shown}`;
  if (
    region !== undefined &&
    !(zone.startsWith(region) && /^([a-z]|-[a-z0-9-]+[a-z])$/.test(zone.slice(region.length)))
  )
    return `${prop} must be a zone of the stack's region ${region} (such as ${region}a), got ${shown}`;
  return undefined;
}
