/**
 * The pre-built bundles the package ships (scripts/bundle.ts): each Lambda bundle is one self-contained file that
 * loads and handles a malformed event outside this repository (no node_modules to fall back on), and the CLI bundle
 * runs. The files under test are the ones in dist/, built by the jest global setup from the current sources.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { bundleSpecs } from '../../scripts/bundle';
import { CLI_BUNDLE, LAMBDA_BUNDLES_DIR, LAMBDA_BUNDLE_FILE, lambdaBundleDir } from '../../lib/internal/paths';

const root = path.join(__dirname, '..', '..');
const run = promisify(execFile);
const handlers = fs.readdirSync(path.join(root, LAMBDA_BUNDLES_DIR)).sort();

let outside: string;
beforeAll(() => {
  // A folder outside the repository: a bundle copied here cannot resolve anything from our node_modules.
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-bundles-'));
});
afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));

interface Outcome {
  readonly resolved?: unknown;
  readonly rejected?: { readonly name: string; readonly message: string };
}

/** Copies `dist/lambda/<name>/index.js` outside the repository and calls its `handler(event)` in a fresh node. */
async function invokeBundle(name: string, event: unknown, env: Record<string, string>): Promise<Outcome> {
  const dir = fs.mkdtempSync(path.join(outside, `${name}-`));
  fs.copyFileSync(path.join(lambdaBundleDir(name), LAMBDA_BUNDLE_FILE), path.join(dir, 'index.js'));
  const resultFile = path.join(dir, 'result.json');
  const script = `
    const fs = require('fs');
    const done = (o) => fs.writeFileSync(${JSON.stringify(resultFile)}, JSON.stringify(o));
    Promise.resolve()
      .then(() => require('./index.js').handler(${JSON.stringify(event)}, {}))
      .then((r) => done({ resolved: r ?? null }), (e) => done({ rejected: { name: e.name, message: e.message } }));`;
  await run(process.execPath, ['-e', script], {
    cwd: dir,
    // No AWS credentials or region from this machine: the fixed test values below, and nothing else from AWS_*.
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    timeout: 60_000,
  });
  return JSON.parse(fs.readFileSync(resultFile, 'utf8'));
}

