#!/usr/bin/env bash
# Whole-run benchmark of pinconv: `build` on a large synthetic Shopify export, and `send`
# against a local mock of the Pinterest events endpoint (examples/mock_capi.rs), with and
# without the delivery ledger.
#
#   scripts/bench.sh                  # from the repository root; takes a few minutes
#   BENCH_ROWS=100000 BENCH_SMALL_ROWS=25000 BENCH_REPEAT=1 scripts/bench.sh   # a quick smoke run
#
# Each measurement runs BENCH_REPEAT times (default 3); the table shows the fastest run (the one
# least disturbed by other processes) with its CPU and RSS, and every run's wall time.
#
# Scratch data goes to bench-out/ (git-ignored). Nothing but 127.0.0.1 is contacted: cargo
# runs with --offline (run `cargo fetch` once first on a fresh machine), proxy variables are
# cleared, and the mock binds 127.0.0.1 only.
#
# Peak RSS and CPU time come from GNU time (`/usr/bin/time -f`) when present, else from
# python3's os.wait4 (getrusage of that one child), else only wall time is measured.
# CPU utilisation is (user + sys) / wall: 200% means both cores of a 2-core machine were busy.
# The 1-minute load average before each run is printed too: on a shared machine, other
# processes take cores away and every figure gets worse.
set -euo pipefail

ROWS=${BENCH_ROWS:-1000000}
SMALL_ROWS=${BENCH_SMALL_ROWS:-250000}
REPEAT=${BENCH_REPEAT:-3}
OUT=bench-out
AD_ACCOUNT=123456

if [[ ! -f Cargo.toml ]] || ! grep -q '^name = "pinconv"' Cargo.toml; then
    echo "error: run this from the pinconv repository root" >&2
    exit 2
fi
mkdir -p "$OUT"

# Only loopback: no proxy may see the requests or the (fake) token.
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export PINTEREST_ACCESS_TOKEN=bench-token
unset PINCONV_CONFIG PINCONV_STATE PINCONV_NOW PINTEREST_AD_ACCOUNT_ID

# ---------------------------------------------------------------------------------- build
echo "== building release binaries" >&2
cargo build --release --offline --bin pinconv --example mock_capi --example gen_shopify_export >&2
TARGET_DIR=${CARGO_TARGET_DIR:-$(cargo metadata --offline --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')}
PINCONV=$TARGET_DIR/release/pinconv
MOCK=$TARGET_DIR/release/examples/mock_capi
[[ -x $PINCONV && -x $MOCK ]] || { echo "error: release binaries not found under \`$TARGET_DIR\`" >&2; exit 2; }

# ------------------------------------------------------------------------------ timing
if /usr/bin/time -f '%U' true 2>/dev/null; then
    TIMER=gnu-time
elif command -v python3 >/dev/null; then
    TIMER=python3-wait4
else
    TIMER=bash-only
fi
echo "== timing with: $TIMER" >&2

now_ns() { date +%s%N; }

# measure LABEL LOG CMD... : runs CMD (stderr to LOG); sets WALL (s), CPU_USER, CPU_SYS (s), RSS (KiB)
# and RC. Exit 0 and 1 are fine (1: some generated orders are rejected on purpose, e.g. no
# email); anything else stops the benchmark.
measure() {
    local label=$1 log=$2
    shift 2
    local t0 t1 ru=$OUT/rusage.txt
    LOAD=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
    echo "-- $label (load $LOAD): $*" >&2
    t0=$(now_ns)
    set +e
    case $TIMER in
    gnu-time) /usr/bin/time -f '%U %S %M' -o "$ru" "$@" 2>"$log" ;;
    python3-wait4)
        python3 -c '
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
open(sys.argv[1], "w").write("%.2f %.2f %d\n" % (ru.ru_utime, ru.ru_stime, ru.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))' "$ru" "$@" 2>"$log" ;;
    *) "$@" 2>"$log"; echo "? ? ?" >"$ru" ;;
    esac
    RC=$?
    set -e
    t1=$(now_ns)
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    read -r CPU_USER CPU_SYS RSS < <(tail -n 1 "$ru")
    if [[ $RC -ne 0 && $RC -ne 1 ]]; then
        echo "error: \`$label\` exited with $RC; its stderr:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
}

# cpu_pct: (user + sys) / wall of the last measure, in %.
cpu_pct() { awk -v u="$CPU_USER" -v s="$CPU_SYS" -v w="$WALL" 'BEGIN { if (u == "?") print "?"; else printf "%.0f%%", 100 * (u + s) / w }'; }
rss_mib() { awk -v r="$RSS" 'BEGIN { if (r == "?") print "?"; else printf "%.0f", r / 1024 }'; }
per_s() { awk -v n="$1" -v w="$WALL" 'BEGIN { printf "%.0f", n / w }'; }
# field LOG REGEX: the first number captured by a sed regex in the log.
field() { sed -n "s/$2/\1/p" "$1" | head -n 1; }
# report_num FILE KEY: a top-level-or-nested integer `"KEY": N` from a pretty-printed report.
report_num() { sed -n "s/^ *\"$2\": \([0-9]*\),\{0,1\}$/\1/p" "$1" | tail -n 1; }

