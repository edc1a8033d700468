/**
 * The default command of the readiness task: starts the service in the container (the reference
 * server's `dist/main.js`) and asks its own `GET /health/ready` (docs/operational-contract.md) until
 * it answers 200 (exit 0) or the attempts run out (exit 1). Before it starts the server it copies the
 * restored endpoints, `RESTORED_DATABASE_HOST`… (the workflow's RunTask override), over `DATABASE_HOST`…: the
 * task definition delivers those as ECS secrets from the endpoint parameters, which an override cannot replace.
 * A readiness command of your own must do the same. Pure: no CDK.
 */
import { ENDPOINT_VARIABLES, RESTORED_PREFIX } from '../data/endpoint-names';

/** Node one-liner run with `node -e`; `READY_CHECK_ATTEMPTS` (default 30, every 2 s) bounds the wait. */
export const READY_CHECK_SCRIPT = [
  `for (const k of ${JSON.stringify(ENDPOINT_VARIABLES)}) { const v = process.env['${RESTORED_PREFIX}' + k]; if (v) process.env[k] = v; }`,
  "const http = require('http');",
  'const port = Number(process.env.PORT || 8080);',
  'const attempts = Number(process.env.READY_CHECK_ATTEMPTS || 30);',
  'let n = 0;',
  "const retry = (why) => { if (++n >= attempts) { console.error('not ready: ' + why); process.exit(1); } setTimeout(tick, 2000); };",
  "const tick = () => http.get({ host: '127.0.0.1', port, path: '/health/ready', timeout: 5000 }, (res) => {",
  "  let body = ''; res.on('data', (c) => { body += c; });",
  "  res.on('end', () => { if (res.statusCode === 200) { console.log('ready: ' + body); process.exit(0); } retry(res.statusCode + ' ' + body); });",
  "}).on('error', (e) => retry(e.message)).on('timeout', function () { this.destroy(new Error('timeout')); });",
  "require(require('path').resolve(process.env.READY_CHECK_ENTRY || 'dist/main.js'));",
  'setTimeout(tick, 500);',
].join(' ');

/** `['node', '-e', READY_CHECK_SCRIPT]`. */
export const DEFAULT_READINESS_COMMAND: readonly string[] = ['node', '-e', READY_CHECK_SCRIPT];
