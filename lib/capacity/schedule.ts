/**
 * Validation of the capacity schedule's cron expressions and time zones. Pure: no CDK imports.
 *
 * The construct turns each window into two ECS scheduled scaling actions (Application Auto Scaling
 * `PutScheduledAction`), whose `Schedule` is `cron(fields)` with six fields: minutes, hours,
 * day-of-month, month, day-of-week and year, in UTC unless a time zone is given; one of day-of-month
 * and day-of-week must be `?`.
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html
 * https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-policy-overview.html
 */

/** What each cron field accepts: its name, numeric range, names (months, days) and special characters. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Characters beyond digits, `,`, `-`, `*` and `/`. */
  readonly special: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, special: '' },
  { name: 'hours', min: 0, max: 23, special: '' },
  { name: 'day-of-month', min: 1, max: 31, special: '?LW' },
  { name: 'month', min: 1, max: 12, names: MONTHS, special: '' },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: '?L#' },
  { name: 'year', min: 1970, max: 2199, special: '' },
];

/** The problem with one cron field, or undefined when it is valid. */
function fieldProblem(field: CronField, value: string): string | undefined {
  if (value === '*' || (value === '?' && field.special.includes('?'))) return undefined;
  const allowed = new RegExp(`^[0-9A-Za-z,\\-*/${field.special.replace('?', '')}]+$`);
  if (!allowed.test(value)) return `${field.name} "${value}" has characters a cron ${field.name} field does not take`;
  for (const part of value.split(',')) {
    const [range, step] = part.split('/');
    if (step !== undefined && !/^\d+$/.test(step)) return `${field.name} "${value}" has a step that is not a number`;
    if (range === '*' || /^(L|LW|\d{1,2}W|\d?L)$/i.test(range)) continue;
    const [day, nth] = range.split('#');
    if (nth !== undefined && !/^[1-5]$/.test(nth)) return `${field.name} "${value}" has a #n that is not 1–5`;
    for (const bound of day.split('-')) {
      const named = field.names?.indexOf(bound.toUpperCase()) ?? -1;
      const n = named >= 0 ? named + field.min : /^\d+$/.test(bound) ? Number(bound) : NaN;
      if (!(n >= field.min && n <= field.max)) {
        return `${field.name} "${value}" is outside ${field.min}–${field.max}${field.names ? ` (or ${field.names[0]}–${field.names[field.names.length - 1]})` : ''}`;
      }
    }
  }
  return undefined;
}

/**
 * The 6-field body of an Application Auto Scaling cron expression (`cron(` and `)` removed, blanks
 * collapsed), or an error message saying what is wrong with it.
 */
export function parseCron(expression: unknown): { cron: string } | { error: string } {
  if (typeof expression !== 'string') return { error: `must be a string, got ${JSON.stringify(expression)}` };
  const body = expression
    .trim()
    .replace(/^cron\((.*)\)$/i, '$1')
    .trim();
  const fields = body.split(/\s+/).filter(Boolean);
  if (fields.length !== 6) {
    return {
      error: `must have 6 fields (minutes hours day-of-month month day-of-week year, e.g. "45 7 ? * MON-FRI *"), got ${fields.length} in ${JSON.stringify(expression)}`,
    };
  }
  for (let k = 0; k < 6; k++) {
    const problem = fieldProblem(FIELDS[k], fields[k]);
    if (problem) return { error: `${problem} in ${JSON.stringify(expression)}` };
  }
  if ((fields[2] === '?') === (fields[4] === '?')) {
    return {
      error: `needs "?" in exactly one of day-of-month and day-of-week (e.g. "0 8 ? * MON-FRI *" or "0 8 1 * ? *"), got ${JSON.stringify(expression)}`,
    };
  }
  return { cron: fields.join(' ') };
}

const KNOWN_ZONES = new Set<string>(['UTC']);

/** True when `zone` is an IANA time zone this runtime knows (e.g. `UTC`, `Europe/Dublin`). */
export function isTimeZone(zone: unknown): boolean {
  if (typeof zone !== 'string' || zone.trim() === '') return false;
  if (KNOWN_ZONES.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  KNOWN_ZONES.add(zone);
  return true;
}
