#!/usr/bin/env node
// Builds the native addon (native/*.cc) offline.
//
// node-gyp and cmake-js both try to download Node's headers unless told where
// they are. node-gyp gets --nodedir=<prefix of the running node> (its headers are
// in <prefix>/include/node); cmake-js reads "binary.napi_versions" from
// package.json and takes the headers from the node-api-headers package.
// Usage: node scripts/build-addon.js [--cmake] [--debug]
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const useCmake = args.includes('--cmake');
const debug = args.includes('--debug');
const nodePrefix = path.resolve(path.dirname(process.execPath), '..');

function resolveBin(pkg, bin) {
  const pkgJson = require.resolve(`${pkg}/package.json`, { paths: [root] });
  const meta = JSON.parse(fs.readFileSync(pkgJson, 'utf8'));
  const rel = typeof meta.bin === 'string' ? meta.bin : meta.bin[bin];
  return path.join(path.dirname(pkgJson), rel);
}

function run(file, argv) {
  const r = spawnSync(process.execPath, [file, ...argv], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`derrick: addon build failed (${path.basename(file)} exited ${r.status})`);
    process.exit(r.status || 1);
  }
}

if (useCmake) {
  // Builds into build-cmake/ so that it never disturbs the node-gyp build the package loads.
  run(resolveBin('cmake-js', 'cmake-js'), [
    'compile', '--out', 'build-cmake', ...(debug ? ['--debug'] : []),
  ]);
} else {
  const hasHeaders = fs.existsSync(path.join(nodePrefix, 'include', 'node', 'node_api.h'));
  run(resolveBin('node-gyp', 'node-gyp'), [
    'rebuild', ...(hasHeaders ? [`--nodedir=${nodePrefix}`] : []), ...(debug ? ['--debug'] : []),
  ]);
}
