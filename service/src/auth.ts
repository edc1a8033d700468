/**
 * The server as an OAuth 2.1 resource server (MCP authorization spec): bearer JWTs signed by the
 * issuer's keys (JWKS fetched over HTTPS and cached), with issuer, audience (RFC 8707: the canonical
 * URI of this endpoint), expiry and not-before checked; the RFC 9728 protected-resource metadata and
 * the RFC 6750 `WWW-Authenticate` challenges (401 `invalid_token`, 403 `insufficient_scope`) that
 * point an MCP client at the authorization server and name the scope it lacks.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, JWTPayload } from 'jose';
import { AuthConfig } from './config';

/** Asymmetric JWS algorithms accepted (never `none` or HMAC with a public key). */
export const ACCEPTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** A verified token. */
export interface VerifiedToken {
  readonly token: string;
  /** `sub`, else `client_id`, else `azp`. */
  readonly principal: string;
  /** The OAuth client: the `client_id` claim (RFC 9068), else `azp`, else the principal. */
  readonly clientId: string;
  readonly scopes: string[];
  /** Expiry in seconds since the epoch. */
  readonly expiresAt?: number;
  readonly claims: JWTPayload;
}

/**
 * The SDK's view of a verified token (`ctx.http.authInfo` in handlers; the per-tool scope
 * challenges read `scopes` and `resourceMetadataUrl` from it).
 */
export function authInfo(token: VerifiedToken, resource: string, resourceMetadataUrl: string): AuthInfo {
  return {
    token: token.token,
    clientId: token.clientId,
    scopes: token.scopes,
    expiresAt: token.expiresAt,
    resource: new URL(resource),
    resourceMetadataUrl,
    extra: { sub: token.principal },
  };
}

/** The scopes of `needed` that `granted` lacks. */
export function missingScopes(granted: readonly string[], needed: readonly string[]): string[] {
  const have = new Set(granted);
  return needed.filter((s) => !have.has(s));
}

/** Why a token was refused. `unavailable` means the keys could not be fetched (not the client's fault). */
export class TokenError extends Error {
  constructor(
    public readonly kind: 'missing' | 'invalid' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

/** Tuning of the JWKS cache. */
export interface TokenVerifierOptions {
  /** Timeout of one JWKS fetch. @default 2000 */
  readonly jwksTimeoutMs?: number;
  /** Keys are refetched after this age. @default 600000 (10 minutes) */
  readonly jwksCacheMaxAgeMs?: number;
  /** Clock skew tolerated on `exp`/`nbf`, seconds. @default 5 */
  readonly clockToleranceSeconds?: number;
}

/** Verifies `Authorization: Bearer` JWTs against the configured issuer, audience and JWKS. */
export class TokenVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly config: AuthConfig,
    private readonly options: TokenVerifierOptions = {},
  ) {
    this.jwks = createRemoteJWKSet(new URL(config.jwksUrl), {
      timeoutDuration: options.jwksTimeoutMs ?? 2_000,
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
      cooldownDuration: 30_000,
    });
  }

  /**
   * Verifies the `Authorization` header value.
   * @throws TokenError
   */
  async verify(authorization: string | undefined): Promise<VerifiedToken> {
    if (authorization === undefined || authorization.trim() === '') throw new TokenError('missing', 'no bearer token');
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization);
    if (!match) throw new TokenError('invalid', 'Authorization header is not a bearer token');
    const token = match[1];
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.jwks, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      throw classify(err);
    }
    const clientIdClaim =
      typeof claims.client_id === 'string' ? claims.client_id : typeof claims.azp === 'string' ? claims.azp : undefined;
    const principal = claims.sub ?? clientIdClaim ?? 'unknown';
    // RFC 8693/9068 `scope` is a space-separated string; some issuers (Entra ID, Okta) send `scp`, as a string or an array.
    const scopeClaim = claims.scope ?? claims.scp;
    const scopes = Array.isArray(scopeClaim)
      ? scopeClaim.filter((s): s is string => typeof s === 'string')
      : typeof scopeClaim === 'string'
        ? scopeClaim.split(' ').filter((s) => s !== '')
        : [];
    return {
      token,
      principal,
      clientId: clientIdClaim ?? principal,
      scopes,
      expiresAt: claims.exp,
      claims,
    };
  }
}

function classify(err: unknown): TokenError {
  if (err instanceof joseErrors.JWTExpired) return new TokenError('invalid', 'token expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed)
    return new TokenError('invalid', `token claim ${err.claim} invalid: ${err.reason}`);
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return new TokenError('invalid', 'token signature invalid');
  if (err instanceof joseErrors.JWKSNoMatchingKey)
    return new TokenError('invalid', 'no key of the issuer matches the token');
  if (err instanceof joseErrors.JWKSTimeout) return new TokenError('unavailable', 'fetching the issuer keys timed out');
  if (err instanceof joseErrors.JWKSInvalid || err instanceof joseErrors.JWKSMultipleMatchingKeys)
    return new TokenError('unavailable', `issuer keys unusable: ${(err as Error).message}`);
  // jose raises the generic error only for a JWKS answer that is not 200 or not JSON.
  if (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC')
    return new TokenError('unavailable', `fetching the issuer keys failed: ${err.message}`);
  if (err instanceof joseErrors.JOSEError) return new TokenError('invalid', `token invalid (${err.code})`);
  // Network errors and non-200 answers of the JWKS endpoint.
  return new TokenError(
    'unavailable',
    `fetching the issuer keys failed: ${err instanceof Error ? err.message : String(err)}`,
  );
}

/** RFC 9728 protected-resource metadata of the MCP endpoint. */
export function protectedResourceMetadata(resource: string, auth: AuthConfig): Record<string, unknown> {
  const scopes = [...new Set([...auth.requiredScopes, auth.adminScope])];
  return {
    resource,
    authorization_servers: [auth.issuer],
    bearer_methods_supported: ['header'],
    resource_signing_alg_values_supported: ACCEPTED_ALGORITHMS,
    scopes_supported: scopes,
  };
}

/**
 * A `WWW-Authenticate` challenge (RFC 6750 §3, RFC 9728 §5.1): without `error` for a missing token
 * (401), `error="invalid_token"` for a refused one (401), `error="insufficient_scope"` with the
 * `scope` the request needs (403).
 */
export function wwwAuthenticate(
  metadataUrl: string,
  error?: { code: 'invalid_token' | 'invalid_request' | 'insufficient_scope'; description: string; scope?: string },
): string {
  const quote = (s: string): string => s.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '');
  const parts: string[] = [];
  if (error) {
    parts.push(`error="${error.code}"`, `error_description="${quote(error.description)}"`);
    if (error.scope !== undefined) parts.push(`scope="${quote(error.scope)}"`);
  }
  parts.push(`resource_metadata="${quote(metadataUrl)}"`);
  return `Bearer ${parts.join(', ')}`;
}
