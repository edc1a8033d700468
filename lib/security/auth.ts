import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { checkPattern, checkThat } from '../internal/validate';
import { McpCognitoAuthorization } from './cognito';

const OWNER = 'McpAuth';

/** How the load balancer reads a claim's value (CloudFormation `JwtValidationActionAdditionalClaim.Format`). */
export enum McpClaimFormat {
  /** One string, e.g. `"aud": "https://mcp.example.com/mcp"`. */
  SINGLE_STRING = 'single-string',
  /** An array of strings, e.g. `"aud": ["https://mcp.example.com/mcp"]`. */
  STRING_ARRAY = 'string-array',
  /** Space-separated values in one string, e.g. `"scope": "mcp.read mcp.admin"` (RFC 9068 §2.2.3). */
  SPACE_SEPARATED = 'space-separated-values',
}

/** A claim the load balancer checks beside `iss`, `exp`, `nbf` and `iat`. */
export interface McpJwtClaim {
  /** Claim name, e.g. `aud` or `scope`. */
  readonly name: string;
  /** How the claim's value is read. */
  readonly format: McpClaimFormat;
  /** The values the claim must carry (1–10, each up to 256 characters; no spaces for space-separated values). */
  readonly values: string[];
}

/** What McpService tells an {@link McpAuth} when it binds it. */
export interface McpAuthBindOptions {
  /** The service name (resource names, descriptions). */
  readonly serviceName: string;
  /** The canonical URI of the MCP endpoint (RFC 8707 resource, RFC 9728 `resource`), e.g. `https://mcp.example.com/mcp`. */
  readonly resourceUrl: string;
  /** What happens to stateful resources (the Cognito user pool) when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
}

/** Credentials the synthetic probe uses to get a token with the client-credentials grant. */
export interface McpProbeCredentials {
  /** Token endpoint, e.g. `https://<domain>.auth.<region>.amazoncognito.com/oauth2/token`. */
  readonly tokenUrl: string;
  /** OAuth client id of the probe. */
  readonly clientId: string;
  /** Secrets Manager secret whose SecretString is the client secret. */
  readonly clientSecret: secretsmanager.ISecret;
  /** Scopes the probe asks for. */
  readonly scopes: string[];
  /**
   * RFC 8707 `resource` parameter of the token request.
   * @default none
   */
  readonly resource?: string;
}

/** An authorization configuration bound to a service: what the load balancer, the server and the probe check. */
export interface McpAuthConfig {
  /** Which form: `issuer` or `cognito`. */
  readonly kind: string;
  /** Expected `iss` claim. */
  readonly issuer: string;
  /** JWKS URL (https). */
  readonly jwksUrl: string;
  /** The audience the server checks (`AUTH_AUDIENCE`). */
  readonly audience: string;
  /** Scopes every request needs. */
  readonly requiredScopes: string[];
  /**
   * Scope the admin tools (`database_tables`, `cache_counter`) need.
   * @default none
   */
  readonly adminScope?: string;
  /** Claims the load balancer's JWT verification checks beside iss/exp/nbf/iat. */
  readonly loadBalancerClaims: McpJwtClaim[];
  /** Environment of the MCP server's container (AUTH_*). */
  readonly serverEnvironment: Record<string, string>;
  /**
   * The probe's credentials.
   * @default none: the probe cannot authenticate and is left out
   */
  readonly probe?: McpProbeCredentials;
  /**
   * The user pool and its clients, when the form is `cognito`.
   * @default none
   */
  readonly cognito?: McpCognitoAuthorization;
}

/** Bring your own OAuth 2.1 authorization server ({@link McpAuth.issuer}). */
export interface McpIssuerAuthProps {
  /** Issuer URL: the exact `iss` claim of its access tokens, e.g. `https://auth.example.com/`. */
  readonly issuerUrl: string;
  /** The issuer's JWKS URL (https). The load balancer verifies RS256 only, with at most 10 keys and 150 KB. */
  readonly jwksUrl: string;
  /**
   * Expected audience (`aud`) of access tokens: the MCP endpoint's canonical URI per RFC 8707.
   * @default the endpoint URL, e.g. `https://mcp.example.com/mcp`
   */
  readonly audience?: string;
  /**
   * How the issuer writes `aud` in access tokens.
   * @default McpClaimFormat.SINGLE_STRING
   */
  readonly audienceFormat?: McpClaimFormat;
  /**
   * Scopes every MCP request needs (checked by the load balancer and the server).
   * @default none
   */
  readonly requiredScopes?: string[];
  /**
   * Scope of the admin tools.
   * @default none (the server decides)
   */
  readonly adminScope?: string;
  /**
   * Name of the scope claim.
   * @default 'scope'
   */
  readonly scopeClaim?: string;
  /**
   * How the issuer writes the scope claim.
   * @default McpClaimFormat.SPACE_SEPARATED (RFC 9068)
   */
  readonly scopeFormat?: McpClaimFormat;
  /**
   * Token endpoint for the probe's client-credentials grant.
   * @default none: without it (and probeClientId, probeClientSecret) the probe is left out
   */
  readonly tokenUrl?: string;
  /**
   * Client id of the probe.
   * @default none
   */
  readonly probeClientId?: string;
  /**
   * Secret holding the probe's client secret (its SecretString is the secret itself).
   * @default none
   */
  readonly probeClientSecret?: secretsmanager.ISecret;
  /**
   * Scopes the probe asks for.
   * @default requiredScopes
   */
  readonly probeScopes?: string[];
}

/** Settings of the Cognito user pool that {@link McpAuth.cognito} creates. */
export interface McpCognitoAuthProps {
  /**
   * Prefix of the Cognito domain `<prefix>.auth.<region>.amazoncognito.com` (hosted sign-in and token endpoint).
   * Lowercase letters, digits and hyphens, 1–63 characters, without `aws`, `amazon` or `cognito`; unique in the region.
   * @default `<stack name>-<serviceName>-<account>` (lowercased)
   */
  readonly domainPrefix?: string;
  /**
   * Redirect URIs of the people's app client (authorization code with PKCE). https, or http on localhost.
   * @default ['http://localhost:6274/oauth/callback'] (the MCP Inspector)
   */
  readonly callbackUrls?: string[];
  /**
   * Sign-out URIs of the people's app client.
   * @default none
   */
  readonly logoutUrls?: string[];
  /**
   * Name of the read scope (every MCP request needs it).
   * @default 'mcp.read'
   */
  readonly readScopeName?: string;
  /**
   * Name of the admin scope (the admin tools need it).
   * @default 'mcp.admin'
   */
  readonly adminScopeName?: string;
  /**
   * Give the machine-to-machine client the admin scope as well (automation that calls admin tools).
   * The probe asks for the read scope only.
   * @default false
   */
  readonly machineClientAdmin?: boolean;
  /**
   * Threat protection (Plus feature plan) for people's sign-ins: true = full function (blocks risky sign-ins and
   * compromised passwords), false = audit only.
   * @default true
   */
  readonly enforceThreatProtection?: boolean;
  /**
   * Lifetime of access tokens (5 minutes to 1 day).
   * @default Duration.hours(1)
   */
  readonly accessTokenValidity?: Duration;
  /**
   * KMS key of the machine client's secret.
   * @default a new key with rotation
   */
  readonly secretEncryptionKey?: kms.IKey;
}

/**
 * Who may call the MCP endpoint: the OAuth 2.1 authorization server whose access tokens the load balancer (on
 * HTTPS) and the server verify. Two forms: {@link McpAuth.issuer} (bring your own issuer) and
 * {@link McpAuth.cognito} (a Cognito user pool created for the service).
 */
export abstract class McpAuth {
  /** Access tokens of your own OAuth 2.1 / OIDC issuer. */
  public static issuer(props: McpIssuerAuthProps): McpAuth {
    return new IssuerAuth(props);
  }