describe('Lambda bundles', () => {
  test('there is one bundle per lambda/<name>/index.ts, each a directory holding only index.js, with no source map', () => {
    const sources = fs
      .readdirSync(path.join(root, 'lambda'))
      .filter((d) => fs.existsSync(path.join(root, 'lambda', d, 'index.ts')))
      .sort();
    expect(handlers).toEqual(sources);
    expect(bundleSpecs().map((s) => s.id)).toEqual([...sources.map((s) => `lambda/${s}`), 'cli']);
    for (const name of handlers) {
      expect(fs.readdirSync(lambdaBundleDir(name))).toEqual([LAMBDA_BUNDLE_FILE]);
      const code = fs.readFileSync(path.join(lambdaBundleDir(name), LAMBDA_BUNDLE_FILE), 'utf8');
      expect(code).not.toMatch(/sourceMappingURL/);
    }
  });

  test('a missing bundle is a clear error that says how to build it', () => {
    expect(() => lambdaBundleDir('no-such-handler')).toThrow(/no Lambda bundle named no-such-handler/);
    expect(() => lambdaBundleDir('../backup')).toThrow(/lower-case letters, digits and hyphens, got "\.\.\/backup"/);
  });

  test('backup: a malformed event is rejected by name, nothing backed up', async () => {
    const outcome = await invokeBundle(
      'backup',
      { slot: 'yesterday' },
      {
        BACKUP_BUCKET: 'tools-backups',
        SERVICE_NAME: 'tools',
        SSM_PARAMETER_PREFIX: '/tools',
      },
    );
    expect(outcome.rejected?.name).toBe('Error');
    expect(outcome.rejected?.message).toMatch(/^backup: .*slot/);
  });

  test('log-indexer: an event that is not an S3 notification is rejected', async () => {
    const outcome = await invokeBundle(
      'log-indexer',
      { Records: 'not-a-list' },
      { OPENSEARCH_ENDPOINT: 'search-logs-abc123.eu-west-1.es.amazonaws.com' },
    );
    expect(outcome.rejected).toEqual({
      name: 'Error',
      message: expect.stringMatching(/^log indexer: expected an S3 event notification with Records/),
    });
  });

  test('log-transform (audit indexer): an event that is not an S3 notification is rejected', async () => {
    const outcome = await invokeBundle('log-transform', { Records: 'not-a-list' }, { AUDIT_LOG_GROUP_NAME: '/audit' });
    expect(outcome.rejected).toEqual({
      name: 'Error',
      message: expect.stringMatching(/^audit indexer: expected an S3 event notification with Records/),
    });
  });

  test('restore: a step without an action is rejected as invalid input', async () => {
    const outcome = await invokeBundle('restore', { nonsense: true }, { SERVICE_NAME: 'tools' });
    expect(outcome.rejected?.name).toBe('InvalidInput');
    expect(outcome.rejected?.message).toMatch(/action/);
  });

  test('mcp-probe: ignores a malformed event, probes over HTTP with the bundled MCP SDK and reports through the bundled CloudWatch client', async () => {
    const requests: Array<{ url: string; target?: string; signed: boolean; body: string }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({
          url: req.url ?? '',
          target: req.headers['x-amz-target'] as string | undefined,
          signed: /^AWS4-HMAC-SHA256 /.test(req.headers.authorization ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        // The MCP endpoint is down; CloudWatch accepts the metric (PutMetricData has an empty result).
        res.writeHead(req.url === '/mcp' ? 503 : 200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(req.url === '/mcp' ? 'down' : '{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const outcome = await invokeBundle('mcp-probe', 'not-an-event', {
        MCP_ENDPOINT_URL: `${base}/mcp`,
        SERVICE_NAME: 'tools',
        PROBE_TIMEOUT_MS: '5000',
        AWS_ENDPOINT_URL_CLOUDWATCH: base,
      });
      expect(outcome.resolved).toMatchObject({
        success: false,
        stage: 'connect',
        errorType: 'http',
        errorCode: 503,
      });
      const metric = requests.find((r) => r.url !== '/mcp');
      expect(requests.some((r) => r.url === '/mcp')).toBe(true);
      expect(metric).toMatchObject({ signed: true, target: expect.stringMatching(/\.PutMetricData$/) });
      const sent = JSON.parse(metric!.body) as { Namespace: string; MetricData: unknown[] };
      expect(sent.Namespace).toBe('McpOps');
      expect(sent.MetricData).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            MetricName: 'ProbeSuccess',
            Value: 0,
            Dimensions: [{ Name: 'service', Value: 'tools' }],
          }),
          expect.objectContaining({
            MetricName: 'ProbeFailure',
            Value: 1,
            Dimensions: [
              { Name: 'service', Value: 'tools' },
              { Name: 'reason', Value: 'http' },
            ],
          }),
        ]),
      );
    } finally {
      server.close();
    }
  });
});

describe('mcp-ops CLI bundle', () => {
  test('runs on its own: usage with exit 0 for --help, exit 2 without a command', async () => {
    const file = path.join(outside, 'mcp-ops.js');
    fs.copyFileSync(path.join(root, CLI_BUNDLE), file);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect((fs.statSync(path.join(root, CLI_BUNDLE)).mode & 0o111) !== 0).toBe(true);
    const help = await run(process.execPath, [file, '--help'], { cwd: outside });
    expect(help.stdout).toMatch(/^usage: mcp-ops <command> \[options\]/);
    await expect(run(process.execPath, [file], { cwd: outside })).rejects.toMatchObject({
      code: 2,
      stdout: expect.stringMatching(/^usage: mcp-ops/),
    });
  });
});
