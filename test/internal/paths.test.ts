import * as fs from 'fs';
import * as path from 'path';
import { bundlingRoot, lambdaEntry, packageRoot } from '../../lib/internal/paths';

describe('package paths', () => {
  test('the package root is this repository, and Lambda entries resolve under lambda/', () => {
    expect(JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).name).toBe('mcp-ops-cdk');
    expect(lambdaEntry('backup')).toBe(path.join(packageRoot(), 'lambda', 'backup', 'index.ts'));
    expect(() => lambdaEntry('no-such-handler')).toThrow(/Lambda entry .*no-such-handler.*does not exist/);
  });

  test("bundling runs from the checkout's own lock file", () => {
    expect(bundlingRoot()).toEqual({
      projectRoot: packageRoot(),
      depsLockFilePath: path.join(packageRoot(), 'package-lock.json'),
    });
  });
});
