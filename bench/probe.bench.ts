/**
 * The synthetic MCP probe: bundle size (as McpOpsFunction bundles it), cold import time of the
 * bundle in a fresh node process, and the wall time of one probe against a local SDK server.
 */
import { probeConfigFromEnv, runProbe } from '../lambda/mcp-probe';
import { startMcpServer } from '../test/lambda/mcp-probe/servers';
import { bundleFigures, median, printTable } from './util';

export const title = 'Synthetic MCP probe: bundle size, cold import, probe round trip';

const PROBE_RUNS = 20;

export async function run(): Promise<void> {
  const { bytes, gzippedBytes: gzipped, coldImportMs: coldMs } = await bundleFigures('mcp-probe', 7);

  const server = await startMcpServer('stateless');
  try {
    const config = probeConfigFromEnv({
      MCP_ENDPOINT_URL: server.url,
      SERVICE_NAME: 'bench',
      PROBE_TOOL_NAME: 'status',
    });
    await runProbe(config); // warm up
    const times: number[] = [];
    for (let i = 0; i < PROBE_RUNS; i++) {
      const r = await runProbe(config);
      if (!r.success) throw new Error(`bench probe failed: ${r.errorType} ${r.error}`);
      times.push(r.latencyMs);
    }
    printTable([
      ['bundle (minified, bytes)', `${bytes} (${(bytes / 1024).toFixed(1)} KiB)`],
      ['bundle gzipped (bytes)', `${gzipped} (${(gzipped / 1024).toFixed(1)} KiB)`],
      ['cold import, fresh node (median of 7)', `${coldMs.toFixed(1)} ms`],
      [
        `probe initialize+tools/list+tools/call on 127.0.0.1 (median of ${PROBE_RUNS})`,
        `${median(times).toFixed(1)} ms`,
      ],
    ]);
  } finally {
    await server.close();
  }
}
