import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { COMMANDS } from '../../cli/main';

/**
 * The example CI files parse, and every command they run exists in this project: npm scripts, binaries
 * that `npx` finds in node_modules/.bin, mcp-ops subcommands and their flags. A rename anywhere breaks
 * this test instead of a user's first pipeline.
 */
const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const workflowFile = path.join(root, 'docs', 'ci', 'github-actions.yml');
const shellFile = path.join(root, 'docs', 'ci', 'deploy.sh');

/** Tools a runner has besides the project's own commands (anything else fails the test). */
const STANDARD_TOOLS = new Set(['git', 'cd', 'echo', 'tee', 'mkdir', 'cat']);

interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    {
      if?: string;
      needs?: string | string[];
      environment?: string;
      permissions?: Record<string, string>;
      steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
    }
  >;
}

const workflow = parse(fs.readFileSync(workflowFile, 'utf8')) as Workflow;

/** The simple commands of a shell script: split at newlines (joining `\` continuations), `&&`, `||`, `;` and `|`. */
function commands(script: string): string[][] {
  return script
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean)
    .flatMap((l) => l.split(/\s*(?:&&|\|\||;|\|)\s*/))
    .map((c) => c.replace(/^\(+|\)+$/g, '').trim())
    .filter(Boolean)
    .map((c) => c.split(/\s+/));
}

/** Checks one command line; returns what is wrong with it, or undefined. */
function problem(words: string[]): string | undefined {
  const [cmd, ...args] = words;
  if (cmd === 'npm') {
    if (args[0] === 'ci' || args[0] === 'test')
      return args[0] === 'test' && !pkg.scripts.test ? 'no test script' : undefined;
    if (args[0] !== 'run') return `unexpected npm command ${args.join(' ')}`;
    const rest = args.slice(1).filter((a) => a !== '--silent');
    const script = rest[0];
    if (!pkg.scripts[script]) return `npm script ${script} does not exist`;
    if (script === 'mcp-ops') {
      const sub = rest[rest.indexOf('--') + 1];
      if (!COMMANDS[sub]) return `mcp-ops has no subcommand ${sub}`;
    }
    return undefined;
  }
  if (cmd === 'npx') {
    const bin = args[0];
    if (!fs.existsSync(path.join(root, 'node_modules', '.bin', bin)))
      return `npx ${bin}: no such binary in node_modules/.bin`;
    return undefined;
  }
  return STANDARD_TOOLS.has(cmd) ? undefined : `unknown command ${cmd}`;
}

/** Runs `mcp-ops <sub> --help` and returns its text, to check the flags a file uses. */
async function helpOf(sub: string): Promise<string> {
  const out: string[] = [];
  await COMMANDS[sub].run(['--help'], { out: (t) => out.push(t), err: () => undefined, env: {} });
  return out.join('');
}

describe('docs/ci/github-actions.yml', () => {
  const runs = Object.entries(workflow.jobs).flatMap(([job, j]) =>
    j.steps.filter((s) => s.run).map((s) => ({ job, run: s.run! })),
  );

  test('parses, runs on pull requests and on pushes to main', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect((workflow.on.push as { branches: string[] }).branches).toEqual(['main']);
    expect(Object.keys(workflow.jobs)).toEqual(['check', 'review', 'deploy-staging', 'deploy-production']);
  });

  test('every command it runs exists in the project', () => {
    const problems = runs.flatMap(({ job, run }) =>
      commands(run)
        .map((c) => [job, c.join(' '), problem(c)])
        .filter(([, , p]) => p),
    );
    expect(problems).toEqual([]);
    expect(runs.length).toBeGreaterThan(8);
  });

  test('the mcp-ops flags it passes are flags the commands take', async () => {
    const used = runs.flatMap(({ run }) => commands(run)).filter((c) => c.includes('mcp-ops'));
    expect(used.length).toBeGreaterThanOrEqual(3);
    for (const c of used) {
      const sub = c[c.indexOf('--') + 1];
      const help = await helpOf(sub);
      for (const flag of c.slice(c.indexOf('--') + 2).filter((a) => a.startsWith('--')))
        expect(`${sub} ${help}`).toContain(flag);
    }
  });

  test('pull requests: synth and tests, the review report against the base, cdk diff, a comment; no deploy', () => {
    expect(runs.filter((r) => r.job === 'check').map((r) => r.run)).toEqual([
      'npm ci',
      'npm test',
      'npx cdk synth --quiet --output cdk.out',
    ]);
    const review = workflow.jobs.review;
    expect(review.if).toBe("github.event_name == 'pull_request'");
    const text = JSON.stringify(review.steps);
    expect(text).toContain('mcp-ops -- review --app cdk.out --base base.out');
    expect(text).toContain('npx cdk diff --app cdk.out --method template');
    expect(text).toContain('<!-- mcp-ops-review -->');
    expect(review.permissions).toMatchObject({ 'pull-requests': 'write', 'id-token': 'write' });
    expect(text).not.toContain('cdk deploy');
  });

  test('merges to main deploy with --require-approval never and --outputs-file, production behind its environment, then verify', () => {
    for (const [job, environment] of [
      ['deploy-staging', 'staging'],
      ['deploy-production', 'production'],
    ]) {
      const j = workflow.jobs[job];
      expect(j.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
      expect(j.environment).toBe(environment);
      expect(j.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      const jobRuns = j.steps.filter((s) => s.run).map((s) => s.run!);
      const deployAt = jobRuns.findIndex((r) =>
        r.startsWith('npx cdk deploy --all --require-approval never --outputs-file cdk-outputs.json'),
      );
      const verifyAt = jobRuns.findIndex((r) => r === 'npm run --silent mcp-ops -- verify --outputs cdk-outputs.json');
      expect(deployAt).toBeGreaterThanOrEqual(0);
      expect(verifyAt).toBeGreaterThan(deployAt);
      expect(j.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))?.with).toMatchObject({
        'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
      });
    }
    expect(workflow.jobs['deploy-production'].needs).toBe('deploy-staging');
  });

  test('actions are pinned to a major version', () => {
    const uses = Object.values(workflow.jobs).flatMap((j) => j.steps.filter((s) => s.uses).map((s) => s.uses!));
    for (const u of uses) expect(u).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
  });
});

describe('docs/ci/deploy.sh', () => {
  const script = fs.readFileSync(shellFile, 'utf8');

  test('is valid bash', () => {
    const r = spawnSync('bash', ['-n', shellFile], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('every command it runs exists in the project', () => {
    const body = script.split('\n').filter((l) => !l.startsWith('#'));
    const project = commands(body.join('\n')).filter((c) => ['npm', 'npx'].includes(c[0]));
    expect(project.length).toBeGreaterThanOrEqual(8);
    expect(project.map(problem).filter(Boolean)).toEqual([]);
    expect(script).toContain('npx cdk deploy --all --require-approval never --outputs-file cdk-outputs.json');
    expect(script).toContain('npm run --silent mcp-ops -- verify --outputs cdk-outputs.json');
  });

  test('refuses a production deploy without an approval, before running anything', () => {
    const r = spawnSync('bash', [shellFile, 'deploy', 'production'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      input: '',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('production needs an approval: set MCP_OPS_APPROVED=production');
  });

  test('prints its usage and exits 2 without a known step', () => {
    const r = spawnSync('bash', [shellFile, 'launch'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('docs/ci/deploy.sh deploy <environment>');
  });
});
