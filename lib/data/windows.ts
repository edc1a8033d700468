/**
 * Daily time windows (`hh24:mi-hh24:mi`, UTC) of the data tier's backups. Pure (no CDK): the
 * construct checks its props with these at synth time, so a window RDS or ElastiCache would
 * reject fails the synth instead of the deployment.
 */

const WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/** A daily window as minutes after midnight: `end` may pass 1440 when the window wraps midnight. */
export interface DailyWindow {
  readonly start: number;
  readonly end: number;
}

/** Parses `hh24:mi-hh24:mi`; undefined when malformed. A window that ends before it starts wraps midnight. */
export function parseDailyWindow(window: string): DailyWindow | undefined {
  const m = WINDOW.exec(window);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  let end = Number(m[3]) * 60 + Number(m[4]);
  if (end <= start) end += 1440;
  return { start, end };
}

/** Length of a daily window in minutes. */
export function windowMinutes(w: DailyWindow): number {
  return w.end - w.start;
}
