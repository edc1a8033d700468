/**
 * The rule the reference server applies to `ALLOWED_ORIGINS` at start-up (service/src/config.ts): an entry
 * that breaks it stops the server, so every task would crash-loop. Checked at synth instead. Pure.
 */

/**
 * Why `origin` is not an origin the reference server accepts (scheme http or https, host, optional port,
 * no path, query or wildcard), or undefined when it is.
 */
export function originProblem(prop: string, origin: unknown): string | undefined {
  const shown = JSON.stringify(origin);
  if (typeof origin !== 'string' || origin.trim() === '')
    return `${prop} must be an origin like https://app.example.com, got ${shown}`;
  if (origin.includes(','))
    return `${prop} must be one origin (the list is passed comma-separated as ALLOWED_ORIGINS), got ${shown}`;
  if (origin.includes('*'))
    return `${prop} must be an exact origin like https://app.example.com (the server compares Origin headers exactly; no wildcard), got ${shown}`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin.trim());
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin.trim().replace(/\/$/, ''))
    return (
      `${prop} must be an origin like https://app.example.com (scheme, host, optional port; no path, no wildcard), got ${shown}; ` +
      'the server refuses to start with anything else'
    );
  return undefined;
}
