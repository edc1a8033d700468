/**
 * The log pipeline's pure parts and the audit indexer: filter-pattern evaluation and Insights query
 * throughput over contract-shaped lines, subscription-payload decoding (the Firehose record format),
 * and the audit indexer's bundle size, cold import and one 1000-entry object indexed from s3rver
 * with CloudWatch Logs answered by aws-sdk-client-mock (figures only, never asserted).
 */
import * as zlib from 'zlib';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { matchesFilterPattern, parseFilterPattern } from '../lib/logging/filter-pattern';
import { renderInsightsQuery, runInsightsQuery, SAVED_QUERIES } from '../lib/logging/insights';
import { AUDIT_FILTER_PATTERN, METRIC_FILTERS } from '../lib/logging/log-contract';
import { encodeSubscriptionPayload, firehoseS3Output } from '../lib/logging/records';
import type * as Indexer from '../lambda/log-transform';
import { startLocalS3 } from '../test/support/s3-server';
import { bundleFigures, median, printTable, timeMs } from './util';

export const title = 'Log pipeline: filter patterns, Insights queries, record format, audit indexer';

const T0 = Date.UTC(2026, 10, 25, 7, 0, 0);

function contractLines(n: number): Array<{ timestamp: number; message: string }> {
  const tools = ['echo', 'search', 'server_time'];
  const out: Array<{ timestamp: number; message: string }> = [];
  for (let i = 0; out.length < n; i++) {
    const t = T0 + i * 50;
    const base = {
      timestamp: new Date(t).toISOString(),
      level: 'INFO',
      service: 'mcp-server',
      request_id: `r-${i}`,
      method: 'tools/call',
      tool: tools[i % 3],
    };
    const failed = i % 20 === 0;
    out.push({
      timestamp: t,
      message: JSON.stringify({ ...base, log_type: 'app', message: 'started', event: 'request_started' }),
    });
    out.push({
      timestamp: t,
      message: JSON.stringify({
        ...base,
        log_type: 'app',
        message: 'tool',
        event: failed ? 'tool_call_failed' : 'tool_call_completed',
        duration_ms: i % 97,
        ...(failed ? { error_type: 'tool_error' } : {}),
      }),
    });
    out.push({
      timestamp: t,
      message: JSON.stringify({
        ...base,
        log_type: 'audit',
        message: 'audit',
        event_type: 'tool_call',
        principal: 'alice',
        action: 'tools/call',
        resource: `tool:${base.tool}`,
        result: failed ? 'failure' : 'success',
        source_ip: '10.0.0.1',
        user_agent: 'x',
      }),
    });
    out.push({
      timestamp: t,
      message: JSON.stringify({
        ...base,
        log_type: 'app',
        message: 'done',
        event: failed ? 'request_failed' : 'request_completed',
        duration_ms: i % 101,
        status_code: 200,
        ...(failed ? { error_type: 'tool_error' } : {}),
      }),
    });
  }
  return out.slice(0, n);
}

export async function run(): Promise<void> {
  // Quiet the indexer's per-object INFO lines (its logger reads the level when the module loads).
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { indexAuditObjects } = require('../lambda/log-transform') as typeof Indexer;
  const lines = contractLines(20_000);
  const patterns = [AUDIT_FILTER_PATTERN, ...METRIC_FILTERS.map((m) => m.filterPattern)].map((p) =>
    parseFilterPattern(p),
  );
  const filterMs = median(
    await Promise.all(
      [0, 1, 2].map(() =>
        timeMs(() => {
          for (const l of lines) for (const p of patterns) matchesFilterPattern(p, l.message);
        }),
      ),
    ),
  );
  const queryTimes: Array<[string, string]> = [];
  for (const q of SAVED_QUERIES) {
    const text = renderInsightsQuery(q.parts).replace('REPLACE_WITH_REQUEST_ID', 'r-100');
    queryTimes.push([
      `Insights ${q.title} over ${lines.length} lines`,
      `${(await timeMs(() => runInsightsQuery(text, lines))).toFixed(1)} ms`,
    ]);
  }
  const payload = encodeSubscriptionPayload({
    messageType: 'DATA_MESSAGE',
    owner: '111111111111',
    logGroup: '/mcp/mcp-server/application',
    logStream: 's',
    subscriptionFilters: ['f'],
    logEvents: lines.slice(0, 5000).map((l, i) => ({ id: String(i), timestamp: l.timestamp, message: l.message })),
  });
  const decodeMs = median(await Promise.all([0, 1, 2, 3, 4].map(() => timeMs(() => firehoseS3Output(payload)))));

  const { bytes, coldImportMs: coldMs } = await bundleFigures('log-transform', 5);

  const s3 = await startLocalS3(['bench-audit']);
  const logs = mockClient(CloudWatchLogsClient);
  logs.on(CreateLogStreamCommand).resolves({});
  logs.on(PutLogEventsCommand).resolves({});
  const key = 'audit/year=2026/month=11/day=25/bench.gz';
  const audit = lines
    .filter((l) => l.message.includes('"log_type":"audit"'))
    .slice(0, 1000)
    .map((l) => l.message)
    .join('\n');
  const client = s3.client();
  const indexTimes: number[] = [];
  try {
    await client.send(
      new PutObjectCommand({ Bucket: 'bench-audit', Key: key, Body: zlib.gzipSync(Buffer.from(audit)) }),
    );
    const event = {
      Records: [
        {
          eventSource: 'aws:s3',
          eventTime: new Date(T0).toISOString(),
          s3: { bucket: { name: 'bench-audit' }, object: { key } },
        },
      ],
    };
    for (let i = 0; i < 6; i++) {
      indexTimes.push(
        await timeMs(() =>
          indexAuditObjects(event, {
            s3: client,
            logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
            logGroupName: '/mcp/b/audit',
            now: () => T0 + 60_000,
          }),
        ),
      );
    }
  } finally {
    client.destroy();
    logs.restore();
    await s3.stop();
  }
  printTable([
    [
      `filter patterns (${patterns.length}) × ${lines.length} lines`,
      `${filterMs.toFixed(1)} ms (${((filterMs * 1000) / (lines.length * patterns.length)).toFixed(2)} µs per match)`,
    ],
    ...queryTimes,
    [
      'decode 5000-event subscription payload to NDJSON',
      `${decodeMs.toFixed(1)} ms (${(payload.length / 1024).toFixed(0)} KiB gzip)`,
    ],
    ['audit indexer bundle', `${(bytes / 1024).toFixed(0)} KiB minified`],
    ['audit indexer cold import (median of 5)', `${coldMs.toFixed(0)} ms`],
    ['index one 1000-entry audit object (median of 5 warm runs)', `${median(indexTimes.slice(1)).toFixed(1)} ms`],
  ]);
}
