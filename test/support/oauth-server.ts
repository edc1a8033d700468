/**
 * Starts a real OAuth 2.0 / OIDC server on 127.0.0.1 (test/support/oauth-server-main.ts, on
 * oauth2-mock-server) and fetches tokens from its token endpoint.
 */
import { spawn } from 'child_process';
import * as path from 'path';

/** Claims a test shapes on an otherwise genuine token (see oauth-server-main.ts). */
export interface TokenRequest {
  /** Space-separated scopes. */
  readonly scope?: string;
  /** `aud` claim (RFC 8707 resource). */
  readonly audience?: string;
  readonly clientId?: string;
  readonly sub?: string;
  /** Overrides `iss`. */
  readonly issuer?: string;
  /** Seconds until `exp`; negative for an expired token. */
  readonly expiresIn?: number;
}

/** A running OAuth server. */
export interface LocalOAuthServer {
  /** `iss` of its tokens. */
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly tokenUrl: string;
  /** An access token from the token endpoint (client-credentials grant). */
  token(request?: TokenRequest): Promise<string>;
  /** Stops the server; idempotent. */
  stop(): Promise<void>;
}

export async function startOAuthServer(): Promise<LocalOAuthServer> {
  const entry = path.join(__dirname, 'oauth-server-main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b) => {
    err += b;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const urls = await new Promise<{ issuer: string; jwksUrl: string; tokenUrl: string }>((resolve, reject) => {
    child.stdout!.on('data', (b) => {
      out += b;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) resolve(JSON.parse(line));
    });
    child.once('exit', (code) =>
      reject(new Error(`OAuth server exited (${code}) before it listened:\n${out}\n${err}`)),
    );
  });
  let stopped = false;
  return {
    ...urls,
    async token(request: TokenRequest = {}) {
      const form = new URLSearchParams({ grant_type: 'client_credentials' });
      if (request.scope !== undefined) form.set('scope', request.scope);
      if (request.audience !== undefined) form.set('aud', request.audience);
      if (request.sub !== undefined) form.set('test_sub', request.sub);
      if (request.issuer !== undefined) form.set('test_iss', request.issuer);
      if (request.expiresIn !== undefined) form.set('test_expires_in', String(request.expiresIn));
      const res = await fetch(urls.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${request.clientId ?? 'm2m-client'}:secret`).toString('base64')}`,
        },
        body: form.toString(),
      });
      const body = (await res.json()) as { access_token?: string };
      if (res.status !== 200 || !body.access_token)
        throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
