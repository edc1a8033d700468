/**
 * What `npm install mcp-ops-cdk` adds to another team's CDK app: a bare app with aws-cdk-lib and constructs (the
 * versions this repository tests with), and the same app with the packed tarball of this package: both installed
 * by `npm ci --offline` from npm's cache (test/package/tarball.ts explains how); no registry is asked.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildAndPack, installConsumerApp } from '../test/package/tarball';
import { printTable } from './util';

export const title =
  'Consumer install: packages and bytes mcp-ops-cdk adds to a bare CDK app (offline, from the tarball)';

interface Tree {
  /** `name@version` of every installed package, nested ones included. */
  readonly packages: Set<string>;
  /** Apparent size (sum of file sizes) and disk usage (allocated blocks, what `du` reports). */
  readonly bytes: number;
  readonly diskBytes: number;
}

/** Every package folder under `node_modules` (recursively, scoped ones too) and the bytes of all files. */
function scan(nodeModules: string): Tree {
  const packages = new Set<string>();
  const visitModules = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === '.bin' || entry.name === '.cache') continue;
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        visitModules(full);
        continue;
      }
      const manifest = path.join(full, 'package.json');
      if (fs.existsSync(manifest)) {
        const { name, version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
        packages.add(`${name}@${version}`);
      }
      visitModules(path.join(full, 'node_modules'));
    }
  };
  visitModules(nodeModules);
  return { packages, ...sizeOf(nodeModules) };
}

/** Apparent bytes of all regular files under `dir`, and their disk usage (symbolic links are not followed). */
function sizeOf(dir: string): { bytes: number; diskBytes: number } {
  let bytes = 0;
  let diskBytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = sizeOf(full);
      bytes += sub.bytes;
      diskBytes += sub.diskBytes;
    } else if (entry.isFile()) {
      const st = fs.statSync(full);
      bytes += st.size;
      diskBytes += st.blocks * 512;
    }
  }
  return { bytes, diskBytes };
}

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-consumer-bench-'));
  try {
    // MCP_OPS_TARBALL measures a tarball built elsewhere (e.g. from an older commit, for a before/after figure).
    const tarball = process.env.MCP_OPS_TARBALL ?? buildAndPack(dir);
    const bare = scan(installConsumerApp(path.join(dir, 'bare'), undefined).nodeModules);
    const app = installConsumerApp(path.join(dir, 'app'), tarball).dir;
    const withUs = scan(path.join(app, 'node_modules'));
    const added = [...withUs.packages].filter((p) => !bare.packages.has(p));
    const ours = sizeOf(path.join(app, 'node_modules', 'mcp-ops-cdk'));
    const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
    printTable([
      [
        'bare app (aws-cdk-lib, constructs)',
        `${bare.packages.size} packages, ${mb(bare.bytes)}; ${mb(bare.diskBytes)} on disk`,
      ],
      ['tarball', `${path.basename(tarball)}, ${(fs.statSync(tarball).size / 1024).toFixed(0)} KB`],
      ['packages added beyond the bare app', `${added.length} (mcp-ops-cdk included)`],
      [
        'bytes added (file sizes; on disk)',
        `${mb(withUs.bytes - bare.bytes)}; ${mb(withUs.diskBytes - bare.diskBytes)}`,
      ],
      ['  of which mcp-ops-cdk itself', `${mb(ours.bytes)}; ${mb(ours.diskBytes)}`],
      ['esbuild installed', fs.existsSync(path.join(app, 'node_modules', 'esbuild')) ? 'yes' : 'no'],
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
