/* global AbortSignal */
/**
 * Container health check: GET /live on the address the server binds (HOST, or loopback when it
 * binds every interface). Exit 0 when it answers 200 within the timeout, 1 otherwise.
 */
const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::']);
const TIMEOUT_MS = 2000;

const configured = process.env.HOST ?? '';
const host = WILDCARD_HOSTS.has(configured) ? '127.0.0.1' : configured;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${process.env.PORT || 3000}/live`;

fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
