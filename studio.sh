#!/usr/bin/env bash
# Studio developer entry point.
#   ./studio.sh run    start the studio on this machine (SQLite + local blobs, Sandbox unless an API key is set)
#   ./studio.sh test   build once and run every test project (unit, integration, browser)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$REPO"

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die()  { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }
have()    { command -v "$1" >/dev/null 2>&1; }

APT_UPDATED=0
# Installs Debian/Ubuntu packages when we are root and apt-get exists; otherwise stops and says what to run.
apt_install() {
    if is_root && have apt-get; then
        if [ "$APT_UPDATED" -eq 0 ]; then
            step "apt-get update"
            apt-get update
            APT_UPDATED=1
        fi
        step "apt-get install -y $*"
        DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
    else
        die "missing: $*. Install it with: sudo apt-get update && sudo apt-get install -y $*"
    fi
}

ensure_dotnet() {
    if ! have dotnet; then
        die "the .NET 10 SDK is not installed. Install it from https://dotnet.microsoft.com/download/dotnet/10.0 (on Debian/Ubuntu: https://learn.microsoft.com/dotnet/core/install/linux), then run this again."
    fi
    if ! dotnet --list-sdks | grep -q '^10\.'; then
        die "dotnet is installed but has no .NET 10 SDK (found: $(dotnet --list-sdks | tr '\n' ' ')). Install the .NET 10 SDK from https://dotnet.microsoft.com/download/dotnet/10.0"
    fi
    step "dotnet $(dotnet --version)"
}

ensure_ffmpeg() {
    if ! have ffmpeg || ! have ffprobe; then
        apt_install ffmpeg
    fi
    step "ffmpeg: $(command -v ffmpeg)"
}

ensure_chromium() {
    if [ ! -x /usr/bin/chromium ]; then
        apt_install chromium
    fi
    [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is still missing after installing Debian's chromium package"
    step "chromium: /usr/bin/chromium"
}

ensure_node() {
    if ! have node || ! have npm; then
        apt_install nodejs npm
    fi
    step "node $(node --version), npm $(npm --version)"
}

# ---------------------------------------------------------------------------------------------
# Test services (scale-out parts).
# Later this is where Azurite (blob), PostgreSQL and Redis are started for the integration tests,
# e.g. from infra/compose.yaml or as local processes, exporting their connection strings
# (ConnectionStrings__Studio, Blob__ConnectionString, Redis__ConnectionString) for `dotnet test`.
# stop_test_services runs from the EXIT trap, so it must be safe to call when nothing was started.
# ---------------------------------------------------------------------------------------------
start_test_services() {
    step "test services: nothing needed yet (SQLite and local blobs only; Azurite/PostgreSQL/Redis will start here)"
}

stop_test_services() {
    step "test services: nothing to stop"
}

cmd_run() {
    ensure_dotnet
    ensure_ffmpeg

    local data_dir="${STUDIO_DATA:-$REPO/.data}"
    mkdir -p "$data_dir"
    data_dir="$(cd "$data_dir" && pwd)"
    local urls="${STUDIO_URLS:-http://localhost:5080}"

    step "Studio keeps its data in $data_dir (SQLite database studio.db, blobs/ for videos)"
    if [ -n "${RUNWAYML_API_SECRET:-}" ]; then
        step "RUNWAYML_API_SECRET is set: generations go to the real Runway API and cost real credits"
    else
        step "Sandbox mode: generations go to the built-in provider emulator (set RUNWAYML_API_SECRET to use the real Runway API)"
    fi
    step "starting Studio on $urls (Ctrl+C to stop)"
    exec dotnet run --project src/Studio.Web -c Release -- --urls "$urls" --Studio:DataDirectory "$data_dir"
}

cmd_test() {
    ensure_dotnet
    ensure_ffmpeg
    ensure_chromium
    ensure_node

    if [ -f tests/sdk-client/package.json ]; then
        step "npm ci --prefix tests/sdk-client"
        npm ci --prefix tests/sdk-client --no-audit --no-fund
    else
        step "skipping npm ci: tests/sdk-client/package.json does not exist yet"
    fi

    trap stop_test_services EXIT
    start_test_services

    step "dotnet build Studio.sln -c Release"
    dotnet build Studio.sln -c Release -nologo

    # Fresh reports and browser artifacts, so that CI uploads only this run's screenshots and traces.
    local results_dir="$REPO/TestResults"
    rm -rf "$results_dir" tests/Studio.E2ETests/artifacts
    step "dotnet test Studio.sln -c Release --no-build"
    local status=0
    dotnet test Studio.sln -c Release --no-build -nologo \
        --logger "trx" --results-directory "$results_dir" || status=$?

    step "test summary"
    local trx found=0
    for trx in "$results_dir"/*.trx; do
        [ -f "$trx" ] || continue
        found=1
        # <Counters total=".." executed=".." passed=".." failed=".." ...> from each project's TRX report
        local counters
        counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n1 || true)"
        local total passed failed skipped
        total="$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")"
        passed="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
        failed="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
        skipped="$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")"
        local assembly
        assembly="$(grep -o 'codeBase="[^"]*"' "$trx" | head -n1 | sed 's/codeBase="\(.*\)"/\1/' || true)"
        if [ -z "$assembly" ]; then
            note "(a test project with no tests): total ${total:-0}"
            continue
        fi
        note "$(basename "$assembly" .dll): total ${total:-?}, passed ${passed:-?}, failed ${failed:-?}, not run ${skipped:-0}"
    done
    [ "$found" -eq 1 ] || note "no TRX reports were written (see the output above)"
    if [ -d tests/Studio.E2ETests/artifacts ]; then
        note "browser screenshots and traces: tests/Studio.E2ETests/artifacts/"
    fi

    if [ "$status" -ne 0 ]; then
        step "FAILED (dotnet test exited with $status)"
        exit "$status"
    fi
    step "all tests passed"
}

usage() {
    cat <<EOF
Usage: ./studio.sh <command>

Commands:
  run    Start Studio on this machine at http://localhost:5080 (override with STUDIO_URLS).
         Data (SQLite database studio.db, blobs/ for videos) goes to STUDIO_DATA (default: $REPO/.data).
         Sandbox mode (the built-in provider emulator) unless RUNWAYML_API_SECRET is set.
         Needs the .NET 10 SDK and ffmpeg (installed with apt-get when run as root).
  test   Install test prerequisites (ffmpeg, chromium, node/npm), build Studio.sln once in Release
         and run every test project. Exits non-zero when any test fails.
         Browser screenshots and traces go to tests/Studio.E2ETests/artifacts/.
  help   Show this text.
EOF
}

case "${1:-help}" in
    run)  shift; cmd_run "$@" ;;
    test) shift; cmd_test "$@" ;;
    help|-h|--help) usage ;;
    *) usage >&2; exit 2 ;;
esac
