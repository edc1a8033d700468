import { parseAppConfig } from '../../lib/app/config';
import { planCapacity } from '../../lib/capacity/model';

const WINDOW = { name: 'Weekdays', startCron: '45 7 ? * MON-FRI *', endCron: '0 18 ? * MON-FRI *', expectedRps: 800 };

describe('context keys of the capacity model: baselineRps and peakSchedule', () => {
  test('unset: the model’s defaults (25 % of peak, no schedule)', () => {
    const { capacity } = parseAppConfig({});
    expect(capacity.baselineRps).toBeUndefined();
    expect(capacity.schedule).toBeUndefined();
    expect(planCapacity(capacity).input.baselineRps).toBe(250);
  });

  test('from -c (strings) and from cdk.json (a number and a list)', () => {
    const fromCli = parseAppConfig({ baselineRps: '300', peakSchedule: JSON.stringify([WINDOW]) }).capacity;
    const fromJson = parseAppConfig({ baselineRps: 300, peakSchedule: [WINDOW] }).capacity;
    expect(fromCli).toEqual(fromJson);
    expect(fromCli).toMatchObject({ baselineRps: 300, schedule: [WINDOW] });
    expect(planCapacity(fromCli).scheduledMinimums[0].minTasks).toBe(6);
  });

  test.each([
    [{ baselineRps: 'lots' }, /^context baselineRps: expected a number, got "lots"/],
    [{ peakSchedule: '{not json' }, /^context peakSchedule: expected a JSON list, got "\{not json"/],
    [{ peakSchedule: '{"name":"x"}' }, /^context peakSchedule: expected a JSON list, got/],
    [{ peakSchedule: 5 }, /^context peakSchedule: expected a JSON list, got 5/],
  ])('bad values are rejected naming the key: %j', (ctx, message) => {
    expect(() => parseAppConfig(ctx)).toThrow(message);
  });

  test('the window’s own errors come from the model with the field named', () => {
    const { capacity } = parseAppConfig({ peakSchedule: [{ ...WINDOW, expectedRps: 5000 }] });
    expect(() => planCapacity(capacity)).toThrow(/^capacity: schedule\[0\]\.expectedRps must be/);
  });
});
