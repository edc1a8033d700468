/**
 * Per-client request quota and the set of recently active principals, both in the task's memory
 * (no shared store: each task enforces its own limit, so a client spread over N tasks by the load
 * balancer may send up to N times the limit in total). Pure logic with an injected clock.
 */

/** What {@link RateLimiter.take} decided. */
export interface QuotaDecision {
  /** True when the request may proceed. */
  readonly allowed: boolean;
  /** Whole requests left in the bucket after this one. */
  readonly remaining: number;
  /** When refused: seconds until one request is available again (for `Retry-After`), at least 1. */
  readonly retryAfterSeconds: number;
}

/** One client's token bucket. */
interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * A token bucket per client: `limitPerMinute` requests of burst, refilled at `limitPerMinute / 60`
 * per second. A full bucket is forgotten (it is the state of a client never seen), so memory holds
 * only clients active within the last minute, and at most `maxClients` of them: beyond that the
 * least recently updated bucket is dropped (that client starts again with a full bucket).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxClients = 10_000,
  ) {
    if (!Number.isInteger(limitPerMinute) || limitPerMinute < 1)
      throw new Error(`limitPerMinute must be an integer ≥ 1, got ${limitPerMinute}`);
    this.refillPerMs = limitPerMinute / 60_000;
  }

  /** Takes one request from `client`'s bucket. */
  take(client: string): QuotaDecision {
    const bucket = this.refill(client);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    return {
      allowed: false,
      remaining: 0,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000)),
    };
  }

  /** Whole requests `client` may send now, without taking one. */
  remaining(client: string): number {
    const bucket = this.buckets.get(client);
    if (!bucket) return this.limitPerMinute;
    return Math.floor(
      Math.min(this.limitPerMinute, bucket.tokens + (this.now() - bucket.updatedMs) * this.refillPerMs),
    );
  }

  /** Clients with a bucket that is not full, and their remaining requests; forgets full buckets. */
  snapshot(): Array<{ client: string; remaining: number }> {
    const out: Array<{ client: string; remaining: number }> = [];
    for (const client of [...this.buckets.keys()]) {
      const remaining = this.remaining(client);
      if (remaining >= this.limitPerMinute) this.buckets.delete(client);
      else out.push({ client, remaining });
    }
    return out;
  }

  private refill(client: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (bucket) {
      bucket.tokens = Math.min(this.limitPerMinute, bucket.tokens + (now - bucket.updatedMs) * this.refillPerMs);
      bucket.updatedMs = now;
      // Map order = insertion order: re-insert so the first key is the least recently used.
      this.buckets.delete(client);
    } else {
      bucket = { tokens: this.limitPerMinute, updatedMs: now };
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(client, bucket);
    return bucket;
  }
}

/**
 * Distinct principals seen within a sliding window (`user_sessions_active`): a principal counts
 * from its first request until `windowMs` after its last. At most `maxPrincipals` are tracked
 * (the least recently seen are dropped first), so the count saturates there instead of growing
 * without bound.
 */
export class ActivePrincipals {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxPrincipals = 100_000,
  ) {}

  /** Records a request of `principal`. */
  seen(principal: string): void {
    this.lastSeen.delete(principal);
    if (this.lastSeen.size >= this.maxPrincipals) this.lastSeen.delete(this.lastSeen.keys().next().value as string);
    this.lastSeen.set(principal, this.now());
  }

  /** Principals seen within the window; forgets the others. */
  count(): number {
    const cutoff = this.now() - this.windowMs;
    // Oldest first: stop at the first one still inside the window.
    for (const [principal, at] of this.lastSeen) {
      if (at >= cutoff) break;
      this.lastSeen.delete(principal);
    }
    return this.lastSeen.size;
  }
}
