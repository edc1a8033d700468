import { Duration, RemovalPolicy, SecretValue, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeCompliance } from '../internal/compliance';
import { useTestedFeatureFlags } from '../internal/feature-flags';
import { checkInteger, checkPattern, checkThat } from '../internal/validate';
import type { McpCognitoAuthProps } from './auth';

const OWNER = 'McpCognitoAuthorization';

/** Props for {@link McpCognitoAuthorization}. */
export interface McpCognitoAuthorizationProps extends McpCognitoAuthProps {
  /** The service name (descriptions, the default domain prefix). */
  readonly serviceName: string;
  /**
   * Identifier of the resource server: the MCP endpoint's canonical URI, so every scope names the resource it is for
   * (`<identifier>/mcp.read`). Cognito access tokens have no `aud` claim; the scope prefix binds them to this server.
   */
  readonly resourceIdentifier: string;
  /**
   * What happens to the user pool (and its users) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A Cognito user pool that authorizes calls to one MCP server: a resource server with a read scope and an admin
 * scope, a Cognito domain (hosted sign-in and the token endpoint), an app client for people (authorization code
 * with PKCE, no secret) and a machine-to-machine client (client credentials, with a secret kept in Secrets Manager
 * under a KMS key) for automation and the synthetic probe. Plus feature plan with threat protection, MFA required
 * (TOTP), a strong password policy, no self sign-up.
 */
export class McpCognitoAuthorization extends Construct {
  /** The user pool. */
  public readonly userPool: cognito.UserPool;
  /** The resource server (identifier = the MCP endpoint's canonical URI). */
  public readonly resourceServer: cognito.UserPoolResourceServer;
  /** The Cognito domain (hosted sign-in, `/oauth2/authorize`, `/oauth2/token`). */
  public readonly domain: cognito.UserPoolDomain;
  /** App client for people: authorization code with PKCE, no secret. */
  public readonly peopleClient: cognito.UserPoolClient;
  /** Machine-to-machine client: client credentials, with a secret. */
  public readonly machineClient: cognito.UserPoolClient;
  /** Secrets Manager secret whose SecretString is the machine client's secret. */
  public readonly machineClientSecret: secretsmanager.Secret;
  /** KMS key of the machine client's secret. */
  public readonly secretEncryptionKey: kms.IKey;
  /** Issuer of the pool's tokens (`https://cognito-idp.<region>.<suffix>/<pool id>`). */
  public readonly issuerUrl: string;
  /** The pool's JWKS URL. */
  public readonly jwksUrl: string;
  /** Token endpoint of the domain. */
  public readonly tokenUrl: string;
  /** The read scope, `<identifier>/<readScopeName>`. */
  public readonly readScope: string;
  /** The admin scope, `<identifier>/<adminScopeName>`. */
  public readonly adminScope: string;

