/**
 * The probe's OAuth credentials across invocations: the client secret is read from Secrets Manager once
 * per cold start (a failed read is retried on the next invocation, not cached), and the access token is
 * reused across warm invocations until shortly before it expires (oauth.ts, TOKEN_EXPIRY_MARGIN_MS).
 *
 * GetSecretValue needs `secretsmanager:GetSecretValue` on the secret, and `kms:Decrypt` on its key only when the
 * secret is encrypted with a customer managed key (not with the AWS managed `aws/secretsmanager` key); Secrets
 * Manager calls Decrypt with kms:ViaService secretsmanager.<region>.amazonaws.com and the encryption context
 * SecretARN, which a key policy or IAM condition can pin:
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ProbeAuthConfig } from './config';
import {
  ClientSecretError,
  clientSecretFromSecretString,
  requestClientCredentialsToken,
  TokenCache,
  type AccessToken,
} from './oauth';

/** What the probe run needs from its credentials (a fake in tests of the probe alone). */
export interface ProbeTokenSource {
  /** A token, from the cache when it is still fresh; throws ClientSecretError or TokenRequestError. */
  token(signal?: AbortSignal): Promise<{ token: AccessToken; cached: boolean }>;
  /** Drops the cached token (the MCP server rejected it). */
  invalidate(): void;
}

export interface ProbeCredentialsDeps {
  /** @default a SecretsManagerClient created on first use */
  readonly secretsManager?: SecretsManagerClient;
  /** Wall clock in epoch ms. @default Date.now */
  readonly now?: () => number;
}

/** Client credentials of one probe configuration, kept for the life of the Lambda execution environment. */
export class ProbeCredentials implements ProbeTokenSource {
  private secret?: Promise<string>;
  private readonly cache: TokenCache;
  private secretsManager?: SecretsManagerClient;

  constructor(
    readonly auth: ProbeAuthConfig,
    deps: ProbeCredentialsDeps = {},
  ) {
    this.secretsManager = deps.secretsManager;
    this.cache = new TokenCache(
      async (signal) =>
        requestClientCredentialsToken(
          {
            tokenUrl: auth.tokenUrl,
            clientId: auth.clientId,
            clientSecret: await this.clientSecret(),
            scopes: auth.scopes,
            resource: auth.resource,
          },
          { signal, now: deps.now },
        ),
      deps.now,
    );
  }

  token(signal?: AbortSignal): Promise<{ token: AccessToken; cached: boolean }> {
    return this.cache.get(signal);
  }

  invalidate(): void {
    this.cache.invalidate();
  }

  private clientSecret(): Promise<string> {
    this.secret ??= this.readSecret().catch((err: unknown) => {
      this.secret = undefined; // not cached: the next invocation reads again
      throw err;
    });
    return this.secret;
  }

  private async readSecret(): Promise<string> {
    const arn = this.auth.clientSecretArn;
    this.secretsManager ??= new SecretsManagerClient({});
    let value: string | undefined;
    try {
      const out = await this.secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
      value = out.SecretString;
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new ClientSecretError(`cannot read secret ${arn}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
    }
    return clientSecretFromSecretString(value, arn);
  }
}

/** A stable key of an auth configuration, so a changed configuration gets fresh credentials. */
export function authConfigKey(auth: ProbeAuthConfig): string {
  return JSON.stringify([auth.tokenUrl, auth.clientId, auth.clientSecretArn, auth.scopes, auth.resource ?? null]);
}
