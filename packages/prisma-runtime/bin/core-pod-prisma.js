#!/usr/bin/env node
// Runs the compiled CLI when built, the TypeScript source otherwise (fresh clone, before build).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const built = join(__dirname, '..', 'dist', 'cli.js');
if (existsSync(built)) require(built);
else {
  require('tsx/cjs');
  require(join(__dirname, '..', 'src', 'cli.ts'));
}
