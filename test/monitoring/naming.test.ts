import {
  alarmDescription,
  alarmName,
  DEFAULT_RUNBOOK_BASE_URL,
  MAX_ALARM_DESCRIPTION,
  normaliseRunbookBaseUrl,
  RUNBOOKS,
  runbookUrl,
  sanitiseDashboardName,
} from '../../lib/monitoring/naming';
import * as fs from 'fs';
import * as path from 'path';

describe('naming', () => {
  test('every runbook named in code exists in docs/runbooks with the required sections', () => {
    for (const name of Object.values(RUNBOOKS)) {
      const file = path.join(__dirname, '..', '..', 'docs', 'runbooks', `${name}.md`);
      expect(fs.existsSync(file)).toBe(true);
      const text = fs.readFileSync(file, 'utf8');
      for (const section of [
        'Symptoms',
        'First five minutes',
        'Investigation',
        'Mitigation',
        'Resolution',
        'Post-incident',
      ]) {
        expect(text).toMatch(new RegExp(`^## ${section}`, 'm'));
      }
    }
  });

  test('runbook base URL: https only, trailing slashes removed', () => {
    expect(normaliseRunbookBaseUrl('https://wiki.example.com/runbooks/')).toBe('https://wiki.example.com/runbooks');
    expect(runbookUrl(normaliseRunbookBaseUrl(DEFAULT_RUNBOOK_BASE_URL), 'saturation')).toBe(
      `${DEFAULT_RUNBOOK_BASE_URL}/saturation.md`,
    );
    expect(() => normaliseRunbookBaseUrl('http://wiki.example.com')).toThrow(
      'McpMonitoring: runbookBaseUrl must be an https:// URL without query or fragment (the runbook file name is appended), got "http://wiki.example.com"',
    );
    expect(() => normaliseRunbookBaseUrl('https://x.example.com/a?b=c')).toThrow(
      'runbookBaseUrl must be an https:// URL',
    );
  });

  test('alarm and dashboard names', () => {
    expect(alarmName('Prod-orders-mcp', 'ErrorRate')).toBe('Prod-orders-mcp-ErrorRate');
    expect(sanitiseDashboardName('Prod-orders.mcp v2')).toBe('Prod-orders-mcp-v2');
  });

  test('descriptions name severity, threshold and runbook, and stay within 1024 characters keeping the link whole', () => {
    const d = alarmDescription({
      service: 's',
      summary: 'p99 is high',
      threshold: 'above 1.5 s',
      severity: 'critical',
      runbookUrl: 'https://x.example.com/high-latency.md',
    });
    expect(d).toBe('[critical] s: p99 is high. Threshold: above 1.5 s. Runbook: https://x.example.com/high-latency.md');
    const long = alarmDescription({
      service: 's',
      summary: 'x'.repeat(2000),
      threshold: 't',
      severity: 'warning',
      runbookUrl: 'https://x.example.com/saturation.md',
    });
    expect(long.length).toBeLessThanOrEqual(MAX_ALARM_DESCRIPTION);
    expect(long.endsWith('Runbook: https://x.example.com/saturation.md')).toBe(true);
  });
});
