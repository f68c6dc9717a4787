#!/usr/bin/env node
/**
 * Docker does not run on the CI machines, so this runs the Dockerfile's own commands outside it
 * (run by .ci/run): the build stage's COPY and RUN lines in a temp dir standing in for /app, the
 * runtime stage's COPY lines into a second dir, then its CMD with its ENV, polled with its
 * HEALTHCHECK command until healthy, and stopped with its STOPSIGNAL (must exit 0). Then, in the
 * runtime dir, a production install over the built dist/ (`npm ci --omit=dev`: no TypeScript, so
 * `prepare` keeps dist/) and `npm start`, which must serve without compiling.
 * What it cannot check: the base image, USER and the container network.
 */
/* global AbortSignal */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const START_DEADLINE_MS = 20000;
const STOP_DEADLINE_MS = 15000;

function log(message) {
  console.log(`[dockerfile] ${message}`);
}

/** Instructions per stage, continuation lines joined, comments dropped. */
function parseDockerfile(text) {
  const stages = [];
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, keyword, rest] = /^(\w+)\s+(.*)$/.exec(line);
    if (keyword === 'FROM') stages.push({ from: rest, steps: [] });
    else stages.at(-1).steps.push({ keyword, rest });
  }
  return stages;
}

function sh(command, cwd, env = process.env) {
  log(`(${path.basename(cwd)}) ${command}`);
  const result = spawnSync('sh', ['-c', command], { cwd, env, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`"${command}" failed with ${result.status}`);
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true });
}

/** COPY [--from=stage] [--chown=...] src... dest, with /app as the stage's WORKDIR. */
function runCopy(rest, stageDirs, workDir) {
  const words = rest.split(/\s+/);
  const fromStage = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const [dest, ...sources] = words.filter((word) => !word.startsWith('--')).reverse();
  for (const source of sources.reverse()) {
    const from = fromStage ? path.join(stageDirs[fromStage], path.relative('/app', source)) : path.join(ROOT, source);
    const target = dest.endsWith('/') ? path.join(workDir, dest, path.basename(source)) : path.join(workDir, dest);
    copy(from, target);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function exitOf(child) {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

async function answersLive(port) {
  try {
    return (await fetch(`http://127.0.0.1:${port}/live`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

async function main() {
  const stages = parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  if (stages.length !== 2) throw new Error(`expected a build and a runtime stage, found ${stages.length}`);
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-check-'));
  const buildName = / AS (\w+)$/i.exec(stages[0].from)?.[1];
  const stageDirs = { [buildName]: path.join(temp, 'build') };
  const runDir = path.join(temp, 'app');
  const env = { ...process.env };
  let cmd;
  let healthcheck;
  let stopSignal = 'SIGTERM';
  try {
    for (const [index, stage] of stages.entries()) {
      const workDir = index === 0 ? stageDirs[buildName] : runDir;
      fs.mkdirSync(workDir, { recursive: true });
      for (const { keyword, rest } of stage.steps) {
        if (keyword === 'COPY') runCopy(rest, stageDirs, workDir);
        else if (keyword === 'RUN') sh(rest, workDir);
        else if (keyword === 'ENV' && index === 1) Object.assign(env, Object.fromEntries([rest.split('=')]));
        else if (keyword === 'CMD') cmd = JSON.parse(rest);
        else if (keyword === 'HEALTHCHECK') healthcheck = JSON.parse(rest.slice(rest.indexOf('CMD') + 3));
        else if (keyword === 'STOPSIGNAL') stopSignal = rest;
      }
    }
    if (!cmd || !healthcheck) throw new Error('the runtime stage needs a CMD and a HEALTHCHECK CMD [...]');
    if (cmd[0] !== 'node') throw new Error(`CMD must run node directly (signals), got ${cmd.join(' ')}`);
    if (fs.existsSync(path.join(runDir, 'node_modules/typescript'))) throw new Error('dev dependencies left in the image');

    const port = await freePort();
    const serverEnv = { ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' };
    log(`CMD ${cmd.join(' ')} (NODE_ENV=${serverEnv.NODE_ENV}) on port ${port}`);
    const server = spawn(process.execPath, cmd.slice(1), { cwd: runDir, env: serverEnv, stdio: 'inherit' });
    const exited = exitOf(server);
    const healthy = () => spawnSync(process.execPath, healthcheck.slice(1), { cwd: runDir, env: serverEnv }).status === 0;
    await until(healthy, START_DEADLINE_MS, 'HEALTHCHECK passing');
    log(`HEALTHCHECK passes; sending ${stopSignal}`);
    server.kill(stopSignal);
    const timer = setTimeout(() => server.kill('SIGKILL'), STOP_DEADLINE_MS);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`server exited with ${code} on ${stopSignal}`);
    if (healthy()) throw new Error('HEALTHCHECK still passes with the server stopped');

    // As on a checkout whose dist/ was built before: the lock file and the prepare script.
    copy(path.join(ROOT, 'package-lock.json'), path.join(runDir, 'package-lock.json'));
    copy(path.join(ROOT, 'scripts'), path.join(runDir, 'scripts'));
    sh('npm ci --omit=dev --prefer-offline --no-audit --no-fund', runDir);
    if (!fs.existsSync(path.join(runDir, 'dist/index.js'))) throw new Error('npm ci --omit=dev lost dist/');
    const npmStart = spawn('npm', ['start'], { cwd: runDir, env: serverEnv, stdio: 'inherit', detached: true });
    const npmExited = exitOf(npmStart);
    try {
      await until(() => answersLive(port), START_DEADLINE_MS, 'npm start serving /live');
      log('npm start serves a built dist/ without dev dependencies');
    } finally {
      // npm does not forward signals to node: stop the whole process group.
      process.kill(-npmStart.pid, 'SIGTERM');
      await npmExited;
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

main().then(
  () => log('OK'),
  (error) => {
    console.error(`[dockerfile] FAILED: ${error.stack ?? error}`);
    process.exit(1);
  },
);
