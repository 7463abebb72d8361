#!/usr/bin/env bash
# Studio developer entry point.
#   ./studio.sh run    start the studio on this machine (SQLite + local blobs, Sandbox unless an API key is set)
#   ./studio.sh test   build once and run every test project (unit, integration, browser) with Azurite for blobs
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

# Azurite, Microsoft's Azure Storage emulator, from npm into a repo-local, git-ignored folder:
# no global install, and the pinned version is the one every machine tests against.
AZURITE_VERSION=3.37.0
AZURITE_DIR="$REPO/.tools/azurite"
AZURITE_BLOB="$AZURITE_DIR/node_modules/.bin/azurite-blob"

ensure_azurite() {
    local installed=""
    if [ -f "$AZURITE_DIR/node_modules/azurite/package.json" ]; then
        installed="$(node -p "require(process.argv[1]).version" "$AZURITE_DIR/node_modules/azurite/package.json" 2>/dev/null || true)"
    fi
    if [ "$installed" != "$AZURITE_VERSION" ] || [ ! -x "$AZURITE_BLOB" ]; then
        step "npm install --prefix .tools/azurite azurite@$AZURITE_VERSION"
        mkdir -p "$AZURITE_DIR"
        npm install --prefix "$AZURITE_DIR" "azurite@$AZURITE_VERSION" --save-exact --no-audit --no-fund
        [ -x "$AZURITE_BLOB" ] || die "npm installed azurite@$AZURITE_VERSION but $AZURITE_BLOB is missing"
    fi
    # Azurite 3.37 declares node >= 22 but runs on node 20; say so, so that a start failure is easier to read.
    local node_major
    node_major="$(node -p 'process.versions.node.split(".")[0]')"
    if [ "$node_major" -lt 22 ]; then
        note "Azurite $AZURITE_VERSION asks for node >= 22; this is node $(node --version) (known to work on 20)"
    fi
    if ! have curl; then
        apt_install curl
    fi
    step "azurite-blob $AZURITE_VERSION: .tools/azurite"
}

# A loopback TCP port that nothing listens on right now (the OS picks it; the window until Azurite binds is tiny).
free_port() {
    node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# ---------------------------------------------------------------------------------------------
# Test services (scale-out parts), started for `dotnet test` and stopped by the EXIT trap.
# Azurite (blob) runs as a local process on a free port with a fresh, empty folder; the tests read
# its connection string from STUDIO_TEST_AZURITE and fail (never skip) when it is missing.
# PostgreSQL and Redis will start here too, exporting their connection strings the same way.
# stop_test_services runs from the EXIT trap, so it must be safe to call when nothing was started.
# ---------------------------------------------------------------------------------------------
AZURITE_PID=""
AZURITE_TEMP=""

start_test_services() {
    start_azurite
}

start_azurite() {
    AZURITE_TEMP="$(mktemp -d "${TMPDIR:-/tmp}/studio-azurite.XXXXXX")"
    mkdir -p "$AZURITE_TEMP/data"
    local port log="$AZURITE_TEMP/azurite.log"
    port="$(free_port)"
    [ -n "$port" ] || die "could not find a free loopback port for Azurite"

    step "starting Azurite (blob) on 127.0.0.1:$port, data in $AZURITE_TEMP/data"
    "$AZURITE_BLOB" --blobHost 127.0.0.1 --blobPort "$port" --location "$AZURITE_TEMP/data" \
        --skipApiVersionCheck --loose --silent --disableTelemetry >"$log" 2>&1 &
    AZURITE_PID=$!

    # Any HTTP answer (an anonymous listing is refused with 403) means it is up; 000 means nothing answers yet.
    local url="http://127.0.0.1:$port/devstoreaccount1?comp=list" code="000" deadline=$((SECONDS + 30))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$AZURITE_PID" 2>/dev/null; then
            die "Azurite exited while starting. The end of its log:
$(tail -n 30 "$log")"
        fi
        code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)"
        [ -n "$code" ] && [ "$code" != "000" ] && break
        sleep 0.2
    done
    if [ -z "$code" ] || [ "$code" = "000" ]; then
        die "Azurite did not answer at $url within 30 s. The end of its log:
$(tail -n 30 "$log")"
    fi

    # The well-known development account and key that every Azurite accepts (Azurite's README, "Default Storage Account").
    export STUDIO_TEST_AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
    note "STUDIO_TEST_AZURITE: BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1 (answered HTTP $code)"
}

stop_test_services() {
    if [ -n "$AZURITE_PID" ]; then
        step "stopping Azurite (pid $AZURITE_PID)"
        kill "$AZURITE_PID" 2>/dev/null || true
        local waited=0
        while kill -0 "$AZURITE_PID" 2>/dev/null && [ "$waited" -lt 50 ]; do
            sleep 0.1
            waited=$((waited + 1))
        done
        kill -9 "$AZURITE_PID" 2>/dev/null || true
        wait "$AZURITE_PID" 2>/dev/null || true
        AZURITE_PID=""
    fi
    if [ -n "$AZURITE_TEMP" ]; then
        rm -rf "$AZURITE_TEMP"
        AZURITE_TEMP=""
    fi
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
    exec dotnet run --project src/Studio.Web -c Release -- --urls "$urls" --Studio:DataDirectory "$data_dir" "$@"
}

# Moving house: copies every blob of the local folder into the Azure container of Storage:AzureBlob and verifies each.
cmd_move_blobs() {
    ensure_dotnet
    local data_dir="${STUDIO_DATA:-$REPO/.data}"
    [ -d "$data_dir" ] || die "no studio data folder at $data_dir (set STUDIO_DATA to the folder ./studio.sh run uses)"
    data_dir="$(cd "$data_dir" && pwd)"
    step "copying the blobs of $data_dir/blobs into Azure (stop the studio first, or run this again afterwards: it copies only what is missing)"
    exec dotnet run --project src/Studio.Web -c Release -- move-blobs-to-azure --Studio:DataDirectory "$data_dir" "$@"
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

    ensure_azurite

    # INT and TERM go through exit, so that the EXIT trap stops the services when the run is interrupted too.
    trap stop_test_services EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
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
  test   Install test prerequisites (ffmpeg, chromium, node/npm, and Azurite $AZURITE_VERSION from npm into
         .tools/azurite), start Azurite (blob storage emulator) on a free loopback port with an empty
         folder, build Studio.sln once in Release and run every test project against it
         (STUDIO_TEST_AZURITE carries its connection string; Azurite is stopped at the end).
         Exits non-zero when any test fails.
         Browser screenshots and traces go to tests/Studio.E2ETests/artifacts/.
  move-blobs [--Storage:AzureBlob:ConnectionString "<connection string>" | --Storage:AzureBlob:AccountUrl <url>]
         Moving house: copy every video, poster and image of the local folder (STUDIO_DATA) into the
         Azure Blob container of Storage:AzureBlob (also read from appsettings or Storage__AzureBlob__*
         environment variables), read each copy back and compare its SHA-256. Run it again to copy only
         what is missing; then start the studio with Storage:Provider=AzureBlob.
  help   Show this text.
  Settings after "run" are passed to the studio, e.g. ./studio.sh run --Storage:Provider AzureBlob
         --Storage:AzureBlob:ConnectionString "UseDevelopmentStorage=true".
EOF
}

case "${1:-help}" in
    run)  shift; cmd_run "$@" ;;
    test) shift; cmd_test "$@" ;;
    move-blobs) shift; cmd_move_blobs "$@" ;;
    help|-h|--help) usage ;;
    *) usage >&2; exit 2 ;;
esac