  /** A Cognito user pool created for the service, with a resource server, scopes and app clients. */
  public static cognito(props: McpCognitoAuthProps = {}): McpAuth {
    return new CognitoAuth(props);
  }

  /** Which form: `issuer` or `cognito`. */
  public abstract readonly kind: string;

  /** Creates what the form needs under `scope` and returns what the load balancer, server and probe check. */
  public abstract bind(scope: Construct, options: McpAuthBindOptions): McpAuthConfig;
}

/** Checks a list of claim values the load balancer accepts. */
function checkClaimValues(name: string, values: string[], format: McpClaimFormat): void {
  checkThat(OWNER, values.length >= 1 && values.length <= 10, `${name} needs 1 to 10 values, got ${values.length}`);
  for (const v of values) {
    if (Token.isUnresolved(v)) continue;
    checkThat(
      OWNER,
      v.length >= 1 && v.length <= 256,
      `${name} values must be 1–256 characters, got ${JSON.stringify(v)}`,
    );
    if (format === McpClaimFormat.SPACE_SEPARATED)
      checkThat(OWNER, !/\s/.test(v), `${name} values must not contain spaces, got ${JSON.stringify(v)}`);
  }
}

const HTTPS_URL = /^https:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/; // RFC 6749 §3.3 scope-token

class IssuerAuth extends McpAuth {
  public readonly kind = 'issuer';

