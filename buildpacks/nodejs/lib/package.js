// What bin/compile asks of the app's package.json, answered on stdout (empty when absent):
//   field NAME...        the first of these top-level or dotted fields that is a string (engines.node)
//   script NAME          exit 0 when package.json has that script
//   has-dev              exit 0 when package.json has devDependencies
//   stamp FILE...        a digest of what decides node_modules: the lockfiles given, the
//                        dependency fields of package.json, and the node running this
//   pick-node DIR RANGE DEFAULT  the newest node satisfying RANGE, of DIR/<version>/bin/node and the default
// Run with the server's default node, from the app's folder. semver comes from npm's own copy
// (SLIPWAY_SEMVER), so the buildpack installs nothing to read a range.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const [command, ...args] = process.argv.slice(2);
const pkg = fs.existsSync('package.json') ? JSON.parse(fs.readFileSync('package.json', 'utf8')) : {};

function get(dotted) {
  return dotted.split('.').reduce((value, key) => (value && typeof value === 'object' ? value[key] : undefined), pkg);
}

switch (command) {
  case 'field': {
    const value = args.map(get).find((v) => typeof v === 'string');
    if (value !== undefined) console.log(value);
    break;
  }
  case 'script':
    process.exit(typeof (pkg.scripts || {})[args[0]] === 'string' ? 0 : 1);
    break;
  case 'has-dev':
    process.exit(Object.keys(pkg.devDependencies || {}).length > 0 ? 0 : 1);
    break;
  case 'stamp': {
    const hash = crypto.createHash('sha256');
    for (const file of args) hash.update(file + '\0' + fs.readFileSync(file) + '\0');
    for (const key of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides', 'resolutions', 'pnpm', 'workspaces', 'packageManager']) {
      hash.update(key + '\0' + JSON.stringify(pkg[key] ?? null) + '\0');
    }
    hash.update(process.env.SLIPWAY_NODE_STAMP || process.version);
    console.log(hash.digest('hex'));
    break;
  }
  case 'pick-node': {
    // The newest version that satisfies RANGE, of the folder's and the default node's:
    // prints "folder VERSION", or "default", or nothing when neither satisfies it.
    const semver = require(process.env.SLIPWAY_SEMVER);
    const [dir, range, fallback] = args;
    if (!semver.validRange(range)) break;
    const versions = dir && fs.existsSync(dir)
      ? fs.readdirSync(dir).filter((name) => semver.valid(name) && fs.existsSync(path.join(dir, name, 'bin', 'node')))
      : [];
    const best = semver.maxSatisfying(versions, range);
    if (semver.satisfies(fallback, range) && (!best || semver.gte(fallback, best))) console.log('default');
    else if (best) console.log('folder ' + best);
    break;
  }
  default:
    console.error(`package.js: unknown command ${command}`);
    process.exit(2);
}
