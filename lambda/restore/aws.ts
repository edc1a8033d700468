/**
 * AWS clients of the restore Lambda, created once per container. `S3_ENDPOINT` is for tests
 * only: when set, S3 goes to that endpoint with path-style addressing (a local S3-compatible
 * server); it is never set in deployed functions.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';

interface Clients {
  s3: S3Client;
  rds: RDSClient;
  elasticache: ElastiCacheClient;
  ecs: ECSClient;
  cloudwatch: CloudWatchClient;
  sfn: SFNClient;
  secrets: SecretsManagerClient;
  ssm: SSMClient;
  route53: Route53Client;
  autoscaling: ApplicationAutoScalingClient;
}

let clients: Clients | undefined;

export function aws(): Clients {
  if (!clients) {
    const endpoint = process.env.S3_ENDPOINT;
    clients = {
      s3: new S3Client(
        endpoint
          ? {
              endpoint,
              forcePathStyle: true,
              requestChecksumCalculation: 'WHEN_REQUIRED',
              responseChecksumValidation: 'WHEN_REQUIRED',
            }
          : {},
      ),
      rds: new RDSClient({}),
      elasticache: new ElastiCacheClient({}),
      ecs: new ECSClient({}),
      cloudwatch: new CloudWatchClient({}),
      sfn: new SFNClient({}),
      secrets: new SecretsManagerClient({}),
      ssm: new SSMClient({}),
      // Route 53's API is global (its endpoint is not the production Region's).
      route53: new Route53Client({}),
      autoscaling: new ApplicationAutoScalingClient({}),
    };
  }
  return clients;
}

/** Forgets the clients (tests change S3_ENDPOINT between suites). */
export function resetClients(): void {
  clients = undefined;
}

/** Error names AWS uses for throttling and transient capacity problems. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'InsufficientDBInstanceCapacityFault',
  'InsufficientCacheClusterCapacityFault',
  'ServiceUnavailable',
  'InternalFailure',
]);

/** A transient AWS error: the state machine retries `Throttled` with backoff. */
export class Throttled extends Error {
  constructor(cause: Error) {
    super(`${cause.name}: ${cause.message}`);
    this.name = 'Throttled';
  }
}

/** Runs an AWS call and turns throttling/transient errors into {@link Throttled}. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error && THROTTLING.has(err.name)) throw new Throttled(err);
    throw err;
  }
}

/** True when `err` is an AWS error of one of the given names. */
export function isAwsError(err: unknown, ...names: string[]): boolean {
  return err instanceof Error && names.includes(err.name);
}

/** A named error the state machine catches (`error.name` becomes the Step Functions error). */
export class StepError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