# keep_best: after a measure, remembers it if it is the fastest so far (reset with BEST_WALL=).
keep_best() {
    ALL_WALLS+="${ALL_WALLS:+ }$WALL"
    if [[ -z ${BEST_WALL:-} ]] || awk -v a="$WALL" -v b="$BEST_WALL" 'BEGIN { exit !(a < b) }'; then
        BEST_WALL=$WALL BEST_USER=$CPU_USER BEST_SYS=$CPU_SYS BEST_RSS=$RSS BEST_LOAD=$LOAD
    fi
}
# use_best: the fastest run's figures become the current ones.
use_best() { WALL=$BEST_WALL CPU_USER=$BEST_USER CPU_SYS=$BEST_SYS RSS=$BEST_RSS LOAD=$BEST_LOAD; }

FMT='%-34s %8s %10s %12s %8s %6s %6s  %s'
TABLE=()
row() { TABLE+=("$(printf "$FMT" "$@")"); }

# ------------------------------------------------------------------------------- data
for spec in "$ROWS:big" "$SMALL_ROWS:small"; do
    n=${spec%%:*} name=${spec##*:}
    echo "== generating $OUT/$name.csv ($n line-item rows)" >&2
    cargo run --release --offline -q --example gen_shopify_export -- --rows "$n" --seed 1 >"$OUT/$name.csv"
done

# ------------------------------------------------------------------------------ build
echo "== pinconv build" >&2
declare -A ORDERS EVENTS
for name in small big; do
    rows=$([[ $name == big ]] && echo "$ROWS" || echo "$SMALL_ROWS")
    log=$OUT/build-$name.log
    BEST_WALL= ALL_WALLS=
    for i in $(seq "$REPEAT"); do
        measure "build $name #$i" "$log" "$PINCONV" build --max-age off -q -o /dev/null "$OUT/$name.csv"
        keep_best
    done
    use_best
    ORDERS[$name]=$(field "$log" '^read [0-9]* records from [0-9]* inputs\{0,1\}: \([0-9]*\) orders.*')
    EVENTS[$name]=$(field "$log" '^ *built *\([0-9]*\) events.*')
    records=$(field "$log" '^read \([0-9]*\) records.*')
    [[ $records == "$rows" ]] || { echo "error: build read \`$records\` records, expected $rows" >&2; exit 1; }
    row "build $rows rows (${ORDERS[$name]} orders)" "$WALL" "$(per_s "${ORDERS[$name]}")" \
        "$(per_s "$rows")" "$(rss_mib)" "$(cpu_pct)" "$LOAD" "$ALL_WALLS"
done
BUILD_ROWS=("${TABLE[@]}")
TABLE=()

# ------------------------------------------------------------------------------- send
echo "== starting mock_capi" >&2
"$MOCK" --port 0 >"$OUT/mock.out" 2>"$OUT/mock.err" &
MOCK_PID=$!
trap 'kill "$MOCK_PID" 2>/dev/null || true' EXIT
API_BASE=
for _ in $(seq 100); do
    API_BASE=$(sed -n 's/^listening on \(http:\/\/127\.0\.0\.1:[0-9]*\/v5\)$/\1/p' "$OUT/mock.out")
    [[ -n $API_BASE ]] && break
    sleep 0.05
done
[[ -n $API_BASE ]] || { echo "error: mock_capi did not start" >&2; cat "$OUT/mock.err" >&2; exit 1; }
MOCK_PORT=${API_BASE#http://127.0.0.1:}
MOCK_PORT=${MOCK_PORT%/v5}
echo "   $API_BASE (pid $MOCK_PID)" >&2

# mock_events: events the mock has received so far (GET /stats over bash's /dev/tcp).
mock_events() {
    local reply
    exec 3<>"/dev/tcp/127.0.0.1/$MOCK_PORT"
    printf 'GET /stats HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n' >&3
    reply=$(cat <&3)
    exec 3<&-
    sed -n 's/.*"events":\([0-9]*\).*/\1/p' <<<"$reply"
}
# mock_cpu: CPU seconds the mock has used so far.
CLK_TCK=$(getconf CLK_TCK)
mock_cpu() { awk -v t="$CLK_TCK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$MOCK_PID/stat"; }

declare -A SEND_WALL
# send_run LABEL KEY EXPECT_ACCEPTED FRESH ARGS...: BENCH_REPEAT `send`s of the big file, each
# checked (pinconv's report and the mock's count must both say EXPECT_ACCEPTED events); with
# FRESH=fresh the ledger is deleted before each run.
send_run() {
    local label=$1 key=$2 expect=$3 fresh=$4
    shift 4
    local log=$OUT/send-$key.log report=$OUT/send-$key.json before after c0 c1 accepted already i
    BEST_WALL= ALL_WALLS=
    for i in $(seq "$REPEAT"); do
        [[ $fresh == fresh ]] && fresh_ledger
        before=$(mock_events)
        c0=$(mock_cpu)
        measure "$label #$i" "$log" "$PINCONV" send --max-age off -q --rate 0 --ad-account "$AD_ACCOUNT" \
            --api-base "$API_BASE" --report "$report" "$@" "$OUT/big.csv"
        after=$(mock_events)
        c1=$(mock_cpu)
        accepted=$(report_num "$report" accepted)
        already=$(report_num "$report" already_sent)
        if [[ $accepted != "$expect" || $((after - before)) != "$expect" ]]; then
            echo "error: \`$label\`: pinconv accepted $accepted, the mock received $((after - before)), expected $expect" >&2
            exit 1
        fi
        echo "   accepted $accepted, already sent $already, mock cpu $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }') s" >&2
        keep_best
    done
    use_best
    SEND_WALL[$key]=$WALL
    local rate
    if [[ $accepted -gt 0 ]]; then rate=$(per_s "$accepted"); else rate="-"; fi
    row "$label" "$WALL" "$rate" "$accepted/$already" "$(rss_mib)" "$(cpu_pct)" "$LOAD" "$ALL_WALLS"
}

echo "== pinconv send (--rate 0: no rate limit)" >&2
EV=${EVENTS[big]}
LEDGER=$OUT/ledger.sqlite
fresh_ledger() { rm -f "$LEDGER" "$LEDGER-wal" "$LEDGER-shm" "$LEDGER-journal" "$LEDGER.lock"; }
# Baseline: everything but the network (build, validate, batch).
BEST_WALL= ALL_WALLS=
for i in $(seq "$REPEAT"); do
    measure "send --dry-run #$i" "$OUT/send-dry-run.log" "$PINCONV" send --dry-run --max-age off -q "$OUT/big.csv"
    keep_best
done
use_best
SEND_WALL[dry-run]=$WALL
row "send --dry-run (no network)" "$WALL" "$(per_s "$EV")" "-" "$(rss_mib)" "$(cpu_pct)" "$LOAD" "$ALL_WALLS"
for c in 1 4; do
    send_run "send c$c --no-state" "c$c-nostate" "$EV" keep --concurrency "$c" --no-state
done
for c in 1 4; do
    send_run "send c$c ledger (fresh)" "c$c-ledger" "$EV" fresh --concurrency "$c" --state "$LEDGER"
done
# The same input again with the last c4 ledger: everything was accepted before, nothing is sent.
send_run "send c4 ledger (re-run, all sent)" "c4-rerun" 0 keep --concurrency 4 --state "$LEDGER"
MOCK_CPU_TOTAL=$(mock_cpu)

overhead() {
    awk -v a="${SEND_WALL[$1]}" -v b="${SEND_WALL[$2]}" 'BEGIN { printf "%+.1f%%", 100 * (b - a) / a }'
}

# ------------------------------------------------------------------------------ table
{
    echo
    echo "pinconv benchmark: $(nproc) cores, timing with $TIMER, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "inputs: $OUT/big.csv $ROWS rows ($(du -m "$OUT/big.csv" | cut -f1) MiB), $OUT/small.csv $SMALL_ROWS rows"
    echo
    printf "$FMT\n" "build (-q --max-age off -o /dev/null)" "wall s" "orders/s" "rows/s" "RSS MiB" "CPU" "load" "all runs (s)"
    printf '%s\n' "${BUILD_ROWS[@]}"
    echo
    printf "$FMT\n" "send $ROWS rows, ${EVENTS[big]} events" "wall s" "events/s" "acc/already" "RSS MiB" "CPU" "load" "all runs (s)"
    printf '%s\n' "${TABLE[@]}"
    echo
    echo "fastest of $REPEAT runs each; CPU = (user + sys) / wall; load = 1-minute load average before the run"
    echo "ledger overhead (wall): concurrency 1 $(overhead c1-nostate c1-ledger), concurrency 4 $(overhead c4-nostate c4-ledger)"
    echo "network cost over --dry-run: concurrency 1 $(overhead dry-run c1-nostate), concurrency 4 $(overhead dry-run c4-nostate)"
    echo "mock_capi used $MOCK_CPU_TOTAL CPU s in all (it shares the cores with pinconv)"
}