  constructor(private readonly props: McpIssuerAuthProps) {
    super();
    const p = props;
    if (!Token.isUnresolved(p.issuerUrl))
      checkPattern(
        OWNER,
        'issuer.issuerUrl',
        p.issuerUrl,
        /^https:\/\/\S{1,248}$/,
        'an https:// URL of at most 256 characters',
      );
    if (!Token.isUnresolved(p.jwksUrl))
      checkPattern(
        OWNER,
        'issuer.jwksUrl',
        p.jwksUrl,
        HTTPS_URL,
        'an https:// URL (the load balancer and the server fetch the keys)',
      );
    if (p.tokenUrl !== undefined && !Token.isUnresolved(p.tokenUrl))
      checkPattern(OWNER, 'issuer.tokenUrl', p.tokenUrl, HTTPS_URL, 'an https:// URL');
    for (const s of [...(p.requiredScopes ?? []), ...(p.probeScopes ?? []), ...(p.adminScope ? [p.adminScope] : [])])
      checkPattern(
        OWNER,
        'issuer scope',
        s,
        SCOPE_TOKEN,
        'an OAuth scope token (printable ASCII, no spaces, quotes or backslashes)',
      );
    const probeParts = [p.tokenUrl, p.probeClientId, p.probeClientSecret].filter((x) => x !== undefined).length;
    checkThat(
      OWNER,
      probeParts === 0 || probeParts === 3,
      'the probe needs all of tokenUrl, probeClientId and probeClientSecret (or none of them, and the probe is left out)',
    );
  }

  public bind(_scope: Construct, options: McpAuthBindOptions): McpAuthConfig {
    const p = this.props;
    const audience = p.audience ?? options.resourceUrl;
    const requiredScopes = p.requiredScopes ?? [];
    const claims: McpJwtClaim[] = [
      { name: 'aud', format: p.audienceFormat ?? McpClaimFormat.SINGLE_STRING, values: [audience] },
    ];
    if (requiredScopes.length > 0)
      claims.push({
        name: p.scopeClaim ?? 'scope',
        format: p.scopeFormat ?? McpClaimFormat.SPACE_SEPARATED,
        values: requiredScopes,
      });
    for (const c of claims) checkClaimValues(`issuer claim ${c.name}`, c.values, c.format);
    return {
      kind: this.kind,
      issuer: p.issuerUrl,
      jwksUrl: p.jwksUrl,
      audience,
      requiredScopes,
      adminScope: p.adminScope,
      loadBalancerClaims: claims,
      serverEnvironment: serverEnvironment(p.issuerUrl, audience, p.jwksUrl, requiredScopes, p.adminScope),
      probe:
        p.tokenUrl && p.probeClientId && p.probeClientSecret
          ? {
              tokenUrl: p.tokenUrl,
              clientId: p.probeClientId,
              clientSecret: p.probeClientSecret,
              scopes: p.probeScopes ?? requiredScopes,
              // MCP clients send the RFC 8707 resource; servers that do not know it ignore it (RFC 6749 §3.1).
              resource: audience,
            }
          : undefined,
    };
  }
}

class CognitoAuth extends McpAuth {
  public readonly kind = 'cognito';

  constructor(private readonly props: McpCognitoAuthProps) {
    super();
  }

  public bind(scope: Construct, options: McpAuthBindOptions): McpAuthConfig {
    const cognito = new McpCognitoAuthorization(scope, 'Auth', {
      ...this.props,
      serviceName: options.serviceName,
      resourceIdentifier: options.resourceUrl,
      removalPolicy: options.removalPolicy,
    });
    const extra: Record<string, string> = {
      // Cognito access tokens carry no `aud` (their audience is the client_id claim and the resource server's
      // scope prefix): the server accepts these clients' tokens instead of an `aud` claim.
      AUTH_CLIENT_IDS: [cognito.peopleClient.userPoolClientId, cognito.machineClient.userPoolClientId].join(','),
    };
    return {
      kind: this.kind,
      issuer: cognito.issuerUrl,
      jwksUrl: cognito.jwksUrl,
      audience: options.resourceUrl,
      requiredScopes: [cognito.readScope],
      adminScope: cognito.adminScope,
      loadBalancerClaims: [
        // Only access tokens: an ID token (token_use "id", aud = client id) must not open the endpoint.
        { name: 'token_use', format: McpClaimFormat.SINGLE_STRING, values: ['access'] },
        { name: 'scope', format: McpClaimFormat.SPACE_SEPARATED, values: [cognito.readScope] },
      ],
      serverEnvironment: {
        ...serverEnvironment(
          cognito.issuerUrl,
          options.resourceUrl,
          cognito.jwksUrl,
          [cognito.readScope],
          cognito.adminScope,
        ),
        ...extra,
      },
      probe: {
        tokenUrl: cognito.tokenUrl,
        clientId: cognito.machineClient.userPoolClientId,
        clientSecret: cognito.machineClientSecret,
        scopes: [cognito.readScope],
      },
      cognito,
    };
  }
}

/** The server's AUTH_* variables (docs/operational-contract.md). */
function serverEnvironment(
  issuer: string,
  audience: string,
  jwksUrl: string,
  requiredScopes: string[],
  adminScope: string | undefined,
): Record<string, string> {
  return {
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: audience,
    AUTH_JWKS_URL: jwksUrl,
    ...(requiredScopes.length > 0 ? { AUTH_REQUIRED_SCOPES: requiredScopes.join(' ') } : {}),
    ...(adminScope ? { AUTH_ADMIN_SCOPE: adminScope } : {}),
  };
}
