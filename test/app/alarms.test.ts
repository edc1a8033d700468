/**
 * Every alarm of the default app comes from the one alarm factory: this walks the synthesized template and
 * checks each alarm's name, description, runbook link, tags, severity routing and OK action, and the page
 * composite over the critical ones.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildDefaultApp } from '../../lib/app/build';
import { testApp } from '../support/app';

const root = path.join(__dirname, '..', '..');
const RUNBOOK_BASE = 'https://runbooks.example.com/mcp';

// The default app with a probe (certificate + domain) and the runbooks published, so that every kind of alarm
// (golden signals, probe, log pipeline, backups, disaster recovery) is present.
const app = testApp({
  runbookBaseUrl: `${RUNBOOK_BASE}/`,
  certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555',
  domainName: 'mcp.example.com',
});
const stack = buildDefaultApp(app);
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
const topicRef = { Ref: stack.getLogicalId(stack.mcp.alarmTopic!.node.defaultChild as any) };
const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
const [pageId, page] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::CloudWatch::CompositeAlarm')!;
const pageRule = JSON.stringify(page.Properties.AlarmRule);

function severityOf(description: string): string {
  return /^\[(critical|warning)\] /.exec(description)?.[1] ?? 'none';
}

describe('every alarm of the default app comes from the alarm factory', () => {
  test('there are alarms from every construct', () => {
    const names = alarms.map(([, r]) => r.Properties.AlarmName as string);
    for (const id of ['LatencyP99', 'ProbeFailing', 'AuditDeliveryFailed', 'BackupStale', 'DrRtoExceeded']) {
      expect(names).toContain(`McpOps-mcp-server-${id}`);
    }
    expect(alarms.length).toBeGreaterThanOrEqual(25);
  });

  test.each(alarms.map(([logicalId, r]) => [r.Properties.AlarmName as string, logicalId, r.Properties]))(
    '%s: name, description, runbook, tags, routing and OK action',
    (name, logicalId, p) => {
      expect(name).toMatch(/^McpOps-mcp-server-[A-Z][A-Za-z0-9]*$/);
      const description = p.AlarmDescription as string;
      expect(description.length).toBeLessThanOrEqual(1024);
      const severity = severityOf(description);
      expect(['critical', 'warning']).toContain(severity);
      expect(description).toMatch(
        /^\[(critical|warning)\] mcp-server: [^.].*\. Threshold: .+\. .*Runbook: https:\/\/\S+\.md$/,
      );
      // The runbook link points at a runbook this repository ships.
      const runbook = /Runbook: (\S+)$/.exec(description)![1];
      expect(runbook.startsWith(`${RUNBOOK_BASE}/`)).toBe(true);
      expect(fs.existsSync(path.join(root, 'docs', 'runbooks', runbook.slice(RUNBOOK_BASE.length + 1)))).toBe(true);
      // Tags say the service and the severity, so notifications and cost reports can filter on them.
      expect(p.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'mcp-ops:service', Value: 'mcp-server' },
          { Key: 'mcp-ops:severity', Value: severity },
        ]),
      );
      if (severity === 'critical') {
        // Critical alarms notify only through the page composite: one incident, one page.
        expect(p.AlarmActions).toBeUndefined();
        expect(p.OKActions).toBeUndefined();
        expect(pageRule).toContain(`"${logicalId}"`);
      } else {
        expect(p.AlarmActions).toEqual([topicRef]);
        expect(p.OKActions).toEqual([topicRef]);
        expect(pageRule).not.toContain(`"${logicalId}"`);
      }
    },
  );

  test('the page composite watches every critical alarm, notifies on ALARM and OK, and names them', () => {
    const critical = alarms.filter(([, r]) => severityOf(r.Properties.AlarmDescription) === 'critical');
    expect(critical.length).toBeGreaterThanOrEqual(8);
    expect(page.Properties.AlarmName).toBe('McpOps-mcp-server-Page');
    expect(page.Properties.AlarmActions).toEqual([topicRef]);
    expect(page.Properties.OKActions).toEqual([topicRef]);
    const referenced = [...pageRule.matchAll(/"Fn::GetAtt":\["([^"]+)","Arn"\]/g)].map((m) => m[1]).sort();
    expect(referenced).toEqual(critical.map(([id]) => id).sort());
    for (const [, r] of critical) {
      const id = (r.Properties.AlarmName as string).replace('McpOps-mcp-server-', '');
      expect(page.Properties.AlarmDescription).toContain(id);
    }
    expect(pageId).toBeDefined();
  });

  test('the dashboard status widget lists every alarm', () => {
    const body = JSON.stringify(
      (Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as any).Properties.DashboardBody,
    );
    for (const [logicalId] of alarms) expect(body).toContain(logicalId);
  });
});
