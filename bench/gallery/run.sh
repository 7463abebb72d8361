#!/usr/bin/env bash
# The gallery with 10,000 takes (Sandbox mode, Release): time to the first page of cards and memory per open gallery
# circuit, each against an empty project as baseline. Usage: bench/gallery/run.sh [RUNS] [TABS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs="${1:-5}"
tabs="${2:-10}"
port="${BENCH_PORT:-5092}"
data="$(mktemp -d)"
npm install --prefix "$here" --no-audit --no-fund --silent >/dev/null
dotnet build "$repo/src/Studio.Web" -c Release -nologo -v q >/dev/null
# The dll itself (not dotnet run), so $! is the studio's pid for /proc/<pid>/status.
cd "$repo/src/Studio.Web"
dotnet bin/Release/net10.0/Studio.Web.dll --urls "http://127.0.0.1:$port" --Studio:DataDirectory "$data" --environment Production \
  --Logging:LogLevel:Default Warning >"$data/studio.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 1; done
BASE="http://127.0.0.1:$port" RUNS="$runs" TABS="$tabs" STUDIO_PID="$pid" STUDIO_DB="$data/studio.db" node "$here/bench.mjs"
