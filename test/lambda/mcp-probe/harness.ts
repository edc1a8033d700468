/** Runs the real probe handler against servers on 127.0.0.1, with CloudWatch mocked; shared by the probe tests. */
import { CloudWatchClient, PutMetricDataCommand, type PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler, type ProbeLogger } from '../../../lambda/mcp-probe';

export const cwMock = mockClient(CloudWatchClient);

export interface LogLine {
  level: string;
  message: string;
  extra: Record<string, unknown>;
}
export function captureLogger(): ProbeLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, extra: Record<string, unknown>) => {
    lines.push({ level, message, extra });
  };
  return { lines, info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

export const FIXED_TIME = new Date('2026-01-02T03:04:05.000Z');

/** Runs the real handler with `env` and returns the one PutMetricData input it sent, and its logs. */
export async function invoke(env: Record<string, string>, handler = probeHandler(env)) {
  cwMock.reset();
  cwMock.on(PutMetricDataCommand).resolves({});
  const result = await handler.run();
  const calls = cwMock.commandCalls(PutMetricDataCommand);
  expect(calls).toHaveLength(1);
  return { result, input: calls[0].args[0].input as PutMetricDataCommandInput, logs: handler.logger.lines };
}

export function probeHandler(env: Record<string, string>, extra: Parameters<typeof createHandler>[0] = {}) {
  const logger = captureLogger();
  const run = createHandler({
    env: { SERVICE_NAME: 'orders-mcp', ...env },
    cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
    logger,
    now: () => FIXED_TIME,
    ...extra,
  });
  return { run, logger };
}

/** The datum of `name` whose dimensions are exactly `dims` (name → value). */
export function metric(
  input: PutMetricDataCommandInput,
  name: string,
  dims: Record<string, string> = { service: 'orders-mcp' },
) {
  return input.MetricData?.find(
    (m) =>
      m.MetricName === name &&
      m.Dimensions?.length === Object.keys(dims).length &&
      m.Dimensions.every((d) => dims[d.Name!] === d.Value),
  );
}
