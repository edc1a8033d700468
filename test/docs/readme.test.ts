import * as fs from 'fs';
import * as path from 'path';
import { CONTEXT_KEYS } from '../../lib/app/config';

const root = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('README.md stays true', () => {
  test('the quick start is the two commands: install + synth, and the test command', () => {
    expect(readme).toContain('npm ci && npx cdk synth --quiet');
    expect(readme).toMatch(/^npm test\b/m);
    expect(pkg.scripts.test).toBe(
      'tsc --noEmit -p tsconfig.json && npm run --silent lint && npm run --silent compile && jest',
    );
    expect(fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });

  test('the quick start synthesizes right after `npm ci`: its prepare script builds the Lambda bundles', () => {
    // npm ci runs the root package's prepare script after installing (docs: npm scripts, "Life Cycle Operation Order").
    expect(pkg.scripts.prepare).toMatch(/^tsx scripts\/bundle\.ts\b/);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).app).toMatch(/bin\/mcp-ops\.ts$/);
    expect(pkg.scripts.build).toMatch(/npm run --silent bundle && npm run --silent compile/);
  });

  test('every context key the app reads is documented', () => {
    for (const { key } of CONTEXT_KEYS) expect(readme).toContain(`| \`${key}\` |`);
  });

  test('every local link points at a file that exists', () => {
    const docs = [
      'README.md',
      ...fs
        .readdirSync(path.join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    const missing: string[] = [];
    for (const doc of docs) {
      const text = fs.readFileSync(path.join(root, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue; // http(s):, mailto:
        if (!fs.existsSync(path.join(root, path.dirname(doc), target))) missing.push(`${doc} → ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('the scripts the README names exist', () => {
    for (const script of ['build', 'synth', 'test', 'bench', 'capacity', 'bundle', 'compile'])
      expect(pkg.scripts[script]).toBeDefined();
  });
});
