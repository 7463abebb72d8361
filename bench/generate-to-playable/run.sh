#!/usr/bin/env bash
# Times Generate -> playable 5 s video in Sandbox mode (median of RUNS), with the emulator alone as baseline.
# Usage: bench/generate-to-playable/run.sh [RUNS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs="${1:-5}"
port="${BENCH_PORT:-5091}"
data="$(mktemp -d)"
npm install --prefix "$here" --no-audit --no-fund --silent >/dev/null
dotnet build "$repo/src/Studio.Web" -c Release -nologo -v q >/dev/null
dotnet run --project "$repo/src/Studio.Web" -c Release --no-build --no-launch-profile -- \
  --urls "http://127.0.0.1:$port" --Studio:DataDirectory "$data" --environment Production >"$data/studio.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 1; done
BASE="http://127.0.0.1:$port" RUNS="$runs" node "$here/bench.mjs"
