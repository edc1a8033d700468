import { parseDailyWindow, windowMinutes } from '../../lib/data/windows';

describe('daily windows', () => {
  test('parses hh24:mi-hh24:mi into minutes after midnight; a window ending before it starts wraps midnight', () => {
    expect(parseDailyWindow('02:00-02:30')).toEqual({ start: 120, end: 150 });
    expect(parseDailyWindow('23:30-00:30')).toEqual({ start: 1410, end: 1470 });
    expect(windowMinutes(parseDailyWindow('23:30-00:30')!)).toBe(60);
    expect(windowMinutes(parseDailyWindow('03:00-04:00')!)).toBe(60);
    expect(windowMinutes(parseDailyWindow('03:00-03:29')!)).toBe(29);
  });

  test('rejects malformed windows', () => {
    for (const w of ['2:00-3:00', '24:00-01:00', '02:60-03:00', '02:00', '02:00-03:00 ', 'sun:02:00-sun:03:00']) {
      expect(parseDailyWindow(w)).toBeUndefined();
    }
  });
});
