/**
 * Optional bearer-token verification: JWTs signed by the issuer's keys (JWKS fetched over HTTPS
 * and cached), with issuer, audience, expiry and not-before checked, plus the RFC 9728
 * protected-resource metadata and the RFC 6750 `WWW-Authenticate` challenge that point an MCP
 * client at the authorization server.
 */
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
  /** `client_id` or `azp` claim, else the principal. */
  readonly clientId: string;
  readonly scopes: string[];
  /** Expiry in seconds since the epoch. */
  readonly expiresAt?: number;
  readonly claims: JWTPayload;
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
    const scopeClaim =
      typeof claims.scope === 'string' ? claims.scope : typeof claims.scp === 'string' ? claims.scp : '';
    return {
      token,
      principal,
      clientId: clientIdClaim ?? principal,
      scopes: scopeClaim.split(' ').filter((s) => s !== ''),
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
  return {
    resource,
    authorization_servers: [auth.issuer],
    bearer_methods_supported: ['header'],
    resource_signing_alg_values_supported: ACCEPTED_ALGORITHMS,
  };
}

/**
 * The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3, RFC 9728 §5.1): without `error` for a
 * missing token, with `error="invalid_token"` for a refused one.
 */
export function wwwAuthenticate(
  metadataUrl: string,
  error?: { code: 'invalid_token' | 'invalid_request'; description: string },
): string {
  const quote = (s: string): string => s.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '');
  const parts = [`resource_metadata="${quote(metadataUrl)}"`];
  if (error) parts.push(`error="${error.code}"`, `error_description="${quote(error.description)}"`);
  return `Bearer ${parts.join(', ')}`;
}
