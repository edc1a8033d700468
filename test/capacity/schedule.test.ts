import { planCapacity } from '../../lib/capacity/model';
import { isTimeZone, parseCron } from '../../lib/capacity/schedule';
import { CapacityInput, CapacityScheduleWindow } from '../../lib/capacity/types';

const LOAD: CapacityInput = {
  peakRps: 1000,
  meanLatencyMs: 100,
  cpuSecondsPerRequest: 0.01,
  memoryPerConnectionMiB: 10,
};
const WEEKDAYS: CapacityScheduleWindow = {
  name: 'Weekdays',
  startCron: '45 7 ? * MON-FRI *',
  endCron: '0 18 ? * MON-FRI *',
  expectedRps: 800,
};

describe('parseCron (Application Auto Scaling cron: 6 fields, one of day-of-month/day-of-week "?")', () => {
  test.each([
    ['45 7 ? * MON-FRI *', '45 7 ? * MON-FRI *'],
    ['cron(0 12 1 * ? *)', '0 12 1 * ? *'],
    ['  0   8   ?  *  2-6  2027 ', '0 8 ? * 2-6 2027'],
    ['0/15 6-9 ? JAN,DEC MON#1 *', '0/15 6-9 ? JAN,DEC MON#1 *'],
    ['0 0 L * ? *', '0 0 L * ? *'],
    ['30 23 15W * ? *', '30 23 15W * ? *'],
  ])('%s is valid', (expression, cron) => {
    expect(parseCron(expression)).toEqual({ cron });
  });

  test.each([
    ['0 8 * * *', /must have 6 fields .* got 5/],
    ['0 8 * * * * *', /got 7/],
    ['60 8 ? * MON *', /minutes "60" is outside 0–59/],
    ['0 24 ? * MON *', /hours "24" is outside 0–23/],
    ['0 8 32 * ? *', /day-of-month "32" is outside 1–31/],
    ['0 8 ? 13 MON *', /month "13" is outside 1–12 \(or JAN–DEC\)/],
    ['0 8 ? * FUN *', /day-of-week "FUN" is outside 1–7 \(or SUN–SAT\)/],
    ['0 8 * * MON *', /needs "\?" in exactly one of day-of-month and day-of-week/],
    ['0 8 ? * ? *', /needs "\?" in exactly one/],
    ['0 8 ? * MON 1969', /year "1969" is outside 1970–2199/],
    ['0 8 ? * MON$ *', /day-of-week "MON\$" has characters/],
    ['0/x 8 ? * MON *', /minutes "0\/x" has a step that is not a number/],
  ])('%s is rejected: %s', (expression, message) => {
    const parsed = parseCron(expression);
    expect('error' in parsed && parsed.error).toMatch(message);
  });

  test('a non-string is rejected', () => {
    expect(parseCron(5)).toEqual({ error: 'must be a string, got 5' });
  });

  test('time zones are IANA names the runtime knows', () => {
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Dublin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isTimeZone(3)).toBe(false);
  });
});

describe('schedule windows in the plan', () => {
  test('the window minimum carries the expected load with headroom under the AZ rules', () => {
    const plan = planCapacity({ ...LOAD, schedule: [WEEKDAYS] });
    const [m] = plan.scheduledMinimums;
    // 800 req/s × 0.01 × 1.5 = 12 cores on 2 vCPU tasks: 6 tasks.
    expect(m.minTasks).toBe(6);
    expect(m.window).toEqual({ ...WEEKDAYS, expectedStreamOpensPerSecond: 0, timeZone: 'UTC' });
    expect(plan.explanation.join('\n')).toContain(
      'Schedule Weekdays: from "45 7 ? * MON-FRI *" to "0 18 ? * MON-FRI *" (UTC) the minimum is 6 tasks for 800 req/s expected',
    );
    // The schedule does not change the minimum outside the windows.
    expect(plan.minTasks).toBe(planCapacity(LOAD).minTasks);
  });

  test('with zone loss, a window’s minimum survives the loss of a zone', () => {
    const plan = planCapacity({ ...LOAD, survivesAzLoss: true, schedule: [WEEKDAYS] });
    expect(plan.scheduledMinimums[0].minTasks).toBe(12); // 6 per AZ × 2
  });

  test.each<[string, Partial<CapacityScheduleWindow> | unknown, RegExp]>([
    [
      'a bad name',
      { name: 'week days' },
      /^capacity: schedule\[0\]\.name must be a letter, then letters and digits, 1–32 characters, got "week days"$/,
    ],
    ['a bad start', { startCron: '0 8 * * *' }, /^capacity: schedule\[0\]\.startCron \(Weekdays\) must have 6 fields/],
    [
      'a bad end',
      { endCron: '0 25 ? * MON *' },
      /^capacity: schedule\[0\]\.endCron \(Weekdays\) hours "25" is outside 0–23/,
    ],
    [
      'the same start and end',
      { endCron: 'cron(45 7 ? * MON-FRI *)' },
      /^capacity: schedule\[0\]\.endCron must be different from startCron/,
    ],
    [
      'a load below the baseline',
      { expectedRps: 100 },
      /^capacity: schedule\[0\]\.expectedRps must be a finite number from baselineRps \(250\) to peakRps \(1000\).*, got 100$/,
    ],
    ['a load above peak', { expectedRps: 1001 }, /got 1001$/],
    [
      'streams above peak',
      { expectedStreamOpensPerSecond: 1 },
      /^capacity: schedule\[0\]\.expectedStreamOpensPerSecond must be a finite number from 0 to streamOpensPerSecond \(0\), got 1$/,
    ],
    [
      'an unknown time zone',
      { timeZone: 'Mars/Olympus' },
      /^capacity: schedule\[0\]\.timeZone must be an IANA time zone such as UTC or Europe\/Dublin, got "Mars\/Olympus"$/,
    ],
  ])('%s is rejected with the field and the value', (_name, change, message) => {
    expect(() => planCapacity({ ...LOAD, schedule: [{ ...WEEKDAYS, ...(change as object) }] })).toThrow(message);
  });

  test('duplicate names, non-lists, non-objects and too many windows are rejected', () => {
    expect(() => planCapacity({ ...LOAD, schedule: [WEEKDAYS, WEEKDAYS] })).toThrow(
      /^capacity: schedule\[1\]\.name must be unique among the windows, got "Weekdays"$/,
    );
    expect(() => planCapacity({ ...LOAD, schedule: 'daily' as unknown as CapacityScheduleWindow[] })).toThrow(
      /^capacity: schedule must be a list of at most 20 windows, got "daily"$/,
    );
    expect(() => planCapacity({ ...LOAD, schedule: [null as unknown as CapacityScheduleWindow] })).toThrow(
      /^capacity: schedule\[0\] must be a window \{name, startCron, endCron, expectedRps\}, got null$/,
    );
    const many = Array.from({ length: 21 }, (_, k) => ({ ...WEEKDAYS, name: `W${k}` }));
    expect(() => planCapacity({ ...LOAD, schedule: many })).toThrow(/at most 20 windows/);
  });
});
