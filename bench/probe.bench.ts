/**
 * The synthetic MCP probe: bundle size (as McpOpsFunction bundles it), cold import time of the
 * bundle in a fresh node process, and the wall time of one probe against local SDK servers of each
 * revision (2026-07-28 only, 2025-11-25 only, dual), which shows what the fallback to initialize costs.
 */
import { probeConfigFromEnv, runProbe } from '../lambda/mcp-probe';
import { startMcpServer, startModernServer, type TestServer } from '../test/lambda/mcp-probe/servers';
import { bundleFigures, median, printTable } from './util';

export const title = 'Synthetic MCP probe: bundle size, cold import, probe round trip per revision';

const PROBE_RUNS = 20;

async function probeMs(server: TestServer): Promise<{ ms: number; revision: string }> {
  const config = probeConfigFromEnv({ MCP_ENDPOINT_URL: server.url, SERVICE_NAME: 'bench', PROBE_TOOL_NAME: 'status' });
  await runProbe(config); // warm up
  const times: number[] = [];
  let revision = '';
  for (let i = 0; i < PROBE_RUNS; i++) {
    const r = await runProbe(config);
    if (!r.success) throw new Error(`bench probe failed: ${r.errorType} ${r.error}`);
    times.push(r.latencyMs);
    revision = r.protocolVersion ?? '';
  }
  return { ms: median(times), revision };
}

export async function run(): Promise<void> {
  const { bytes, gzippedBytes: gzipped, coldImportMs: coldMs } = await bundleFigures('mcp-probe', 7);
  const servers: Array<[string, TestServer]> = [
    ['2026-07-28-only server (2.x SDK)', await startModernServer('reject')],
    ['2025-11-25-only server (1.x SDK, stateless)', await startMcpServer('stateless')],
    ['2025-11-25 server keeping sessions (1.x SDK, DELETE at the end)', await startMcpServer('stateful')],
    ['dual server (2.x SDK)', await startModernServer('stateless')],
  ];
  try {
    const rows: Array<[string, string]> = [
      ['bundle (minified, bytes)', `${bytes} (${(bytes / 1024).toFixed(1)} KiB)`],
      ['bundle gzipped (bytes)', `${gzipped} (${(gzipped / 1024).toFixed(1)} KiB)`],
      ['cold import, fresh node (median of 7)', `${coldMs.toFixed(1)} ms`],
    ];
    for (const [name, server] of servers) {
      const { ms, revision } = await probeMs(server);
      rows.push([
        `probe connect+tools/list+tools/call, ${name} → ${revision} (median of ${PROBE_RUNS})`,
        `${ms.toFixed(1)} ms`,
      ]);
    }
    printTable(rows);
  } finally {
    await Promise.all(servers.map(([, s]) => s.close()));
  }
}
