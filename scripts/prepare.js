/**
 * npm's `prepare` (runs after `npm install` / `npm ci`): builds dist/ when TypeScript is installed,
 * so `npm install && npm start` works on a fresh clone. A production install (`npm ci --omit=dev`)
 * has no TypeScript: it keeps the dist/ built before (see README "Production install").
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function typescriptCompiler() {
  try {
    return require.resolve('typescript/bin/tsc', { paths: [root] });
  } catch {
    return undefined;
  }
}

const tsc = typescriptCompiler();
if (!tsc) {
  const built = fs.existsSync(path.join(root, 'dist/index.js'));
  console.log(
    built
      ? 'prepare: no TypeScript (production install), keeping the dist/ built before'
      : 'prepare: no TypeScript (production install) and no dist/: build first (npm ci && npm run build), then npm prune --omit=dev',
  );
  process.exit(0);
}
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
process.exit(build.status ?? 1);
