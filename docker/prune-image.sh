#!/bin/sh
# Drops from the build output what the runtime never loads: sources, tests, source maps, type
# declarations, docs, other databases' Prisma query compilers, better-sqlite3's C sources.
set -eu
app=${1:-/app}
cd "$app"
rm -rf packages/*/src packages/*/test packages/*/bench packages/*/.mocharc.json packages/*/tsconfig*.json \
       tsconfig.base.json lerna.json
find . -name '*.map' -type f -delete
find . -name '*.d.ts' -type f -delete
find . -name '*.d.mts' -type f -delete
find node_modules \( -iname '*.md' -o -iname 'CHANGELOG*' -o -iname '*.markdown' \) -type f -delete
# Prisma client runtime: keep the CommonJS client and only the query compilers the generated
# clients import (e.g. query_compiler_small_bg.sqlite / .postgresql).
rt=node_modules/@prisma/client/runtime
if [ -d "$rt" ]; then
  keep=$(grep -rhoE 'query_compiler_[a-z]+_bg\.[a-z]+' packages/*/dist/generated | sort -u)
  [ -n "$keep" ] || { echo "prune-image: no generated Prisma client found" >&2; exit 1; }
  find "$rt" -type f \( -name '*.mjs' -o -name '*edge*' -o -name '*react-native*' \) -delete
  for f in "$rt"/query_compiler_*; do
    name=$(basename "$f"); base=${name%%.wasm-base64.js}; base=${base%%.js}
    echo "$keep" | grep -qx "$base" || rm -f "$f"
  done
fi
# better-sqlite3: only the compiled addon is loaded.
b=node_modules/better-sqlite3
if [ -d "$b" ]; then
  rm -rf "$b/deps" "$b/src"
  find "$b/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  find "$b/build/Release" -mindepth 1 ! -name 'better_sqlite3.node' -exec rm -rf {} +
fi
