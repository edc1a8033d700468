/**
 * Small validators for construct props. Each throws an Error that names the construct, the prop,
 * the value given and what is allowed, so a synth fails with a message a user can act on.
 * Pure: no CDK imports.
 */

function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null)
    return String(value);
  return JSON.stringify(value);
}

/** Throws unless `value` is an integer in [min, max]. Skips undefined. */
export function checkInteger(owner: string, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${owner}: ${prop} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
}

/** Throws unless `value` is a finite number in [min, max]. Skips undefined. */
export function checkNumber(owner: string, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${owner}: ${prop} must be a number from ${min} to ${max}, got ${show(value)}`);
  }
}

/** Throws unless `value` matches `pattern`. Skips undefined. */
export function checkPattern(
  owner: string,
  prop: string,
  value: string | undefined,
  pattern: RegExp,
  allowed: string,
): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new Error(`${owner}: ${prop} must be ${allowed}, got ${show(value)}`);
  }
}

/** Throws when a condition that relates several props does not hold. */
export function checkThat(owner: string, condition: boolean, message: string): void {
  if (!condition) throw new Error(`${owner}: ${message}`);
}
