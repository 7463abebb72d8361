#!/usr/bin/env bash
# Archive benchmark: stream 100 MiB and 1 GiB outputs from the in-process emulator into the blob store (local folder
# and Azurite), RUNS takes each, against a raw copy of the same bytes measured in the same run.
# Usage: bench/archive/run.sh [RUNS]
#   env: STORES="FileSystem AzureBlob", SIZES="100 1024" (MiB), BENCH_PORT=5093, STUDIO_ARGS="--Key value ..." (added
#   to the studio's command line), KEEP_RESULTS=<file> (keep the per-run JSON lines),
#   KEEP_LOGS=<dir> (keep each studio's log).
# Needs root (it resets the studio's peak RSS through /proc/<pid>/clear_refs), curl, node, /usr/bin/chromium.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs="${1:-3}"
stores="${STORES:-FileSystem AzureBlob}"
sizes="${SIZES:-100 1024}"
port="${BENCH_PORT:-5093}"
work="$(mktemp -d)"
results="$work/results.jsonl"
studio_pid="" azurite_pid=""

cleanup() {
  [ -n "$studio_pid" ] && kill "$studio_pid" 2>/dev/null && wait "$studio_pid" 2>/dev/null
  [ -n "$azurite_pid" ] && kill "$azurite_pid" 2>/dev/null && wait "$azurite_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

npm install --prefix "$here" --no-audit --no-fund --silent >/dev/null
dotnet build "$repo/src/Studio.Web" -c Release -nologo -v q >/dev/null

# Azurite's well-known development account and key (public, the same for every Azurite).
conn=""
if [[ " $stores " == *" AzureBlob "* ]]; then
  blob_port="$(free_port)"
  mkdir -p "$work/azurite"
  "$here/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$blob_port" --location "$work/azurite" \
    --skipApiVersionCheck --loose --silent >"$work/azurite.log" 2>&1 &
  azurite_pid=$!
  for _ in $(seq 1 30); do curl -s "http://127.0.0.1:$blob_port/" >/dev/null && break; sleep 0.5; done
  conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;"
fi

for store in $stores; do
  for size in $sizes; do
    data="$work/studio-$store-$size"
    mkdir -p "$data" "$work/scratch"
    args=(--urls "http://127.0.0.1:$port" --environment Production --Studio:DataDirectory "$data"
      --Archive:MaxVideoBytes 3000000000 --Archive:TempDirectory "$work/staging"
      # Timestamps and the ffmpeg/ffprobe command lines, to split an archive into download, probe and poster.
      --Logging:Console:FormatterName simple --Logging:Console:FormatterOptions:TimestampFormat "HH:mm:ss.fff " --Logging:LogLevel:Studio.Emulator.Media.FfmpegProcess Debug)
    [ "$store" = AzureBlob ] && args+=(--Storage:Provider AzureBlob --Storage:AzureBlob:ConnectionString "$conn"
      --Storage:AzureBlob:Container "bench-$size")
    # shellcheck disable=SC2206 # STUDIO_ARGS is split on purpose
    args+=(${STUDIO_ARGS:-})
    # The app host itself (not `dotnet run`), so $! is the studio process whose memory is measured.
    (cd "$repo/src/Studio.Web" && exec bin/Release/net10.0/Studio.Web "${args[@]}") >"$data/studio.log" 2>&1 &
    studio_pid=$!
    for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 1; done
    BASE="http://127.0.0.1:$port" STUDIO_PID="$studio_pid" RUNS="$runs" SIZE_MB="$size" STORE="$store" \
      STUDIO_LOG="$data/studio.log" RESULTS="$results" SCRATCH="$work/scratch" \
      AZURE_CONNECTION_STRING="$([ "$store" = AzureBlob ] && echo "$conn" || true)" node "$here/bench.mjs"
    kill "$studio_pid"; wait "$studio_pid" 2>/dev/null || true; studio_pid=""
    python3 "$here/phases.py" "$data/studio.log" | sed "s/^/$store: /" >>"$work/phases.txt"
    [ -n "${KEEP_LOGS:-}" ] && mkdir -p "$KEEP_LOGS" && cp "$data/studio.log" "$KEEP_LOGS/studio-$store-$size.log"
    rm -rf "$data"
  done
done

echo
echo "bench/archive/run.sh $runs (STORES=\"$stores\" SIZES=\"$sizes\"), $(date -u +%F)"
node "$here/summary.mjs" "$results"
echo; echo "Phases of each archive (from the studio's log):"; cat "$work/phases.txt"
[ -n "${KEEP_RESULTS:-}" ] && cp "$results" "$KEEP_RESULTS"
exit 0
