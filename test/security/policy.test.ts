import * as fc from 'fast-check';
import {
  decideExposure,
  decimalGreaterThan,
  isInZone,
  perMinuteThreshold,
  RATE_LIMIT_DEFAULTS,
  rateLimitProblem,
  wafRateLimits,
} from '../../lib/security/policy';

describe('decideExposure: internet-facing only with TLS', () => {
  test('with TLS the default is internet-facing HTTPS on 443', () => {
    expect(decideExposure({ tls: true, allowPlaintextInternetListener: false })).toMatchObject({
      internetFacing: true,
      tls: true,
      port: 443,
      warn: false,
    });
  });

  test('without TLS the default is internal HTTP on 80, said in one line', () => {
    const d = decideExposure({ tls: false, allowPlaintextInternetListener: false });
    expect(d).toMatchObject({ internetFacing: false, tls: false, port: 80, warn: false });
    expect(d.summary).toMatch(/^internal load balancer \(reachable from the VPC only\)/);
    expect(d.summary).not.toContain('\n');
  });

  test('an internet-facing plaintext listener is an error naming the acknowledgement, prop and context key', () => {
    expect(() => decideExposure({ tls: false, internetFacing: true, allowPlaintextInternetListener: false })).toThrow(
      /needs TLS.*allowPlaintextInternetListener: true.*-c allowPlaintextInternetListener=true/,
    );
  });

  test('acknowledged, it is allowed with a warning', () => {
    const d = decideExposure({ tls: false, internetFacing: true, allowPlaintextInternetListener: true });
    expect(d).toMatchObject({ internetFacing: true, tls: false, port: 80, warn: true });
    expect(d.summary).toMatch(/unencrypted/);
  });

  test('TLS may still be internal', () => {
    expect(decideExposure({ tls: true, internetFacing: false, allowPlaintextInternetListener: false })).toMatchObject({
      internetFacing: false,
      tls: true,
      port: 443,
    });
  });
});

describe('isInZone', () => {
  test.each([
    ['mcp.example.com', 'example.com', true],
    ['example.com', 'example.com.', true],
    ['a.b.example.com', 'example.com', true],
    ['mcp.example.com', 'other.com', false],
    ['badexample.com', 'example.com', false],
    ['example.com', 'mcp.example.com', false],
  ])('%s in %s: %s', (name, zone, expected) => expect(isInZone(name, zone)).toBe(expected));
});

describe('wafRateLimits: from the capacity plan', () => {
  test('per IP: peak rps × 300 s × 0.1, tools/call a quarter of it', () => {
    const r = wafRateLimits(1000);
    expect(r.perIp).toBe(30_000);
    expect(r.toolsCallPerIp).toBe(7_500);
    expect(r.formula).toBe(
      'max(1000, ⌈1000 rps peak × 300 s × 0.1⌉) = 30000 requests per IP per 300 s; max(300, ⌈30000 × 0.25⌉) = 7500 tools/call per IP',
    );
  });

  test('small plans get the floors', () => {
    expect(wafRateLimits(20)).toMatchObject({ perIp: RATE_LIMIT_DEFAULTS.perIpFloor, toolsCallPerIp: 300 });
    expect(wafRateLimits(undefined).formula).toMatch(/the floor: no capacity plan/);
  });

  test('overrides win and say so', () => {
    const r = wafRateLimits(1000, { perIp: 500, toolsCallPerIp: 50 });
    expect(r).toMatchObject({ perIp: 500, toolsCallPerIp: 50 });
    expect(r.formula).toMatch(/set explicitly.*set explicitly/);
  });

  test('property: limits stay within what AWS WAF accepts and tools/call never exceeds the IP limit by default', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1e9, noNaN: true }), (rps) => {
        const r = wafRateLimits(rps);
        return (
          r.perIp >= 1000 && r.perIp <= 2e9 && r.toolsCallPerIp >= 300 && r.toolsCallPerIp <= Math.max(300, r.perIp)
        );
      }),
    );
  });

  test('rateLimitProblem rejects what WAF would', () => {
    expect(rateLimitProblem('x', 9)).toMatch(/from 10 to 2000000000/);
    expect(rateLimitProblem('x', 10.5)).toMatch(/integer/);
    expect(rateLimitProblem('x', 10)).toBeUndefined();
  });
});

describe('decimalGreaterThan: the Content-Length pattern of the body-size rule', () => {
  const matches = (n: number, value: string) => new RegExp(`^${decimalGreaterThan(n)}$`).test(value);

  test('the reference server limit', () => {
    expect(matches(1_048_576, '1048576')).toBe(false);
    expect(matches(1_048_576, '1048577')).toBe(true);
    expect(matches(1_048_576, '999999')).toBe(false);
    expect(matches(1_048_576, '10000000')).toBe(true);
    expect(matches(1_048_576, '0001048577')).toBe(true);
    expect(matches(1_048_576, '')).toBe(false);
    expect(matches(1_048_576, '-1')).toBe(false);
  });

  test('property: matches a decimal string exactly when its value is greater than n', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e12 }), fc.nat({ max: 1e12 }), fc.nat({ max: 3 }), (n, m, zeros) => {
        return matches(n, '0'.repeat(zeros) + String(m)) === m > n;
      }),
      { numRuns: 2000 },
    );
  });

  test('WAF regex length limit (512) holds for any body limit the server accepts', () => {
    expect(decimalGreaterThan(100 * 1_048_576).length).toBeLessThan(500);
  });
});

describe('perMinuteThreshold', () => {
  test('a share of the planned peak, with a floor', () => {
    expect(perMinuteThreshold(1000, 60, 0.01)).toEqual({
      value: 600,
      formula: 'max(60, ⌈1000 rps peak × 60 s × 0.01⌉) = 600 per minute',
    });
    expect(perMinuteThreshold(10, 60, 0.01).value).toBe(60);
    expect(perMinuteThreshold(undefined, 30, 0.01).value).toBe(30);
  });
});
