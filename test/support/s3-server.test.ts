import { GetObjectCommand, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startLocalS3, LocalS3 } from './s3-server';

describe('local S3 server', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3(['probe-bucket']);
  });
  afterAll(async () => {
    await s3.stop();
  });

  test('round-trips an object with the SDK v3 client', async () => {
    const client = s3.client();
    await client.send(new PutObjectCommand({ Bucket: 'probe-bucket', Key: 'a/b.json', Body: '{"x":1}' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'probe-bucket', Key: 'a/b.json' }));
    expect(await got.Body!.transformToString()).toBe('{"x":1}');
    const list = await client.send(new ListObjectsV2Command({ Bucket: 'probe-bucket', Prefix: 'a/' }));
    expect(list.Contents?.map((o) => o.Key)).toEqual(['a/b.json']);
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
