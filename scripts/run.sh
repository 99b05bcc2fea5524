#!/bin/sh
# Entry point behind `npm run dev|test|gen:types`: installs what the project needs on a fresh
# machine (npm toolchain, Debian's Postgres extensions), then runs scripts/<task>.ts with Deno.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
task=$1
shift

# npm installs the toolchain and the functions' packages; Deno reads them from node_modules
# (deno.json: nodeModulesDir "manual"), which starts a function much faster than its global cache.
if [ ! -x node_modules/.bin/deno ] || [ ! -x node_modules/.bin/supabase ] ||
  [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (deno, supabase CLI, the functions' dependencies)"
  npm install --no-audit --no-fund --loglevel=error
fi

# Debian packages: pgTAP + pg_prove for the database tests, pg_cron for scheduling,
# plpgsql_check for `supabase db lint`, Chromium for the dashboard's browser test.
need=""
sharedir=$(/usr/lib/postgresql/15/bin/pg_config --sharedir 2>/dev/null || echo /usr/share/postgresql/15)
[ -f "$sharedir/extension/pgtap.control" ] || need="$need postgresql-15-pgtap"
command -v pg_prove >/dev/null 2>&1 || need="$need libtap-parser-sourcehandler-pgtap-perl"
[ -f "$sharedir/extension/pg_cron.control" ] || need="$need postgresql-15-cron"
[ -f "$sharedir/extension/plpgsql_check.control" ] || need="$need postgresql-15-plpgsql-check"
[ -x /usr/bin/chromium ] || need="$need chromium"
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages:$need"
    (apt-get install -y -qq $need >/dev/null 2>&1) || { apt-get update -qq >/dev/null && apt-get install -y -qq $need >/dev/null; }
  else
    echo "Missing Debian packages. Run once: sudo apt-get install -y$need" >&2
    exit 1
  fi
fi

# Registry traffic may pass a TLS-inspecting proxy whose CA only the system store knows.
export DENO_TLS_CA_STORE="${DENO_TLS_CA_STORE:-system,mozilla}"
export DENO_NO_UPDATE_CHECK=1
export RUST_BACKTRACE=0
exec node_modules/.bin/deno run --allow-all --quiet "scripts/$task.ts" "$@"
