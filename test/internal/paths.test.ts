import * as fs from 'fs';
import * as path from 'path';
import { CLI_BUNDLE, LAMBDA_BUNDLES_DIR, lambdaBundleDir, packageRoot } from '../../lib/internal/paths';

describe('package paths', () => {
  test('the package root is this repository, and Lambda bundles resolve under dist/lambda/', () => {
    expect(JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).name).toBe('mcp-ops-cdk');
    expect(lambdaBundleDir('backup')).toBe(path.join(packageRoot(), LAMBDA_BUNDLES_DIR, 'backup'));
  });

  test('a handler name that has no bundle, or is not a plain name, is a clear error', () => {
    expect(() => lambdaBundleDir('no-such-handler')).toThrow(
      /no Lambda bundle named no-such-handler \(.*dist\/lambda\/no-such-handler\/index\.js does not exist\)/,
    );
    expect(() => lambdaBundleDir('Backup')).toThrow(/lower-case letters, digits and hyphens, got "Backup"/);
  });

  test("package.json's bin is the CLI bundle", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ 'mcp-ops': CLI_BUNDLE });
  });
});