  constructor(scope: Construct, id: string, props: McpCognitoAuthorizationProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    const stack = Stack.of(this);
    const names = this.validate(props);

    this.userPool = this.createUserPool(props);
    const { server, read, admin } = this.createResourceServer(props, names);
    this.resourceServer = server;
    this.readScope = `${props.resourceIdentifier}/${names.read}`;
    this.adminScope = `${props.resourceIdentifier}/${names.admin}`;
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: names.domainPrefix } });
    this.peopleClient = this.createPeopleClient(props, read, admin);
    this.machineClient = this.createMachineClient(props, read, admin);
    this.secretEncryptionKey = props.secretEncryptionKey ?? this.createKey(props);
    this.machineClientSecret = this.createMachineClientSecret(props);

    this.issuerUrl = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
    this.jwksUrl = `${this.issuerUrl}/.well-known/jwks.json`;
    this.tokenUrl = `${this.domain.baseUrl()}/oauth2/token`;
  }

  private validate(props: McpCognitoAuthorizationProps): { read: string; admin: string; domainPrefix: string } {
    const read = props.readScopeName ?? 'mcp.read';
    const admin = props.adminScopeName ?? 'mcp.admin';
    for (const [prop, v] of [
      ['readScopeName', read],
      ['adminScopeName', admin],
    ]) {
      // Cognito scope names: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
      checkPattern(
        OWNER,
        prop,
        v,
        /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/,
        'a scope name (printable ASCII without spaces, quotes, / or \\)',
      );
    }
    checkThat(OWNER, read !== admin, `readScopeName and adminScopeName must differ, both are ${JSON.stringify(read)}`);
    // Domain prefixes are unique per region across all accounts: stack, service and account make it ours.
    const stack = Stack.of(this);
    const stackPart = stack.stackName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
    const domainPrefix =
      props.domainPrefix ?? `${`${stackPart}-${props.serviceName}`.slice(0, 49).replace(/-+$/, '')}-${stack.account}`;
    if (!Token.isUnresolved(domainPrefix)) {
      checkPattern(
        OWNER,
        'domainPrefix',
        domainPrefix,
        /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
        'lowercase letters, digits and hyphens, 1–63 characters, not starting or ending with a hyphen, without aws, amazon or cognito (set domainPrefix when the default, <stack>-<service>-<account>, breaks these rules)',
      );
    }
    for (const url of [...(props.callbackUrls ?? []), ...(props.logoutUrls ?? [])]) {
      if (Token.isUnresolved(url)) continue;
      checkPattern(
        OWNER,
        'callbackUrls/logoutUrls entry',
        url,
        /^(https:\/\/[^\s/?#]+|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?)(\/[^\s#]*)?$/,
        'an https:// URL, or http:// on localhost (Cognito accepts plain http only there)',
      );
    }
    if (props.accessTokenValidity)
      checkInteger(OWNER, 'accessTokenValidity (minutes)', props.accessTokenValidity.toMinutes(), 5, 1440);
    if (!Token.isUnresolved(props.resourceIdentifier))
      checkThat(
        OWNER,
        props.resourceIdentifier.length <= 256,
        `the resource identifier (the endpoint URL) must be at most 256 characters, got ${props.resourceIdentifier.length}`,
      );
    return { read, admin, domainPrefix };
  }

  private createUserPool(props: McpCognitoAuthorizationProps): cognito.UserPool {
    const enforce = props.enforceThreatProtection ?? true;
    return new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${props.serviceName}-mcp`,
      // People are invited by an administrator: a public MCP server must not let anyone sign up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // MFA for people, by authenticator app (no SMS role or spend).
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Threat protection (compromised credentials, adaptive authentication) is a Plus feature plan feature:
      // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-threat-protection.html
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: enforce
        ? cognito.StandardThreatProtectionMode.FULL_FUNCTION
        : cognito.StandardThreatProtectionMode.AUDIT_ONLY,
      deletionProtection: (props.removalPolicy ?? RemovalPolicy.RETAIN) === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  private createResourceServer(
    props: McpCognitoAuthorizationProps,
    names: { read: string; admin: string },
  ): { server: cognito.UserPoolResourceServer; read: cognito.ResourceServerScope; admin: cognito.ResourceServerScope } {
    const read = new cognito.ResourceServerScope({ scopeName: names.read, scopeDescription: 'Call the MCP server' });
    const admin = new cognito.ResourceServerScope({
      scopeName: names.admin,
      scopeDescription: 'Call the admin tools of the MCP server',
    });
    const server = this.userPool.addResourceServer('ResourceServer', {
      identifier: props.resourceIdentifier,
      userPoolResourceServerName: `${props.serviceName} MCP server`,
      scopes: [read, admin],
    });
    return { server, read, admin };
  }

  private createPeopleClient(
    props: McpCognitoAuthorizationProps,
    read: cognito.ResourceServerScope,
    admin: cognito.ResourceServerScope,
  ): cognito.UserPoolClient {
    return this.userPool.addClient('PeopleClient', {
      userPoolClientName: `${props.serviceName}-people`,
      // A public client (MCP clients on people's machines): no secret; the code exchange is bound by PKCE,
      // which the MCP authorization spec requires of clients.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [
          cognito.OAuthScope.OPENID,
          cognito.OAuthScope.EMAIL,
          cognito.OAuthScope.resourceServer(this.resourceServer, read),
          cognito.OAuthScope.resourceServer(this.resourceServer, admin),
        ],
        callbackUrls: props.callbackUrls ?? ['http://localhost:6274/oauth/callback'],
        logoutUrls: props.logoutUrls,
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: props.accessTokenValidity ?? Duration.hours(1),
      idTokenValidity: props.accessTokenValidity ?? Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
    });
  }

  private createMachineClient(
    props: McpCognitoAuthorizationProps,
    read: cognito.ResourceServerScope,
    admin: cognito.ResourceServerScope,
  ): cognito.UserPoolClient {
    const scopes = [cognito.OAuthScope.resourceServer(this.resourceServer, read)];
    if (props.machineClientAdmin) scopes.push(cognito.OAuthScope.resourceServer(this.resourceServer, admin));
    return this.userPool.addClient('MachineClient', {
      userPoolClientName: `${props.serviceName}-machine`,
      generateSecret: true,
      oAuth: { flows: { clientCredentials: true }, scopes },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      enableTokenRevocation: true,
      accessTokenValidity: props.accessTokenValidity ?? Duration.hours(1),
    });
  }

  private createKey(props: McpCognitoAuthorizationProps): kms.Key {
    return new kms.Key(this, 'SecretKey', {
      description: `mcp-ops: machine client secret of ${props.serviceName}`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  private createMachineClientSecret(props: McpCognitoAuthorizationProps): secretsmanager.Secret {
    const cfnClient = this.machineClient.node.defaultChild as cognito.CfnUserPoolClient;
    const secret = new secretsmanager.Secret(this, 'MachineClientSecret', {
      description: `Client secret of the ${props.serviceName} machine-to-machine Cognito app client (client id in its tags)`,
      // The SecretString is the client secret itself, read from the app client at deploy time (Fn::GetAtt ClientSecret):
      // it never appears in the template.
      secretStringValue: SecretValue.resourceAttribute(cfnClient.attrClientSecret),
      encryptionKey: this.secretEncryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const reason =
      'The secret mirrors the Cognito app client secret, which Cognito generates when the client is created; rotating it means replacing the app client (docs/security.md, "Rotating the machine client secret"), not a rotation Lambda.';
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason });
    acknowledgeCompliance(secret, { SecretsManagerRotationEnabled: reason });
    return secret;
  }
}
