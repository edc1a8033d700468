/**
 * The security decisions of an MCP endpoint as plain functions: who may reach the load balancer (exposure),
 * whether a domain belongs to a hosted zone, the web ACL's rate limits from the capacity plan, the
 * Content-Length pattern of the body-size rule, and the thresholds of the security alarms.
 * Pure: no CDK imports. docs/security.md explains every choice.
 */

/** What the exposure decision needs to know. */
export interface ExposureInput {
  /** A certificate is given (`certificateArn`) or created (`domainName` + hosted zone). */
  readonly tls: boolean;
  /** The caller's wish; undefined = the default (internet-facing exactly when there is TLS). */
  readonly internetFacing?: boolean;
  /** The explicit acknowledgement that an internet-facing listener may be plain HTTP. */
  readonly allowPlaintextInternetListener: boolean;
}

/** Where the load balancer listens, and what the synth says about it. */
export interface ExposureDecision {
  /** Internet-facing (public subnets) or internal (reachable from the VPC only). */
  readonly internetFacing: boolean;
  /** HTTPS on 443 (true) or plain HTTP on 80. */
  readonly tls: boolean;
  /** The listener port. */
  readonly port: number;
  /** One line for the synth output. */
  readonly summary: string;
  /** Whether `summary` is a warning (a weaker posture than the default) rather than information. */
  readonly warn: boolean;
}

/** The context key and prop that acknowledge a plaintext internet-facing listener. */
export const PLAINTEXT_ACK = {
  prop: 'allowPlaintextInternetListener',
  contextKey: 'allowPlaintextInternetListener',
} as const;

/**
 * Decides the load balancer's scheme and listener: internet-facing only with TLS unless the plaintext listener
 * is acknowledged explicitly; without TLS the load balancer is internal.
 * @throws Error for an internet-facing plaintext listener that was not acknowledged
 */
export function decideExposure(input: ExposureInput): ExposureDecision {
  const internetFacing = input.internetFacing ?? input.tls;
  const port = input.tls ? 443 : 80;
  if (internetFacing && !input.tls && !input.allowPlaintextInternetListener) {
    throw new Error(
      'an internet-facing load balancer needs TLS: give certificateArn, or domainName with hostedZoneId and hostedZoneName ' +
        `(a DNS-validated certificate is created), or drop internetFacing to keep it internal. To serve plain HTTP to the ` +
        `internet anyway (bearer tokens and MCP traffic unencrypted), set ${PLAINTEXT_ACK.prop}: true ` +
        `(-c ${PLAINTEXT_ACK.contextKey}=true in the default app)`,
    );
  }
  if (internetFacing && input.tls) {
    return {
      internetFacing,
      tls: true,
      port,
      summary: 'internet-facing load balancer, HTTPS on 443 only',
      warn: false,
    };
  }
  if (internetFacing) {
    return {
      internetFacing,
      tls: false,
      port,
      summary: `internet-facing load balancer on plain HTTP (port 80), acknowledged with ${PLAINTEXT_ACK.prop}: MCP traffic and bearer tokens cross the internet unencrypted`,
      warn: true,
    };
  }
  return {
    internetFacing: false,
    tls: input.tls,
    port,
    summary: input.tls
      ? 'internal load balancer (reachable from the VPC only), HTTPS on 443'
      : 'internal load balancer (reachable from the VPC only) on plain HTTP port 80, since no certificate is given; give certificateArn, or domainName with hostedZoneId and hostedZoneName, for an internet-facing HTTPS endpoint',
    warn: false,
  };
}

/** A lowercase DNS name such as `mcp.example.com` (no trailing dot). */
export const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** True when `domainName` is the zone apex or a name inside the zone (`zoneName` with or without a trailing dot). */
export function isInZone(domainName: string, zoneName: string): boolean {
  const zone = zoneName.toLowerCase().replace(/\.$/, '');
  const name = domainName.toLowerCase().replace(/\.$/, '');
  return name === zone || name.endsWith(`.${zone}`);
}

// ---- rate limits ---------------------------------------------------------------------------------

/**
 * Evaluation window of the rate-based rules: 300 s (AWS WAF's default; the allowed windows are 60, 120, 300 and
 * 600 s, https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html).
 */
export const RATE_WINDOW_SECONDS = 300;
/** AWS WAF's smallest rate limit (same page). */
export const WAF_MIN_RATE_LIMIT = 10;
/** AWS WAF's largest rate limit. */
export const WAF_MAX_RATE_LIMIT = 2_000_000_000;

/** The defaults of the rate-limit formula. */
export const RATE_LIMIT_DEFAULTS = {
  /** Share of the planned peak one client IP may send: 10 % (a NAT of many users still fits). */
  perIpShare: 0.1,
  /** Floor of the per-IP limit in a 5-minute window: 1000 (3.3 requests/s sustained). */
  perIpFloor: 1000,
  /** Share of the per-IP limit that may be `tools/call` (the requests that reach the database and cache). */
  toolsCallShare: 0.25,
  /** Floor of the `tools/call` limit per IP in a 5-minute window. */
  toolsCallFloor: 300,
} as const;

