import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { main } from '../../cli/main';
import { readAssembly } from '../../cli/review/assembly';
import { CostModel } from '../../cli/review/cost';
import { REPORT_MARKER, renderReport } from '../../cli/review/report';
import { COST_NOT_AVAILABLE } from '../../cli/review/capacity';
import { CostGroup, costPlan, defaultAppInventory } from '../../lib/capacity/cost';
import { buildDefaultApp } from '../../lib/app/build';
import { parseAppConfig } from '../../lib/app/config';
import { planCapacity } from '../../lib/capacity/model';
import { testApp } from '../support/app';

/**
 * The review report on real synthesized templates of the default app: the base as it is, and a change that
 * raises peakRps, renames the database (a replacement) and grants the backup function `s3:*` on `*`.
 * Each variant is synthesized once for the whole file; Lambda bundling is skipped (the report reads
 * templates, and asset hashes are covered by the determinism test).
 */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
/** As `cdk synth` does: construct paths in the template's metadata. */
const PATH_METADATA = { 'aws:cdk:enable-path-metadata': true };

function synth(context: Record<string, unknown>, change?: (stack: ReturnType<typeof buildDefaultApp>) => void): string {
  const app = testApp({ ...NO_BUNDLING, ...PATH_METADATA, ...context });
  const stack = buildDefaultApp(app);
  change?.(stack);
  return app.synth().directory;
}

function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return main(['review', ...args], { out: (t) => out.push(t), err: (t) => err.push(t), env: {} }).then((code) => ({
    code,
    out: out.join(''),
    err: err.join(''),
  }));
}

