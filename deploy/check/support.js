/**
 * What the deploy checks share: loopback ports, polling with a deadline, child processes that are
 * killed when a check fails, Debian's nginx with its own prefix in a temp dir, socket.io clients.
 */
const { execFile, spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { io } = require('socket.io-client');
const { freePort, startRedis } = require('../../tests/helpers/loopback');

const ROOT = path.resolve(__dirname, '../..');
const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((candidate) => fs.existsSync(candidate)) ?? 'nginx';

const children = new Set();

function logger(check) {
  return (message) => console.log(`[${check}] ${message}`);
}

/** Polls `check` every 100 ms until it is true, or throws after `ms`. */
async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One GET on a new connection, as a new visitor makes it: the status, or the error's code. */
function freshGet(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve(error.code ?? error.message));
  });
}

async function answers(url) {
  return (await freshGet(url)) === 200;
}

/** A child process whose last output is kept for the failure message; killed if the check fails. */
function run(command, args, options) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  const keep = (chunk) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  children.add(child);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  void child.exited.then(() => children.delete(child));
  child.output = () => output;
  return child;
}

/** Runs to completion without blocking the event loop; rejects with its output when it fails. */
function runChecked(command, args, options) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${command} ${args.join(' ')} failed (${error.message}):\n${stdout}${stderr}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

/** The shipped file with only its ports changed; refuses to run if the file no longer has them. */
function siteConfig(nginxPort, nodePorts) {
  let text = fs.readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
  const replace = (from, to) => {
    if (!text.includes(from)) throw new Error(`deploy/nginx.conf no longer contains "${from}"`);
    text = text.split(from).join(to);
  };
  replace('listen 80;', `listen 127.0.0.1:${nginxPort};`);
  replace('127.0.0.1:3001', `127.0.0.1:${nodePorts[0]}`);
  replace('127.0.0.1:3002', `127.0.0.1:${nodePorts[1]}`);
  return text;
}

async function writeNginxPrefix(dir, nginxPort, nodePorts) {
  fs.writeFileSync(path.join(dir, 'site.conf'), siteConfig(nginxPort, nodePorts));
  const temp = (name) => `${name}_temp_path ${path.join(dir, name)};`;
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      `  access_log ${path.join(dir, 'access.log')};`,
      `  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}`,
      `  include ${path.join(dir, 'site.conf')};`,
      '}',
    ].join('\n'),
  );
  await runChecked(NGINX, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')]);
}

/** deploy/nginx.conf as shipped, in front of `nodePorts`, on `nginxPort`; stop() quits it. */
async function startNginx(dir, nginxPort, nodePorts) {
  await writeNginxPrefix(dir, nginxPort, nodePorts);
  const nginx = run(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')]);
  return {
    errorLog: () => fs.readFileSync(path.join(dir, 'error.log'), 'utf8').slice(-2000),
    stop: async () => {
      nginx.kill('SIGQUIT');
      await nginx.exited;
    },
  };
}

/** Half the clients websocket only, half polling first (they upgrade), as browsers behave. */
function connectClients(url, count, setUp = () => {}) {
  return Array.from({ length: count }, (_, i) => {
    const socket = io(url, {
      transports: i % 2 === 0 ? ['websocket'] : ['polling', 'websocket'],
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
      timeout: 3000,
    });
    socket.sessions = 0;
    socket.on('session', () => (socket.sessions += 1));
    setUp(socket);
    return socket;
  });
}

/**
 * Runs `main` within `limitMs`, then exits 0 ("OK") or 1 (the error), killing every child either way
 * it fails.
 */
function runCheck(check, limitMs, main) {
  const fail = (message) => {
    console.error(`[${check}] FAILED: ${message}`);
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  };
  setTimeout(() => fail(`over the ${limitMs} ms limit`), limitMs).unref();
  main().then(
    () => {
      console.log(`[${check}] OK`);
      process.exit(0);
    },
    (error) => fail(error.stack ?? error),
  );
}

module.exports = {
  ROOT,
  answers,
  connectClients,
  freePort,
  freshGet,
  logger,
  run,
  runCheck,
  runChecked,
  startNginx,
  startRedis,
  until,
};
