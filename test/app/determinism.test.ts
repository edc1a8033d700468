import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildDefaultApp } from '../../lib/app/build';
import { featureFlags } from '../support/app';

/**
 * Two synths of the same commit give byte-identical templates, so a pull request's diff shows only real
 * changes. The two cloud assemblies are written at different depths (as `cdk synth` into ./cdk.out and
 * `cdk synth -o /tmp/x`, or a CI checkout in another folder, do): every bundled Lambda is really bundled
 * twice, and its asset hash must not depend on where the assembly lives.
 */
describe('synthesis is deterministic', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-determinism-'));
  const outdirs = [path.join(root, 'a'), path.join(root, 'deeper', 'nested', 'b')];

  function synth(outdir: string) {
    fs.mkdirSync(outdir, { recursive: true });
    const app = new App({ outdir, context: { ...featureFlags } });
    const stack = buildDefaultApp(app);
    // aws-cdk-lib announces each bundling on stderr; a passing suite prints nothing.
    const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      app.synth();
    } finally {
      quiet.mockRestore();
    }
    const read = (name: string) => fs.readFileSync(path.join(outdir, name), 'utf8');
    return {
      template: read(`${stack.artifactId}.template.json`),
      assets: read(`${stack.artifactId}.assets.json`),
      assetDirs: fs
        .readdirSync(outdir)
        .filter((n) => n.startsWith('asset.'))
        .sort(),
    };
  }

  let first: ReturnType<typeof synth>;
  let second: ReturnType<typeof synth>;
  beforeAll(() => {
    [first, second] = outdirs.map(synth);
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the templates are byte-identical', () => {
    expect(second.template).toBe(first.template);
  });

  test('the asset manifests and the staged assets are the same', () => {
    expect(second.assets).toBe(first.assets);
    expect(second.assetDirs).toEqual(first.assetDirs);
    // Bundled Lambdas really were bundled (not skipped), so their hashes were computed over the output.
    expect(first.assetDirs.length).toBeGreaterThanOrEqual(4);
  });

  test("bundled source maps name the project's files, not the assembly's location", () => {
    const maps = first.assetDirs
      .map((d) => path.join(outdirs[0], d, 'index.js.map'))
      .filter((f) => fs.existsSync(f))
      .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as { sources: string[] });
    expect(maps.length).toBeGreaterThanOrEqual(4);
    for (const map of maps) {
      for (const source of map.sources) {
        expect(source).not.toMatch(/^(\.\.\/|\/)/);
      }
      expect(map.sources.some((s) => s.startsWith('lambda/'))).toBe(true);
    }
  });
});
