// A real OAuth 2.0 authorization server on 127.0.0.1 for the tests (oauth2-mock-server: RS256-signed JWTs,
// /token, /jwks), run as a child process because the package is ESM-only and jest loads CommonJS.
// Started by oauth-server.ts. Client authentication is enforced: OAUTH_CLIENTS is a JSON object of
// client_id -> client_secret; a request with other credentials gets 401 invalid_client (RFC 6749 §5.2).
// Tokens carry client_id, the requested scope and, when a resource indicator (RFC 8707) is sent, aud.
// Prints one JSON line when listening ({"issuer": ...}) and one per token request ({"token": {...}}); exits when
// its standard input closes (the parent ended or died), so it never outlives the tests.
import { Events, OAuth2Server } from 'oauth2-mock-server';

const clients = JSON.parse(process.env.OAUTH_CLIENTS ?? '{}');
const expiresIn = Number(process.env.OAUTH_EXPIRES_IN ?? '3600');

function credentialsOf(req) {
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
  }
  return { id: req.body?.client_id, secret: req.body?.client_secret };
}

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
server.service.on(Events.BeforeTokenSigning, (token, req) => {
  const { id } = credentialsOf(req);
  token.payload.client_id = id;
  token.payload.sub = id;
  token.payload.exp = Math.floor(Date.now() / 1000) + expiresIn;
  if (req.body?.scope) token.payload.scope = req.body.scope;
  if (req.body?.resource) token.payload.aud = req.body.resource;
});
server.service.on(Events.BeforeResponse, (response, req) => {
  const { id, secret } = credentialsOf(req);
  const ok = typeof id === 'string' && Object.prototype.hasOwnProperty.call(clients, id) && clients[id] === secret;
  process.stdout.write(
    `${JSON.stringify({ token: { client_id: id, grant_type: req.body?.grant_type, scope: req.body?.scope, resource: req.body?.resource, ok } })}\n`,
  );
  if (!ok) {
    response.statusCode = 401;
    response.body = { error: 'invalid_client', error_description: 'client authentication failed' };
    return;
  }
  response.body.expires_in = expiresIn;
});
await server.start(0, '127.0.0.1');
// The default issuer names localhost, which may resolve to ::1 where nothing listens.
server.issuer.url = `http://127.0.0.1:${server.address().port}`;
process.stdout.write(`${JSON.stringify({ issuer: server.issuer.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  server.stop().finally(() => process.exit(0));
});
