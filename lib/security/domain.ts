import { Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { useTestedFeatureFlags } from '../internal/feature-flags';
import { checkPattern, checkThat } from '../internal/validate';
import { DNS_NAME, isInZone } from './policy';

const OWNER = 'McpDomain';

/** Props for {@link McpDomain}. */
export interface McpDomainProps {
  /** The name clients use, e.g. `mcp.example.com`; inside the hosted zone. */
  readonly domainName: string;
  /** Id of the Route 53 public hosted zone, e.g. `Z0123456789ABCDEFGHIJ` (no lookup). */
  readonly hostedZoneId: string;
  /** Name of the hosted zone, e.g. `example.com`. */
  readonly hostedZoneName: string;
  /**
   * Make the alias records the PRIMARY of a Route 53 failover pair with this set identifier, evaluating the
   * load balancer's target health (a region-loss recovery adds the SECONDARY).
   * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html
   * @default none: simple alias records
   */
  readonly failoverSetIdentifier?: string;
}

/**
 * A public DNS name for an MCP endpoint in a Route 53 hosted zone: a DNS-validated ACM certificate (validated by
 * CloudFormation through the zone, so one deploy gives HTTPS) and, once the load balancer exists, the alias records
 * (A, and AAAA when the load balancer is dual-stack).
 */
export class McpDomain extends Construct {
  /** The hosted zone (from its attributes: no lookup). */
  public readonly hostedZone: route53.IHostedZone;
  /** The certificate of `domainName`. */
  public readonly certificate: acm.Certificate;
  /** The domain name. */
  public readonly domainName: string;
  private readonly failoverSetIdentifier?: string;
  /** The alias records, once {@link addAliasRecords} ran. */
  public readonly records: route53.RecordSet[] = [];

  constructor(scope: Construct, id: string, props: McpDomainProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    this.validate(props);
    this.domainName = props.domainName;
    this.failoverSetIdentifier = props.failoverSetIdentifier;
    this.hostedZone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: props.hostedZoneId,
      zoneName: props.hostedZoneName,
    });
    // DNS validation through the zone: CloudFormation writes the CNAME and waits for ACM to issue
    // (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html).
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(this.hostedZone),
    });
  }

  /** Points the domain at the load balancer: an A alias, plus AAAA when it is dual-stack. */
  public addAliasRecords(loadBalancer: elbv2.ApplicationLoadBalancer): void {
    checkThat(OWNER, this.records.length === 0, 'addAliasRecords was already called');
    const failover = this.failoverSetIdentifier;
    const target = route53.RecordTarget.fromAlias(
      new targets.LoadBalancerTarget(loadBalancer, failover ? { evaluateTargetHealth: true } : undefined),
    );
    const record = {
      zone: this.hostedZone,
      recordName: this.domainName,
      target,
      ...(failover
        ? {
            failover: route53.Failover.PRIMARY,
            setIdentifier: failover,
            comment: 'mcp-ops: PRIMARY of the failover pair; a region-loss recovery adds the SECONDARY after approval',
          }
        : {}),
    };
    this.records.push(new route53.ARecord(this, 'Alias', record));
    const ipType = loadBalancer.ipAddressType;
    if (ipType !== undefined && ipType !== elbv2.IpAddressType.IPV4) {
      this.records.push(new route53.AaaaRecord(this, 'AliasIpv6', record));
    }
  }

  private validate(props: McpDomainProps): void {
    checkPattern(
      OWNER,
      'hostedZoneId',
      props.hostedZoneId,
      /^Z[A-Z0-9]{1,31}$/,
      'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ',
    );
    if (!Token.isUnresolved(props.domainName))
      checkPattern(OWNER, 'domainName', props.domainName, DNS_NAME, 'a lowercase DNS name such as mcp.example.com');
    if (!Token.isUnresolved(props.hostedZoneName))
      checkPattern(
        OWNER,
        'hostedZoneName',
        props.hostedZoneName.replace(/\.$/, ''),
        DNS_NAME,
        'a lowercase DNS zone name such as example.com',
      );
    if (!Token.isUnresolved(props.domainName) && !Token.isUnresolved(props.hostedZoneName)) {
      checkThat(
        OWNER,
        isInZone(props.domainName, props.hostedZoneName),
        `domainName ${JSON.stringify(props.domainName)} is not inside the hosted zone ${JSON.stringify(props.hostedZoneName)}; the certificate is validated and the alias written in that zone`,
      );
    }
  }
}
