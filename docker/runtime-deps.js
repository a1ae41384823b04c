#!/usr/bin/env node
// Deletes from node_modules every package the workspaces do not reach through `dependencies` /
// `optionalDependencies` (per package-lock.json). `npm prune --omit=dev` keeps a dev package when
// a production one names it as an optional peer (the Prisma CLI via @prisma/client): ~150 MB.
//   usage: node runtime-deps.js <app dir>        (prints what it kept and removed)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(process.argv[2] || '.');
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages;

/** Node's lookup: from `fromLoc` (a lock key) upward, the first node_modules/<name> in the lock. */
function resolve(fromLoc, name) {
  let dir = fromLoc;
  for (;;) {
    const candidate = (dir ? `${dir}/` : '') + `node_modules/${name}`;
    if (lock[candidate]) return candidate;
    if (!dir) return undefined;
    const at = dir.lastIndexOf('node_modules/');
    dir = at <= 0 ? '' : dir.slice(0, at - 1);
  }
}

const keep = new Set();
const queue = Object.keys(lock).filter((loc) => loc.startsWith('packages/'));
while (queue.length) {
  const loc = queue.pop();
  if (keep.has(loc)) continue;
  keep.add(loc);
  const entry = lock[loc];
  if (entry.link) { queue.push(entry.resolved); continue; }
  for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
    const target = resolve(loc, name);
    if (target) queue.push(target);
    else if (!(entry.optionalDependencies && name in entry.optionalDependencies)) {
      throw new Error(`${loc} depends on ${name}, which the lockfile does not hold`);
    }
  }
}

let removed = 0;
for (const loc of Object.keys(lock)) {
  if (!loc.includes('node_modules/') || keep.has(loc)) continue;
  // Only remove top-most unreached locations; nested ones go with their parent.
  const full = path.join(root, loc);
  if (fs.existsSync(full)) { fs.rmSync(full, { recursive: true, force: true }); removed++; }
}
// npm's bin links of removed packages now dangle.
const bin = path.join(root, 'node_modules', '.bin');
if (fs.existsSync(bin)) for (const f of fs.readdirSync(bin)) if (!fs.existsSync(path.join(bin, f))) fs.rmSync(path.join(bin, f), { force: true });
console.log(`runtime-deps: kept ${keep.size} lock entries, removed ${removed}`);
