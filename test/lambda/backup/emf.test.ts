import { EmfMetricsSink } from '../../../lambda/backup';

describe('EmfMetricsSink', () => {
  test('emits CloudWatch EMF in namespace McpOps with dimensions service and component', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const sink = new EmfMetricsSink('mcp-server');
      sink.record({ name: 'BackupSuccess', unit: 'Count', value: 1, component: 'database' });
      sink.record({ name: 'BackupAgeSeconds', unit: 'Seconds', value: 42 });
    } finally {
      spy.mockRestore();
    }
    const emf = lines
      .join('')
      .split('\n')
      .filter((l) => l.includes('_aws'))
      .map((l) => JSON.parse(l));
    expect(emf).toHaveLength(2);
    expect(emf[0]._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'McpOps',
      Dimensions: [expect.arrayContaining(['service', 'component'])],
      Metrics: [{ Name: 'BackupSuccess', Unit: 'Count' }],
    });
    expect(emf[0]).toMatchObject({ service: 'mcp-server', component: 'database', BackupSuccess: 1 });
    expect(emf[1]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
    expect(emf[1]).toMatchObject({ service: 'mcp-server', BackupAgeSeconds: 42 });
  });
});
