#!/usr/bin/env node
/**
 * Mutation check: applies each single-line mutation of ./mutants.js to a scratch copy of the repo
 * (the working tree's files, node_modules symlinked), runs only the test files named for it, and
 * reports which mutants the suite killed. Exits 1 if any survives or no longer applies.
 *
 *   npm run test:mutants                 every mutant
 *   npm run test:mutants -- --only cool  mutants whose name matches /cool/i
 *   npm run test:mutants -- --markdown   the table as Markdown (for README's Tests section)
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const mutants = require('./mutants');

const ROOT = path.resolve(__dirname, '../..');
/** A mutant whose tests run longer than this counts as killed (hung), and the run moves on. */
const MUTANT_DEADLINE_MS = 5 * 60 * 1000;

function parseArgs(argv) {
  const options = { only: undefined, markdown: false };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--only') options.only = argv[(i += 1)];
    else if (argv[i] === '--markdown') options.markdown = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return options;
}

/** The files git would commit from the working tree (tracked and new, minus ignored), copied as they are now. */
function copyWorkingTree(target) {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
    .toString()
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(from, path.join(target, file));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(target, 'node_modules'), 'dir');
}

/** Runs jest on `tests` in `cwd`; resolves with whether it passed, its output tail and seconds taken. */
function runJest(cwd, tests, grep) {
  const args = [path.join(cwd, 'node_modules/jest/bin/jest.js'), '--ci', '--silent', ...(grep ? ['-t', grep] : []), ...tests];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, CI: 'true' }, detached: true });
    let output = '';
    const keep = (chunk) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      process.kill(-child.pid, 'SIGKILL');
    }, MUTANT_DEADLINE_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ passed: code === 0 && !hung, hung, output, seconds: Math.round((Date.now() - started) / 1000) });
    });
  });
}

/**
 * The unmutated run of every test the mutants name, in at most two jest runs: whole files for the
 * mutants without a test name pattern, and the other files limited to all their patterns at once.
 */
async function runBaseline(scratch, selected) {
  const wholeFiles = new Set(selected.filter((m) => !m.grep).flatMap((m) => m.tests));
  const filtered = selected.filter((m) => m.grep && m.tests.some((t) => !wholeFiles.has(t)));
  const runs = [];
  if (wholeFiles.size > 0) runs.push(await runJest(scratch, [...wholeFiles]));
  if (filtered.length > 0) {
    const files = [...new Set(filtered.flatMap((m) => m.tests).filter((t) => !wholeFiles.has(t)))];
    runs.push(await runJest(scratch, files, filtered.map((m) => `(${m.grep})`).join('|')));
  }
  return {
    passed: runs.every((run) => run.passed),
    output: runs.map((run) => run.output).join('\n'),
    seconds: runs.reduce((sum, run) => sum + run.seconds, 0),
  };
}

function applyMutation(scratch, mutant) {
  const file = path.join(scratch, mutant.file);
  const original = fs.readFileSync(file, 'utf8');
  const at = original.indexOf(mutant.search);
  if (at < 0 || original.indexOf(mutant.search, at + 1) >= 0) {
    return { original, applied: false, why: at < 0 ? 'search text not found' : 'search text occurs more than once' };
  }
  fs.writeFileSync(file, original.slice(0, at) + mutant.replace + original.slice(at + mutant.search.length));
  return { original, applied: true };
}

function renderTable(rows, markdown) {
  const header = ['mutant', 'file', 'tests', 'result', 's'];
  const lines = rows.map((r) => [r.name, r.file, r.tests, r.result, String(r.seconds)]);
  if (markdown) {
    return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  }
  const widths = header.map((_, i) => Math.max(...[header, ...lines].map((cells) => cells[i].length)));
  return [header, ...lines].map((cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const selected = mutants.filter((m) => !options.only || new RegExp(options.only, 'i').test(m.name));
  if (selected.length === 0) throw new Error(`no mutant matches "${options.only}"`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mutants-'));
  const started = Date.now();
  try {
    copyWorkingTree(scratch);
    // The unmutated suite must pass first, or a "killed" mutant proves nothing.
    const baseline = await runBaseline(scratch, selected);
    if (!baseline.passed) {
      console.error(`baseline run failed, so no mutant result would mean anything:\n${baseline.output}`);
      process.exitCode = 1;
      return;
    }
    console.error(`baseline passed in ${baseline.seconds} s`);
    const rows = [];
    for (const mutant of selected) {
      const { original, applied, why } = applyMutation(scratch, mutant);
      const row = {
        name: mutant.name,
        file: mutant.file,
        tests: mutant.tests.map((t) => path.basename(t)).join(', '),
        seconds: 0,
      };
      if (!applied) {
        rows.push({ ...row, result: `STALE (${why})` });
      } else {
        try {
          const run = await runJest(scratch, mutant.tests, mutant.grep);
          rows.push({ ...row, result: run.hung ? 'killed (hung)' : run.passed ? 'SURVIVED' : 'killed', seconds: run.seconds });
        } finally {
          fs.writeFileSync(path.join(scratch, mutant.file), original);
        }
      }
      console.error(`${rows.at(-1).result.padEnd(8)} ${mutant.name}`);
    }
    const bad = rows.filter((r) => !r.result.startsWith('killed'));
    console.log(renderTable(rows, options.markdown));
    console.log(
      `\n${rows.length - bad.length}/${rows.length} killed, ${bad.length} survived or stale; ` +
        `${Math.round((Date.now() - started) / 1000)} s in all (baseline ${baseline.seconds} s)`,
    );
    if (bad.length > 0) process.exitCode = 1;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
