import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AddressInfo } from 'net';
import { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
// s3rver has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

/** A real S3-compatible server (s3rver) on 127.0.0.1, for Lambda tests. */
export interface LocalS3 {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  /** Client options that point an SDK v3 S3Client at the local server. */
  readonly clientConfig: S3ClientConfig;
  /** A new S3Client for the local server. */
  client(): S3Client;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1 on a free port with the given buckets.
 * The SDK v3 defaults to CRC32 request/response checksums (since 3.729) and virtual-hosted
 * addressing; s3rver supports neither, so tests use path-style addressing and checksums only
 * when an operation requires them. These settings are for tests only.
 */
export async function startLocalS3(buckets: string[] = []): Promise<LocalS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address: AddressInfo = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const clientConfig: S3ClientConfig = {
    endpoint,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  return {
    endpoint,
    clientConfig,
    client: () => new S3Client(clientConfig),
    stop: async () => {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
