#!/usr/bin/env bash
# Times a 10-shot final cut (10 x 5 s clips): (a) all 1280x720@24, stream copy; (b) every other clip 720x1280@30,
# re-encoded; baseline in the same run: a plain `ffmpeg -f concat -c copy` of the (a) clips. Median of RUNS.
# Usage: bench/final-cut/run.sh [RUNS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-5}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(ffmpeg -version | head -1 | cut -d' ' -f1-3)"
dotnet build "$here/FinalCutBench" -c Release -nologo -v q >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); cpu pressure: $(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
dotnet run --project "$here/FinalCutBench" -c Release --no-build -- "$runs"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); cpu pressure: $(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
