/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) for machine clients of an MCP server: the synthetic probe
 * and `mcp-ops check-server`. The token request itself is the official MCP client SDK's (`fetchToken`
 * with its `ClientCredentialsProvider`: `client_secret_basic`, RFC 8707 `resource`, OAuth error parsing,
 * https-or-loopback check of the endpoint); this module adds what a scheduled client needs around it:
 * a typed failure, a token cache with an expiry margin, and the reading of a client secret stored as a
 * plain string or as a JSON object with `client_secret`. No AWS SDK here (see credentials.ts).
 */
import {
  ClientCredentialsProvider,
  fetchToken,
  OAuthError,
  type AuthorizationServerMetadata,
  type FetchLike,
} from '@modelcontextprotocol/client';

/** What a client-credentials token request needs. */
export interface ClientCredentials {
  /** Token endpoint (https; http only on a loopback host). */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes to request (space-joined into `scope`); none = the authorization server's default. */
  readonly scopes: readonly string[];
  /** RFC 8707 resource indicator, sent as `resource` (the token's audience). */
  readonly resource?: string;
}

/** An access token and when it stops being usable. */
export interface AccessToken {
  readonly accessToken: string;
  /** Epoch ms at which the authorization server says the token expires; undefined when it did not say. */
  readonly expiresAt?: number;
  readonly scope?: string;
}

/**
 * The token endpoint refused or failed: `oauthError` is the RFC 6749 §5.2 `error` code when the answer was
 * an OAuth error (`invalid_client` for a wrong secret, `invalid_scope`, …), `status` the HTTP status when known.
 */
export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly oauthError?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TokenRequestError';
  }
}

/** The client secret could not be read or is not usable. */
export class ClientSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientSecretError';
  }
}

/**
 * Refresh a cached token this long before its expiry: longer than one probe (at most 25 s, plus the
 * Lambda's 5 s) so a token is never sent that expires in flight, and a minute of clock skew between the
 * authorization server and the resource server is absorbed.
 */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;

/**
 * The client secret from a secret's string value: the string itself, or the `client_secret` field of a
 * JSON object (the shape in which a Cognito app client's secret is often stored). Surrounding whitespace
 * (a trailing newline from `echo`) is dropped.
 */
export function clientSecretFromSecretString(value: string | undefined, secretName: string): string {
  if (value === undefined)
    throw new ClientSecretError(`secret ${secretName} has no SecretString (binary secrets are not supported)`);
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ClientSecretError(`secret ${secretName} starts with "{" but is not valid JSON`);
    }
    const field = (parsed as { client_secret?: unknown }).client_secret;
    if (typeof field !== 'string' || !field.trim())
      throw new ClientSecretError(
        `secret ${secretName} is a JSON object without a non-empty "client_secret" string field`,
      );
    return field.trim();
  }
  if (!trimmed) throw new ClientSecretError(`secret ${secretName} is empty`);
  return trimmed;
}

/**
 * Requests a token with the client credentials grant. Throws TokenRequestError for every failure (the
 * endpoint unreachable, an OAuth error, an answer that is not a bearer token), never with the secret in it.
 */
export async function requestClientCredentialsToken(
  credentials: ClientCredentials,
  options: { readonly signal?: AbortSignal; readonly now?: () => number; readonly fetch?: FetchLike } = {},
): Promise<AccessToken> {
  const now = options.now ?? Date.now;
  const tokenUrl = credentials.tokenUrl;
  // The endpoint is configured, not discovered: it is its own issuer binding (the SDK sends the
  // credentials only to the issuer they are stamped with). Only token_endpoint and the auth method
  // are read for this grant; the authorization endpoint is never used.
  const metadata = {
    issuer: tokenUrl,
    authorization_endpoint: tokenUrl,
    token_endpoint: tokenUrl,
    response_types_supported: [],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic'],
  } satisfies AuthorizationServerMetadata;
  const provider = new ClientCredentialsProvider({
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    scope: credentials.scopes.length ? credentials.scopes.join(' ') : undefined,
    clientName: 'mcp-ops',
    expectedIssuer: tokenUrl,
  });
  const baseFetch = options.fetch ?? fetch;
  const signal = options.signal;
  const fetchFn: FetchLike = (url, init) => baseFetch(url, { ...init, signal: init?.signal ?? signal });
  const started = now();
  let tokens;
  try {
    tokens = await fetchToken(provider, tokenUrl, { metadata, resource: credentials.resource, fetchFn });
  } catch (err) {
    throw tokenError(err, tokenUrl, signal);
  }
  if (tokens.token_type.toLowerCase() !== 'bearer')
    throw new TokenRequestError(
      `token endpoint ${tokenUrl} issued a ${JSON.stringify(tokens.token_type)} token, not Bearer`,
    );
  const expiresIn = tokens.expires_in;
  return {
    accessToken: tokens.access_token,
    // Counted from when the request was sent: the server's clock started no earlier.
    expiresAt: typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? started + expiresIn * 1000 : undefined,
    scope: tokens.scope,
  };
}

function tokenError(err: unknown, tokenUrl: string, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
  if (err instanceof OAuthError) {
    // parseErrorResponse puts "HTTP <status>: " in front when the body was not an OAuth error.
    const status = /^HTTP (\d{3}):/.exec(err.message)?.[1];
    const message = err.message.length > 300 ? `${err.message.slice(0, 300)}…` : err.message;
    return new TokenRequestError(
      `token endpoint ${tokenUrl} refused the client credentials: ${err.code}${message ? ` (${message})` : ''}`,
      String(err.code),
      status ? Number(status) : undefined,
    );
  }
  const cause = (err as { cause?: { code?: unknown } })?.cause?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new TokenRequestError(
    `token request to ${tokenUrl} failed: ${message}${typeof cause === 'string' ? ` (${cause})` : ''}`,
  );
}

/**
 * One token, reused until {@link TOKEN_EXPIRY_MARGIN_MS} before it expires. A token without `expires_in`
 * is not reused (nothing says how long it lives). Concurrent callers share one request.
 */
export class TokenCache {
  private current?: AccessToken;
  private pending?: Promise<AccessToken>;

  constructor(
    private readonly fetchToken: (signal?: AbortSignal) => Promise<AccessToken>,
    private readonly now: () => number = Date.now,
    private readonly marginMs: number = TOKEN_EXPIRY_MARGIN_MS,
  ) {}

  /** A usable token, and whether it came from the cache. */
  async get(signal?: AbortSignal): Promise<{ token: AccessToken; cached: boolean }> {
    const held = this.current;
    if (held?.expiresAt !== undefined && held.expiresAt - this.marginMs > this.now())
      return { token: held, cached: true };
    this.current = undefined;
    this.pending ??= this.fetchToken(signal).finally(() => {
      this.pending = undefined;
    });
    const token = await this.pending;
    this.current = token;
    return { token, cached: false };
  }

  /** Forgets the held token (the resource server rejected it). */
  invalidate(): void {
    this.current = undefined;
  }
}
