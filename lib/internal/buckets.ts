import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The properties every data bucket of this package shares: SSE-KMS with the given customer key (with
 * S3 Bucket Keys, to cut KMS requests), no public access, TLS 1.2 or later only, versioned, ACLs
 * disabled. Spread them first and add the bucket's own settings (lifecycle, Object Lock, logging).
 */
export function kmsBucketProps(encryptionKey: kms.IKey): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  };
}
