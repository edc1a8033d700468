/**
 * Starts the real OAuth 2.0 server of oauth-server-process.mjs (oauth2-mock-server) on 127.0.0.1 in a child process
 * and tells the tests its endpoints and the token requests it answered.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';

export interface TokenRequestSeen {
  readonly client_id?: string;
  readonly grant_type?: string;
  readonly scope?: string;
  readonly resource?: string;
  readonly ok: boolean;
}

export interface OAuthTestServer {
  /** Issuer (the `iss` of its tokens), e.g. http://127.0.0.1:41234 */
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  /** Token requests answered so far, in order. */
  readonly tokenRequests: TokenRequestSeen[];
  close(): Promise<void>;
}

export async function startOAuthServer(options: {
  clients: Record<string, string>;
  expiresInSeconds?: number;
}): Promise<OAuthTestServer> {
  const child = spawn(process.execPath, [path.join(__dirname, 'oauth-server-process.mjs')], {
    env: {
      ...process.env,
      OAUTH_CLIENTS: JSON.stringify(options.clients),
      OAUTH_EXPIRES_IN: String(options.expiresInSeconds ?? 3600),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const tokenRequests: TokenRequestSeen[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`OAuth test server did not start: ${stderr.join('')}`)), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OAuth test server exited with ${code}: ${stderr.join('')}`));
    });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { issuer?: string; token?: TokenRequestSeen };
      if (msg.issuer) {
        clearTimeout(timer);
        resolve(msg.issuer);
      }
      if (msg.token) tokenRequests.push(msg.token);
    });
  });
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    jwksUrl: `${issuer}/jwks`,
    tokenRequests,
    async close() {
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
