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
  --Logging:LogLevel:Default Warning --Logging:LogLevel:Studio.Web.Features.Gallery.ProjectGallery Debug >"$data/studio.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 1; done
BASE="http://127.0.0.1:$port" RUNS="$runs" TABS="$tabs" STUDIO_PID="$pid" STUDIO_DB="$data/studio.db" node "$here/bench.mjs"
# The server's share: how long the first page of cards (offset 0) took to read, per project size, from the studio's log.
for size in 10000 0; do
  grep -o "Gallery page at 0 (+[0-9]*) of $size takes read in [0-9.]* ms" "$data/studio.log" | awk '{print $(NF-1)}' | sort -n |
    awk -v size="$size" '{v[NR]=$1} END { if (NR) printf "server: first gallery page of a %s-take project read in %s ms (median of %d; min %s, max %s)\n", size, v[int((NR+1)/2)], NR, v[1], v[NR] }'
done
