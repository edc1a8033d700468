import { gzipSync } from 'zlib';
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { indexAuditObjects } from '../../../lambda/log-transform';
import { matchesFilterPattern } from '../../../lib/logging/filter-pattern';
import { AUDIT_FILTER_PATTERN } from '../../../lib/logging/log-contract';
import { encodeSubscriptionPayload, firehoseS3Output } from '../../../lib/logging/records';
import { LocalS3, startLocalS3 } from '../../support/s3-server';
import { scenarioLines } from '../../logging/fixtures';

const BUCKET = 'audit-bucket';
const LOG_GROUP = '/mcp/mcp-server/audit';
const KEY = 'audit/year=2026/month=11/day=25/mcp-mcp-server-audit-1-2026-11-25-07-00-10-0b1c.gz';
const NOW = Date.UTC(2026, 10, 25, 7, 10, 0);

describe('audit indexer (lambda/log-transform)', () => {
  let s3: LocalS3;
  let s3Client: S3Client;
  const logs = mockClient(CloudWatchLogsClient);
  let auditNdjson = '';

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    s3Client = s3.client();
    // What the audit Firehose writes: the audit subscription's payload, message-extracted, newline-delimited, gzip.
    const lines = scenarioLines();
    const payload = encodeSubscriptionPayload({
      messageType: 'DATA_MESSAGE',
      owner: '111111111111',
      logGroup: '/mcp/mcp-server/application',
      logStream: 'mcp/mcp/abc',
      subscriptionFilters: ['mcp-audit-to-firehose'],
      logEvents: lines
        .filter((l) => matchesFilterPattern(AUDIT_FILTER_PATTERN, l.message))
        .map((l, i) => ({ id: String(i), timestamp: l.timestamp, message: l.message })),
    });
    auditNdjson = firehoseS3Output(payload);
    await s3Client.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: gzipSync(Buffer.from(auditNdjson)) }));
    await s3Client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'audit/year=2026/month=11/day=25/empty.gz',
        Body: gzipSync(Buffer.from('')),
      }),
    );
  });
  afterAll(async () => {
    s3Client.destroy();
    await s3.stop();
  });
  beforeEach(() => {
    logs.reset();
    logs.on(CreateLogStreamCommand).resolves({});
    logs.on(PutLogEventsCommand).resolves({});
  });

  const s3Event = (key: string): unknown => ({
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        eventTime: '2026-11-25T07:00:20.000Z',
        s3: { bucket: { name: BUCKET }, object: { key: key.replace(/=/g, '%3D'), size: 1 } },
      },
    ],
  });
  const deps = (): Parameters<typeof indexAuditObjects>[1] => ({
    s3: s3Client,
    logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
    logGroupName: LOG_GROUP,
    now: () => NOW,
  });

  test('copies every audit entry of a Firehose object into the audit log group, unchanged and in order', async () => {
    const result = await indexAuditObjects(s3Event(KEY), deps());
    expect(result).toEqual({ objects: 1, indexed: 7, skipped: 0 });
    const create = logs.commandCalls(CreateLogStreamCommand);
    expect(create.map((c) => c.args[0].input)).toEqual([
      { logGroupName: LOG_GROUP, logStreamName: 'firehose/2026/11/25' },
    ]);
    const puts = logs.commandCalls(PutLogEventsCommand);
    expect(puts).toHaveLength(1);
    const input = puts[0].args[0].input;
    expect(input.logGroupName).toBe(LOG_GROUP);
    expect(input.logStreamName).toBe('firehose/2026/11/25');
    expect(input.logEvents!.map((e) => e.message)).toEqual(auditNdjson.trimEnd().split('\n'));
    expect(input.logEvents!.map((e) => e.timestamp)).toEqual(
      input.logEvents!.map((e) => Date.parse(JSON.parse(e.message!).timestamp)),
    );
    for (const e of input.logEvents!) expect(JSON.parse(e.message!).log_type).toBe('audit');
  });

  test('an existing log stream is fine', async () => {
    logs.on(CreateLogStreamCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} }));
    await expect(indexAuditObjects(s3Event(KEY), deps())).resolves.toEqual({ objects: 1, indexed: 7, skipped: 0 });
    expect(logs.commandCalls(PutLogEventsCommand)).toHaveLength(1);
  });

  test('an empty object writes nothing', async () => {
    await expect(indexAuditObjects(s3Event('audit/year=2026/month=11/day=25/empty.gz'), deps())).resolves.toEqual({
      objects: 1,
      indexed: 0,
      skipped: 0,
    });
    expect(logs.calls()).toHaveLength(0);
  });

  test('CloudWatch Logs failures propagate, so Lambda retries and then the on-failure queue take over', async () => {
    logs.on(PutLogEventsCommand).rejects(new Error('ThrottlingException'));
    await expect(indexAuditObjects(s3Event(KEY), deps())).rejects.toThrow('ThrottlingException');
  });

  test.each([
    [{}, /expected an S3 event notification/],
    [{ Records: [] }, /expected an S3 event notification/],
    [{ Records: [{ eventSource: 'aws:sqs' }] }, /aws:s3 record/],
    [
      { Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: BUCKET }, object: { key: 'errors/x.gz' } } }] },
      /outside audit\//,
    ],
  ])('bad event %j is rejected and changes nothing', async (event, message) => {
    await expect(indexAuditObjects(event, deps())).rejects.toThrow(message);
    expect(logs.calls()).toHaveLength(0);
  });

  test('a missing object fails loudly', async () => {
    await expect(indexAuditObjects(s3Event('audit/year=2026/month=11/day=25/missing.gz'), deps())).rejects.toThrow();
    expect(logs.calls()).toHaveLength(0);
  });
});