/** The rate limits of the web ACL, per client in one {@link RATE_WINDOW_SECONDS} window, and how they were found. */
export interface WafRateLimits {
  /** Requests per client IP per window. */
  readonly perIp: number;
  /** `tools/call` requests per client IP per window. */
  readonly toolsCallPerIp: number;
  /** The formula with its figures, for docs, descriptions and reviewers. */
  readonly formula: string;
}

/**
 * Rate limits from the capacity plan's peak: per IP `max(floor, ⌈peakRps × 300 s × share⌉)`, `tools/call` per IP
 * `max(floor, ⌈perIp × toolsCallShare⌉)`, each overridable; clamped to AWS WAF's 10 … 2,000,000,000.
 * @param peakRps the capacity plan's peak requests per second (undefined: no plan, the floors apply)
 */
export function wafRateLimits(
  peakRps: number | undefined,
  overrides: { perIp?: number; toolsCallPerIp?: number } = {},
): WafRateLimits {
  const d = RATE_LIMIT_DEFAULTS;
  const clamp = (n: number) => Math.min(WAF_MAX_RATE_LIMIT, Math.max(WAF_MIN_RATE_LIMIT, n));
  const derived =
    peakRps === undefined
      ? d.perIpFloor
      : Math.max(d.perIpFloor, Math.ceil(peakRps * RATE_WINDOW_SECONDS * d.perIpShare));
  const perIp = clamp(overrides.perIp ?? derived);
  const toolsCallPerIp = clamp(
    overrides.toolsCallPerIp ?? Math.max(d.toolsCallFloor, Math.ceil(perIp * d.toolsCallShare)),
  );
  const ipPart =
    overrides.perIp !== undefined
      ? `${perIp} requests per IP per ${RATE_WINDOW_SECONDS} s (set explicitly)`
      : peakRps === undefined
        ? `${perIp} requests per IP per ${RATE_WINDOW_SECONDS} s (the floor: no capacity plan)`
        : `max(${d.perIpFloor}, ⌈${peakRps} rps peak × ${RATE_WINDOW_SECONDS} s × ${d.perIpShare}⌉) = ${perIp} requests per IP per ${RATE_WINDOW_SECONDS} s`;
  const toolsPart =
    overrides.toolsCallPerIp !== undefined
      ? `${toolsCallPerIp} tools/call per IP (set explicitly)`
      : `max(${d.toolsCallFloor}, ⌈${perIp} × ${d.toolsCallShare}⌉) = ${toolsCallPerIp} tools/call per IP`;
  return { perIp, toolsCallPerIp, formula: `${ipPart}; ${toolsPart}` };
}

/** Checks a rate limit given by a user (an integer AWS WAF accepts). */
export function rateLimitProblem(name: string, value: number | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < WAF_MIN_RATE_LIMIT || value > WAF_MAX_RATE_LIMIT) {
    return `${name} must be an integer from ${WAF_MIN_RATE_LIMIT} to ${WAF_MAX_RATE_LIMIT} (requests per ${RATE_WINDOW_SECONDS} s), got ${value}`;
  }
  return undefined;
}

// ---- body size -----------------------------------------------------------------------------------

/**
 * A regular expression (no anchors) matching exactly the decimal integers greater than `n` (leading zeros allowed),
 * so that a `Content-Length` header above the server's body limit can be matched by AWS WAF, which on an ALB sees
 * only the first 8 KB of a body. Built digit by digit: for each position, the same prefix then a larger digit and
 * any remaining digits; or more digits than `n` has.
 */
export function decimalGreaterThan(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Error(`decimalGreaterThan: n must be a non-negative integer, got ${n}`);
  const s = String(n);
  const alternatives: string[] = [`[1-9][0-9]{${s.length},}`];
  for (let i = 0; i < s.length; i++) {
    const digit = Number(s[i]);
    if (digit === 9) continue;
    const next = digit + 1 === 9 ? '9' : `[${digit + 1}-9]`;
    const rest = s.length - i - 1;
    const prefix = s.slice(0, i);
    // A leading position needs a non-zero digit unless it continues a prefix.
    alternatives.push(`${prefix}${next}${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  return `0*(?:${alternatives.join('|')})`;
}

// ---- alarm thresholds ----------------------------------------------------------------------------

/** Defaults of the security alarms' thresholds. */
export const SECURITY_ALARM_DEFAULTS = {
  /** Blocked requests per minute never below this. */
  blockedFloorPerMinute: 60,
  /** Share of the planned peak traffic that may be blocked before the spike alarm fires. */
  blockedShare: 0.01,
  /** Authentication failures per minute never below this. */
  authFailureFloorPerMinute: 30,
  /** Share of the planned peak traffic that may fail authentication before the spike alarm fires. */
  authFailureShare: 0.01,
} as const;

/** A per-minute threshold: `max(floor, ⌈peakRps × 60 × share⌉)`, with its formula. */
export function perMinuteThreshold(
  peakRps: number | undefined,
  floor: number,
  share: number,
): { value: number; formula: string } {
  if (peakRps === undefined) return { value: floor, formula: `${floor} per minute (the floor: no capacity plan)` };
  const value = Math.max(floor, Math.ceil(peakRps * 60 * share));
  return { value, formula: `max(${floor}, ⌈${peakRps} rps peak × 60 s × ${share}⌉) = ${value} per minute` };
}
