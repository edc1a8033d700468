/**
 * Small validators for construct props. Each names the construct, the prop, the value given and what is
 * allowed, so a synth fails with a message a user can act on. Pure: no CDK imports.
 *
 * Two forms: `check*` functions throw at the first problem (for pure helpers), and {@link Problems}
 * collects every problem of a construct's props and throws once, with the construct's path, the way
 * aws-solutions-constructs reports bad props and aws-cdk-lib's ValidationError names the construct.
 */

/** A value as it appears in a message: numbers and booleans bare, everything else as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null)
    return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Why `value` is not an integer in [min, max], or undefined when it is (or is undefined). */
export function integerProblem(prop: string, value: unknown, min: number, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    return `${prop} must be an integer from ${min} to ${max}, got ${show(value)}`;
  return undefined;
}

/** Why `value` is not a finite number in [min, max], or undefined when it is (or is undefined). */
export function numberProblem(prop: string, value: unknown, min: number, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    return `${prop} must be a number from ${min} to ${max}, got ${show(value)}`;
  return undefined;
}

/** Why `value` does not match `pattern`, or undefined when it does (or is undefined). */
export function patternProblem(prop: string, value: unknown, pattern: RegExp, allowed: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) return `${prop} must be ${allowed}, got ${show(value)}`;
  return undefined;
}

/** Throws unless `value` is an integer in [min, max]. Skips undefined. */
export function checkInteger(owner: string, prop: string, value: number | undefined, min: number, max: number): void {
  const p = integerProblem(prop, value, min, max);
  if (p) throw new Error(`${owner}: ${p}`);
}

/** Throws unless `value` is a finite number in [min, max]. Skips undefined. */
export function checkNumber(owner: string, prop: string, value: number | undefined, min: number, max: number): void {
  const p = numberProblem(prop, value, min, max);
  if (p) throw new Error(`${owner}: ${p}`);
}

/** Throws unless `value` matches `pattern`. Skips undefined. */
export function checkPattern(
  owner: string,
  prop: string,
  value: string | undefined,
  pattern: RegExp,
  allowed: string,
): void {
  const p = patternProblem(prop, value, pattern, allowed);
  if (p) throw new Error(`${owner}: ${p}`);
}

/** Throws when a condition that relates several props does not hold. */
export function checkThat(owner: string, condition: boolean, message: string): void {
  if (!condition) throw new Error(`${owner}: ${message}`);
}

/** The message of a construct's problems: `Owner: problem (at path)`, or a list when there are several. */
export function formatProblems(owner: string, path: string | undefined, problems: readonly string[]): string {
  const where = path ? ` (at ${path})` : '';
  if (problems.length === 1) return `${owner}: ${problems[0]}${where}`;
  return `${owner}: ${problems.length} invalid settings${where}:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}

/**
 * The problems found in one construct's props. Checks record and go on, so that one synth reports every
 * bad prop; {@link throwIfAny} throws them together. A problem is a sentence naming the prop, the value
 * and what is allowed.
 */
export class Problems {
  private readonly found: string[] = [];

  /**
   * @param owner the construct class, e.g. `McpService`
   * @param path the construct path, e.g. `MyStack/Mcp`
   */
  constructor(
    public readonly owner: string,
    public readonly path?: string,
  ) {}

  /** The problems so far. */
  public get messages(): readonly string[] {
    return this.found;
  }

  /** Records a problem (undefined is ignored, so `*Problem` results can be passed directly). */
  public add(problem: string | undefined): void {
    if (problem !== undefined && !this.found.includes(problem)) this.found.push(problem);
  }

  /**
   * Records a problem for each prop of an earlier release that a caller still passes (JavaScript callers, and
   * TypeScript callers with `as any`, would otherwise have it ignored silently): `{ oldProp: 'newProp: how' }`.
   */
  public replaced(props: object, renamed: Readonly<Record<string, string>>): void {
    for (const [old, now] of Object.entries(renamed))
      if ((props as Record<string, unknown>)[old] !== undefined)
        this.add(`${old} was replaced by ${now}, got ${old}: ${show((props as Record<string, unknown>)[old])}`);
  }

  /** Records `message` unless `condition` holds; returns the condition. */
  public check(condition: boolean, message: string): boolean {
    if (!condition) this.add(message);
    return condition;
  }

  /** Records a problem unless `value` is undefined or an integer in [min, max]; returns whether it is fine. */
  public integer(prop: string, value: unknown, min: number, max: number): boolean {
    const p = integerProblem(prop, value, min, max);
    this.add(p);
    return p === undefined;
  }

  /** Records a problem unless `value` is undefined or a finite number in [min, max]. */
  public number(prop: string, value: unknown, min: number, max: number): boolean {
    const p = numberProblem(prop, value, min, max);
    this.add(p);
    return p === undefined;
  }

  /** Records a problem unless `value` is undefined or matches `pattern`. */
  public pattern(prop: string, value: unknown, pattern: RegExp, allowed: string): boolean {
    const p = patternProblem(prop, value, pattern, allowed);
    this.add(p);
    return p === undefined;
  }

  /**
   * Runs a validator that throws at its first problem (a pure config resolver) and records its message,
   * without the `Owner: ` prefix it may carry. Returns the validator's result, or undefined when it threw.
   */
  public capture<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.add(message.startsWith(`${this.owner}: `) ? message.slice(this.owner.length + 2) : message);
      return undefined;
    }
  }

  /** Throws every recorded problem in one Error (see {@link formatProblems}). */
  public throwIfAny(): void {
    if (this.found.length > 0) throw new Error(formatProblems(this.owner, this.path, this.found));
  }
}
