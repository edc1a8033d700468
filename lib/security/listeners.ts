import { Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { acknowledgeCompliance } from '../internal/compliance';
import { checkThat } from '../internal/validate';
import type { McpAuthConfig, McpJwtClaim } from './auth';
import type { ExposureDecision } from './policy';

/** Paths that stay open on the HTTPS listener: the RFC 9728 protected-resource metadata, with and without the MCP path. */
export const PROTECTED_RESOURCE_METADATA_PATHS = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/*',
];

/** Priority of the listener rule that forwards the protected-resource metadata without a token. */
export const METADATA_RULE_PRIORITY = 10;
/** Priority of the listener rule that forwards CORS preflight requests (OPTIONS, no token) when origins are allowed. */
export const PREFLIGHT_RULE_PRIORITY = 20;

/** Options of {@link JwtVerificationAction}. */
export interface JwtVerificationActionOptions {
  /** Expected `iss` claim (at most 256 characters). */
  readonly issuer: string;
  /** JWKS endpoint (https, at most 256 characters, publicly reachable). */
  readonly jwksEndpoint: string;
  /** Claims checked beside `iss`, `exp`, `nbf` and `iat` (at most 10). */
  readonly claims: McpJwtClaim[];
  /** The action after a successful verification (a forward). */
  readonly next: elbv2.ListenerAction;
}

/**
 * The load balancer's JWT verification (`jwt-validation`) with additional claims. aws-cdk-lib's
 * `ListenerAction.authenticateJwt` renders issuer and JWKS endpoint only; CloudFormation's
 * `JwtValidationConfig.AdditionalClaims` carries the audience and scope checks
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-elasticloadbalancingv2-listener-jwtvalidationconfig.html).
 * The load balancer verifies RS256 signatures only, requires `iss` and `exp`, checks `nbf` and `iat` when present,
 * and fetches at most 10 keys / 150 KB from the JWKS endpoint; past that it forwards nothing
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-verify-jwt.html).
 */
export class JwtVerificationAction extends elbv2.ListenerAction {
  constructor(options: JwtVerificationActionOptions) {
    if (!Token.isUnresolved(options.jwksEndpoint)) {
      checkThat(
        'JwtVerificationAction',
        /^https:\/\//.test(options.jwksEndpoint) && options.jwksEndpoint.length <= 256,
        `the JWKS endpoint must be an https:// URL of at most 256 characters, got ${JSON.stringify(options.jwksEndpoint)}`,
      );
    }
    if (!Token.isUnresolved(options.issuer)) {
      checkThat(
        'JwtVerificationAction',
        options.issuer.length <= 256,
        `the issuer must be at most 256 characters, got ${options.issuer.length}`,
      );
    }
    checkThat(
      'JwtVerificationAction',
      options.claims.length <= 10 && options.claims.every((c) => !['exp', 'iss', 'nbf', 'iat'].includes(c.name)),
      `at most 10 additional claims, none of exp, iss, nbf, iat (always checked); got ${JSON.stringify(options.claims.map((c) => c.name))}`,
    );
    super(
      {
        type: 'jwt-validation',
        jwtValidationConfig: {
          issuer: options.issuer,
          jwksEndpoint: options.jwksEndpoint,
          additionalClaims:
            options.claims.length > 0
              ? options.claims.map((c) => ({ name: c.name, format: c.format, values: c.values }))
              : undefined,
        },
      },
      options.next,
    );
  }
}

/** What {@link createMcpListeners} needs. */
export interface McpListenersProps {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  readonly exposure: ExposureDecision;
  /** The certificate of the HTTPS listener (when `exposure.tls`). */
  readonly certificate?: elbv2.IListenerCertificate;
  readonly sslPolicy: elbv2.SslPolicy;
  /** Authorization: with TLS, the HTTPS listener verifies tokens before forwarding. */
  readonly auth?: McpAuthConfig;
  /** Forward CORS preflight (OPTIONS) requests without a token (browser origins are allowed). */
  readonly forwardPreflight: boolean;
  /** Add a port-80 listener that redirects to HTTPS. */
  readonly httpRedirect: boolean;
  /** The VPC (an internal load balancer admits its CIDR unless `internalClientPeers` is given). */
  readonly vpc: ec2.IVpc;
  /** Who may reach an internal load balancer's listener ports, instead of the VPC's CIDR. */
  readonly internalClientPeers?: ec2.IPeer[];
}

/** Who may reach an internal listener: the given peers, else the VPC's CIDR (a clear error when it is unknown). */
function internalPeers(props: McpListenersProps): ec2.IPeer[] {
  if (props.internalClientPeers && props.internalClientPeers.length > 0) return props.internalClientPeers;
  let cidr: string;
  try {
    cidr = props.vpc.vpcCidrBlock;
  } catch {
    throw new Error(
      'McpService: the internal load balancer admits the clients of its VPC by the VPC\'s CIDR, but the VPC was imported without vpcCidrBlock; pass vpcCidrBlock to ec2.Vpc.fromVpcAttributes, or give internalClientPeers (e.g. [ec2.Peer.ipv4("10.0.0.0/16")])',
    );
  }
  return [ec2.Peer.ipv4(cidr)];
}

/** The listeners of an MCP endpoint. */
export interface McpListeners {
  /** The listener that forwards to the tasks (HTTPS on 443, or HTTP on 80). */
  readonly listener: elbv2.ApplicationListener;
  /** The port-80 redirect, when `httpRedirect`. */
  readonly redirectListener?: elbv2.ApplicationListener;
  /** True when the load balancer verifies tokens (HTTPS with auth). */
  readonly verifiesTokens: boolean;
}

/**
 * Creates the listener of an MCP endpoint: with TLS, HTTPS on 443 whose default action verifies the access token
 * (issuer, expiry, audience, scope) before forwarding, with rules ahead of it that forward the protected-resource
 * metadata (and CORS preflight) without a token; without TLS, HTTP on 80 forwarding everything (the server's check is
 * then the only layer). Internet-facing listeners accept the world; internal ones the VPC's CIDR.
 */
export function createMcpListeners(props: McpListenersProps): McpListeners {
  const { loadBalancer, targetGroup, exposure } = props;
  const forward = elbv2.ListenerAction.forward([targetGroup]);
  let listener: elbv2.ApplicationListener;
  let verifiesTokens = false;
  if (exposure.tls) {
    checkThat('McpService', props.certificate !== undefined, 'a TLS listener needs a certificate');
    verifiesTokens = props.auth !== undefined;
    listener = loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [props.certificate!],
      sslPolicy: props.sslPolicy,
      defaultAction: props.auth
        ? new JwtVerificationAction({
            issuer: props.auth.issuer,
            jwksEndpoint: props.auth.jwksUrl,
            claims: props.auth.loadBalancerClaims,
            next: forward,
          })
        : forward,
      open: exposure.internetFacing,
    });
    if (props.auth) {
      // RFC 9728: clients discover the authorization server here before they have a token.
      listener.addAction('ProtectedResourceMetadata', {
        priority: METADATA_RULE_PRIORITY,
        conditions: [elbv2.ListenerCondition.pathPatterns(PROTECTED_RESOURCE_METADATA_PATHS)],
        action: elbv2.ListenerAction.forward([targetGroup]),
      });
      if (props.forwardPreflight) {
        // Browsers send CORS preflight requests without credentials; the server answers them (allowed origins only).
        listener.addAction('CorsPreflight', {
          priority: PREFLIGHT_RULE_PRIORITY,
          conditions: [elbv2.ListenerCondition.httpRequestMethods(['OPTIONS'])],
          action: elbv2.ListenerAction.forward([targetGroup]),
        });
      }
    }
  } else {
    listener = loadBalancer.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultTargetGroups: [targetGroup],
      open: exposure.internetFacing,
    });
    const reason = exposure.internetFacing
      ? 'A plaintext internet-facing listener was acknowledged explicitly (allowPlaintextInternetListener); there is no certificate, so no HTTPS listener to redirect to.'
      : 'Internal listener (VPC only) without a certificate: there is no HTTPS listener to redirect to, and no ACM certificate to attach; give certificateArn or domainName with a hosted zone for HTTPS.';
    acknowledgeCompliance(listener, { ALBHttpToHttpsRedirection: reason, ELBv2ACMCertificateRequired: reason });
  }
  const peers = exposure.internetFacing ? [] : internalPeers(props);
  for (const peer of peers) listener.connections.allowDefaultPortFrom(peer, 'clients in the VPC');
  let redirectListener: elbv2.ApplicationListener | undefined;
  if (exposure.tls && props.httpRedirect) {
    redirectListener = loadBalancer.addRedirect({
      sourcePort: 80,
      sourceProtocol: elbv2.ApplicationProtocol.HTTP,
      targetPort: 443,
      targetProtocol: elbv2.ApplicationProtocol.HTTPS,
      open: exposure.internetFacing,
    });
    for (const peer of peers) redirectListener.connections.allowDefaultPortFrom(peer, 'clients in the VPC');
    Validations.of(redirectListener).acknowledge({
      id: 'NIST.800.53.R5-ELBv2ACMCertificateRequired',
      reason:
        'This port-80 listener only answers 301 redirects to the HTTPS listener; it serves no content and holds no certificate.',
    });
  }
  return { listener, redirectListener, verifiesTokens };
}