/** The lines of one `### Section` of the report. */
function section(report: string, title: string): string {
  const start = report.indexOf(`### ${title}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = report.indexOf('\n### ', start + 4);
  return report.slice(start, next === -1 ? undefined : next);
}

describe('mcp-ops review', () => {
  let base: string;
  let changed: string;
  let baseReport: string;
  let diffReport: string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-review-'));

  beforeAll(async () => {
    base = synth({});
    changed = synth({ peakRps: '1200' }, (stack) => {
      (stack.data!.database!.node.defaultChild as rds.CfnDBInstance).addPropertyOverride('DBName', 'renamed');
      stack.backup.backupFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
      Validations.of(stack.backup.backupFunction.role!).acknowledge({
        id: 'AwsSolutions-IAM5[Action::s3:*]',
        reason: 'test: a new wildcard the review must highlight',
      });
    });
    baseReport = (await run(['--app', base])).out;
    diffReport = (await run(['--app', changed, '--base', base, '--base-label', 'main'])).out;
  });

  afterAll(() => {
    for (const dir of [tmp, base, changed]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('is registered and prints its usage', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('usage: mcp-ops review');
  });

  test('writes every section for the default app, marked for a sticky pull-request comment', () => {
    expect(baseReport.startsWith(`${REPORT_MARKER}\n## mcp-ops review: \`McpOps\``)).toBe(true);
    for (const title of [
      'Needs attention',
      'Architecture',
      'Exposure and identity',
      'IAM',
      'Changes against the base',
      'Alarms',
      'Capacity and cost',
      'Synth-time validation (cdk-nag)',
      'Pre-production checklist',
    ]) {
      expect(baseReport).toContain(`### ${title}`);
    }
    expect(baseReport.length).toBeLessThan(65536);
  });

  test('the diagram is derived from the template: groups, the internet, security-group paths and data flows', () => {
    const diagram = section(baseReport, 'Architecture');
    expect(diagram).toContain('```mermaid\nflowchart LR');
    for (const group of [
      'edge[Edge]',
      'service[Service]',
      'data[Data]',
      'pipelines[Pipelines]',
      'backup[Backup and DR]',
    ]) {
      expect(diagram).toContain(`subgraph ${group}`);
    }
    const t = JSON.parse(fs.readFileSync(path.join(base, 'McpOps.template.json'), 'utf8'));
    const idOf = (type: string) => Object.keys(t.Resources).find((k) => t.Resources[k].Type === type)!;
    const [lb, service, db, cache, machine] = [
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::ECS::Service',
      'AWS::RDS::DBInstance',
      'AWS::ElastiCache::ReplicationGroup',
      'AWS::StepFunctions::StateMachine',
    ].map(idOf);
    // Without a certificate the load balancer is internal: the internet reaches nothing, the VPC reaches port 80.
    expect(diagram).not.toContain('internet -->');
    expect(diagram).toContain(`${lb}["load balancer<br/>Mcp/Lb<br/>internal"]`);
    expect(diagram).toContain(`${lb} -->|"tcp 8080"| ${service}`);
    expect(diagram).toContain(`${service} -->|"tcp 5432"| ${db}`);
    expect(diagram).toContain(`${service} -->|"tcp 6379"| ${cache}`);
    expect(diagram).toMatch(new RegExp(`${machine} -\\.->\\|"task"\\| `));
    expect(diagram).toMatch(/events -\.->\|"rate\(1 hour\)"\| Backup/);
    // Nothing reaches the database from the internet.
    expect(diagram).not.toContain(`internet -->|"tcp 5432"|`);
  });

  test('exposure: secure by default without a certificate: an internal load balancer, the server verifies tokens, no ingress from anywhere', () => {
    const x = section(baseReport, 'Exposure and identity');
    expect(x).toMatch(/\*\*Public listeners\*\*\s+_none_/);
    expect(x).toContain('Internal load balancers (not listed): 1.');
    expect(x).toMatch(
      /`Mcp\/Service\/Service` verifies bearer tokens \(AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL are set\)/,
    );
    // Only the VPC's own CIDR reaches the internal listener.
    expect(x).toMatch(
      /\| `Mcp\/LbSecurityGroup` \| `Mcp\/Lb` \| tcp 80 \| \$\{McpVpc[0-9A-F]+\.CidrBlock\} \| clients in the VPC \|/,
    );
    expect(x).not.toContain('0.0.0.0/0 (anywhere)');
    expect(section(baseReport, 'Needs attention')).not.toMatch(/has no TLS/);
  });

  test('IAM lists every role with its statements; same-account references are not external trust', () => {
    const x = section(baseReport, 'IAM');
    const t = JSON.parse(fs.readFileSync(path.join(base, 'McpOps.template.json'), 'utf8'));
    const roles = Object.values(t.Resources).filter((r: any) => r.Type === 'AWS::IAM::Role').length;
    expect(x).toContain(`${roles} roles`);
    expect((x.match(/<details><summary>/g) ?? []).length).toBe(roles + 1); // + the collapsed wildcard list
    expect(x).toContain('`rds:DeleteDBSnapshot`');
    // The ALB writes its access logs as the log-delivery service principal (no regional ELB account), and roles of
    // the stack in key policies are not external: no trust outside the account.
    expect(x).toMatch(/\*\*Trust outside the account\*\*\s+_none_/);
    expect(x).toContain('0 external trusts');
    expect(x).not.toMatch(/an account this template does not name/);
  });

  test('alarms: name, severity, threshold in words and runbook', () => {
    const x = section(baseReport, 'Alarms');
    expect(x).toMatch(/\| `McpOps-mcp-server-Page` \| page \| rule: \(ALARM\(McpOps-mcp-server-LatencyP99\) OR /);
    expect(x).toContain(
      '| `McpOps-mcp-server-LatencyP99` | critical | ALB TargetResponseTime p99 above 1.5 s (baseline 1 s × 1.5) in 2 of 3 one-minute periods |',
    );
    expect(x).toMatch(
      /NoHealthyHosts` \| critical \| HealthyHostCount \(maximum over the period\) below 1 for one one-minute period, i\.e\. at once \|/,
    );
    // Every construct's alarms follow the factory's convention: name, severity, threshold in words, runbook.
    expect(x).toMatch(
      /\| `McpOps-mcp-server-BackupStale` \| critical \| BackupAgeSeconds \(maximum\) above 3600 s in one 60-minute period; .*\| \[docs\/runbooks\/backup\.md\]\(https:\/\/\S+\/docs\/runbooks\/backup\.md\) \|/,
    );
    expect(x).not.toContain('untagged');
  });

  test('capacity comes from the template and is priced with the capacity model’s price table', () => {
    const plan = planCapacity(parseAppConfig({}).capacity);
    const x = section(baseReport, 'Capacity and cost');
    expect(x).toContain(
      `| \`Mcp/Service/Service\` tasks (min–max, desired) | ${plan.minTasks}–${plan.maxTasks}, desired ${plan.minTasks} |`,
    );
    expect(x).toContain(`${plan.taskCpu / 1024} vCPU, ${plan.taskMemoryMiB / 1024} GiB (FARGATE, ARM64)`);
    expect(x).not.toContain(COST_NOT_AVAILABLE);
    // The same figures `npm run capacity -- --default-app` prints: its fleet and its fixed lines (custom metrics
    // aside: a template does not say which metrics the code publishes).
    const cost = costPlan(plan, { region: 'eu-west-1', inventory: defaultAppInventory() });
    const fixed = cost.lines.filter((l) => l.group === CostGroup.FIXED && l.item !== 'CloudWatch custom metrics');
    const usd = (n: number) => `$${n.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
    for (const l of fixed) expect(x).toContain(`| ${l.item} | ${usd(l.idleUsd)} |`);
    const fixedUsd = fixed.reduce((n, l) => n + l.idleUsd, 0);
    expect(x).toContain(
      `Monthly cost at minimum capacity: **${usd(fixedUsd + cost.fleetAtMinimumUsd)}** (at the autoscaling maximum: ${usd(fixedUsd + cost.fleetAtMaximumUsd)}).`,
    );
    expect(x).toMatch(/Not included: traffic/);
  });

  test('without a cost model the report says the cost is not available', () => {
    expect(section(renderReport(readAssembly(base), {}), 'Capacity and cost')).toContain(`${COST_NOT_AVAILABLE}.`);
  });

  test('cdk-nag: the packs that ran (recorded by the default app) and every acknowledgement with its reason', async () => {
    const x = section(baseReport, 'Synth-time validation (cdk-nag)');
    expect(x).toContain('Ran at synth: cdk-nag `AwsSolutions`, CloudFormation');
    expect(x).toMatch(/\| AwsSolutions \| `AwsSolutions-IAM5` \| \d+ \| \d+ \|/);
    expect(x).toContain('Annotation::mcp-ops:serverOnlyTokenCheck');
    // The compliance packs' acknowledgements (for apps that run them) are counted, not listed.
    expect(x).toMatch(/Also in the template, for packs that did not run here .*`NIST\.800-53\.R5`/);
    expect(x).toMatch(/\| `AwsSolutions-ECS2` \| all \| `McpOps\/Mcp\/Task` \| Only non-secret configuration/);
  });

  test('the pre-production checklist: every item of the guide, with what the stack provides and leaves', () => {
    const x = section(baseReport, 'Pre-production checklist');
    for (const item of [
      'Monitoring dashboards configured',
      'Alerts and notifications set up',
      'Logging pipeline established',
      'Backup and recovery tested',
      'Runbooks documented',
      'On-call rotation scheduled',
      'Incident response plan ready',
      'Capacity planning completed',
    ]) {
      expect(x).toContain(`| ${item} |`);
    }
    // No alarm e-mails in the default app: the topic has no subscription.
    expect(x).toMatch(/\| Alerts and notifications set up \| 🟡 partly \| .* has no subscription in the template/);
    expect(x).toMatch(
      /\| Backup and recovery tested \| 🟡 partly \| backups on `rate\(1 hour\)`.*drilled on `cron\(0 3 \? \* MON \*\)`/,
    );
    expect(x).toMatch(/\| On-call rotation scheduled \| ⬜ the team \|/);
  });

  test('against a base: the database replacement is flagged first, then the new wildcard', () => {
    const items = section(diffReport, 'Needs attention')
      .split('\n')
      .filter((l) => l.startsWith('- '));
    expect(items[0]).toMatch(
      /^- ⛔ \*\*Replaces\*\* the database `Data\/Database` \(RDS::DBInstance\) \(DBName: `mcp` → `renamed` \(replacement\)\)/,
    );
    expect(items[0]).toContain('is deleted after a final snapshot (UpdateReplacePolicy Snapshot)');
    const wildcard = items.findIndex((l) => l.includes('**New wildcard** in `Backup/FunctionRole`'));
    expect(wildcard).toBeGreaterThan(0);
    expect(items[wildcard]).toContain('`s3:*` on `*`');
    expect(section(diffReport, 'IAM')).toContain('New against main: 1 wildcard, 0 external trusts');
  });

  test('against a base: the peakRps change shows in the diff section and in the capacity table', () => {
    const before = planCapacity(parseAppConfig({}).capacity);
    const after = planCapacity(parseAppConfig({ peakRps: '1200' }).capacity);
    expect(after.minTasks).not.toBe(before.minTasks);
    const x = section(diffReport, 'Changes against main');
    expect(x).toMatch(/^Against main: \d+ replace, .*\d+ update/m);
    expect(x).toContain(`MinCapacity: \`${before.minTasks}\` → \`${after.minTasks}\``);
    expect(x).toContain(`MaxCapacity: \`${before.maxTasks}\` → \`${after.maxTasks}\``);
    expect(x).toMatch(
      /\| ⛔ replace \| `Data\/Database` \(\w+\) \| RDS::DBInstance \| DBName: `mcp` → `renamed` \(replacement\) \|/,
    );
    expect(x).toMatch(/\*\*IAM statement changes\*\* \(permissions broadened\)/);
    expect(x).toMatch(/\| \+ \| \* \| Allow \| [^|]*s3:\*[^|]* \| AWS:\$\{BackupFunctionRole\w+\} \|/);
    const capacity = section(diffReport, 'Capacity and cost');
    expect(capacity).toContain(
      `| \`Mcp/Service/Service\` tasks (min–max, desired) | ${after.minTasks}–${after.maxTasks}, desired ${after.minTasks} | ${before.minTasks}–${before.maxTasks}, desired ${before.minTasks} | changed |`,
    );
    expect(section(diffReport, 'Alarms')).toContain('against the base');
  });

  test('the same input gives byte-identical output, from the CLI and through --out', async () => {
    const again = await run(['--app', changed, '--base', base, '--base-label', 'main']);
    expect(again.out).toBe(diffReport);
    const file = path.join(tmp, 'nested', 'review.md');
    expect((await run(['--app', base, '--out', file])).code).toBe(0);
    const whole = fs.readFileSync(file, 'utf8');
    const file2 = path.join(tmp, 'nested', 'review-again.md');
    expect((await run(['--app', base, '--out', file2])).code).toBe(0);
    expect(fs.readFileSync(file2, 'utf8')).toBe(whole);
    // Under the comment limit, stdout and --out are the same bytes.
    expect(whole).toBe(baseReport);
    // No absolute path or machine detail leaks into the report.
    expect(diffReport).not.toContain(os.tmpdir());
    expect(diffReport).not.toContain(process.cwd());
  });

  test('the base can be a single template file', async () => {
    const r = await run(['--app', changed, '--base', path.join(base, 'McpOps.template.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('compared with McpOps.template.json');
    expect(section(r.out, 'Needs attention')).toMatch(/^- ⛔ \*\*Replaces\*\* the database/m);
  });

  test('a cost model, when wired, prices the capacity and its change against the base', () => {
    const model: CostModel = {
      monthlyCost: (facts) => {
        const tasks = facts.services.reduce((n, s) => n + (s.minTasks ?? 0), 0);
        return { totalUsd: tasks * 10, lines: [{ item: 'tasks', monthlyUsd: tasks * 10 }], notes: ['test model'] };
      },
    };
    const report = renderReport(readAssembly(changed), {
      base: readAssembly(base),
      baseLabel: 'main',
      costModel: model,
    });
    const before = planCapacity(parseAppConfig({}).capacity).minTasks * 10;
    const after = planCapacity(parseAppConfig({ peakRps: '1200' }).capacity).minTasks * 10;
    expect(section(report, 'Capacity and cost')).toContain(
      `Monthly cost at minimum capacity: **$${after.toFixed(2)}**, +$${(after - before).toFixed(2)} against the base.`,
    );
  });

  test('bad input: no assembly exits 1 with the reason; bad flags and unknown stacks exit 2', async () => {
    const missing = await run(['--app', path.join(tmp, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/is not a cloud assembly: it has no manifest\.json/);
    const badBase = await run(['--app', base, '--base', path.join(tmp, 'nope.json')]);
    expect(badBase.code).toBe(1);
    expect(badBase.err).toContain('does not exist');
    const notJson = path.join(tmp, 'broken.template.json');
    fs.writeFileSync(notJson, '{');
    expect((await run(['--app', base, '--base', notJson])).err).toMatch(/is not valid JSON/);
    const flag = await run(['--app', base, '--colour']);
    expect(flag.code).toBe(2);
    expect(flag.err).toMatch(/Unknown option '--colour'/);
    const empty = await run(['--app', '']);
    expect(empty.code).toBe(2);
    const stack = await run(['--app', base, '--stack', 'Other']);
    expect(stack.code).toBe(2);
    expect(stack.err).toContain('--stack "Other" is not in the assembly; its stacks: McpOps');
  });
});
