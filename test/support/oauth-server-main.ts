/**
 * A real OAuth 2.0 / OIDC server (oauth2-mock-server: RS256 keys, JWKS, token endpoint) on
 * 127.0.0.1, run as its own process by `startOAuthServer` (the package is ESM-only, which jest's
 * CommonJS runtime cannot load). Prints one JSON line with its URLs, then serves until SIGTERM.
 *
 * Tokens come from the token endpoint with the client-credentials grant, as an M2M client gets
 * them: `client_id` is the authenticated client and `sub` the same (as Cognito does for M2M).
 * Test-only form fields shape the claims of a real, correctly signed token: `test_sub`, `test_iss`,
 * `test_expires_in` (seconds from now, negative for an expired token).
 */
async function main(): Promise<void> {
  // ESM-only package: a dynamic import (this file is CommonJS, like the rest of the repository).
  const { Events, OAuth2Server } = await import('oauth2-mock-server');
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  server.service.on(Events.BeforeTokenSigning, (token, req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    const clientId = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] : String(body.client_id);
    token.payload.client_id = clientId;
    token.payload.sub = typeof body.test_sub === 'string' ? body.test_sub : clientId;
    if (typeof body.test_iss === 'string') token.payload.iss = body.test_iss;
    if (typeof body.test_expires_in === 'string') {
      const now = Math.floor(Date.now() / 1000);
      token.payload.iat = now - 7200;
      token.payload.nbf = now - 7200;
      token.payload.exp = now + Number(body.test_expires_in);
    }
  });
  await server.start(0, '127.0.0.1');
  const port = server.address().port;
  process.stdout.write(
    `${JSON.stringify({ issuer: server.issuer.url, jwksUrl: `http://127.0.0.1:${port}/jwks`, tokenUrl: `http://127.0.0.1:${port}/token` })}\n`,
  );
  process.once('SIGTERM', () => {
    void server.stop().finally(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
