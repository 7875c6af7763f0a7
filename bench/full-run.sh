#!/bin/sh
# Runs every bench mode that BENCHMARKS.md reports, one after the other, and
# writes each mode's Markdown output and the machine's load into OUT_DIR
# (default bench-results/). Takes about half an hour.
set -eu
OUT_DIR=${1:-bench-results}
mkdir -p "$OUT_DIR"
step() {
  name=$1
  shift
  echo "$(date -u +%FT%TZ) $name: uptime before: $(uptime)" >> "$OUT_DIR/load.txt"
  "$@" --report "$OUT_DIR/$name.md" > /dev/null 2>> "$OUT_DIR/$name.log" || echo "$name exited with $?" >> "$OUT_DIR/load.txt"
  echo "$(date -u +%FT%TZ) $name: uptime after: $(uptime)" >> "$OUT_DIR/load.txt"
}
step speed-sqlite npm run bench --
step speed-postgres npm run bench -- --db postgres --framework express,fastify
step statements-sqlite npm run bench -- --count-statements
step statements-postgres npm run bench -- --count-statements --db postgres --framework fastify
step scale-sqlite npm run bench:scale --
