/**
 * What `npm pack` ships (package hygiene, issue 10): the LICENSE matching package.json's `license`, the pre-built
 * bundles, the reference server's image sources, and nothing of the repository's own tooling or sources.
 */
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot, runNpm } from './tarball';

const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8'));

describe('the packed file list (npm pack --dry-run)', () => {
  let files: string[];
  beforeAll(() => {
    const [report] = JSON.parse(runNpm(['pack', '--dry-run', '--json', '--ignore-scripts'], packageRoot));
    files = (report.files as Array<{ path: string }>).map((f) => f.path).sort();
  });

  test('ships a LICENSE with the full Apache-2.0 text that package.json names', () => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(files).toContain('LICENSE');
    const text = fs.readFileSync(path.join(packageRoot, 'LICENSE'), 'utf8');
    expect(text).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\//);
    expect(text).toMatch(/TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION/);
    expect(text).toMatch(/END OF TERMS AND CONDITIONS/);
  });

  test('ships every Lambda bundle, the CLI bundle (bin), the README and the server image sources', () => {
    const handlers = fs.readdirSync(path.join(packageRoot, 'lambda')).filter((d) => {
      return fs.existsSync(path.join(packageRoot, 'lambda', d, 'index.ts'));
    });
    for (const h of handlers) expect(files).toContain(`dist/lambda/${h}/index.js`);
    expect(files).toContain(pkg.bin['mcp-ops']);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', 'service/Dockerfile']));
  });

  test("ships none of the repository's sources, tests, tooling or lock file", () => {
    const unexpected = files.filter(
      (f) =>
        /^(lambda|lib|cli|bin|test|bench|scripts|\.ci)\//.test(f) ||
        f.startsWith('dist/bundle-meta/') ||
        f === 'package-lock.json' ||
        (f.startsWith('dist/') && f.endsWith('.map')) ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('service/src/')),
    );
    expect(unexpected).toEqual([]);
  });
});
