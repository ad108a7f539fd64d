#!/usr/bin/env bash
# Whole-run benchmark of pinconv against the targets of issue #9: `build` on generated Shopify
# exports of 100,000 and 400,000 orders, side by side with the floor program
# (examples/floor.rs: the same work shape with no validation, no phone library) and, when
# present, an older pinconv binary kept as `bench-out/pinconv-before`; a 10-order file (start-up
# cost); and `send` against a local instant mock of the Pinterest events endpoint
# (examples/mock_capi.rs), with and without the delivery ledger.
#
#   scripts/bench.sh                                   # from the repository root; a few minutes
#   BENCH_REPEAT=1 BENCH_ORDERS=20000 BENCH_BIG_ORDERS=40000 scripts/bench.sh   # a quick smoke run
#
# Knobs: BENCH_ORDERS (100000) and BENCH_BIG_ORDERS (400000) orders in the two build inputs
# (3 line-item rows per order on average); BENCH_REPEAT (3) runs of each measurement, the
# programs alternating within each round; BENCH_BEFORE (bench-out/pinconv-before) the older
# binary, skipped when absent; BENCH_SEND=0 leaves out the send part. `send` uses the
# BENCH_ORDERS file.
#
# Keep a baseline: `cargo build --release && cp target/release/pinconv bench-out/pinconv-before`
# on the commit to compare against, then run this on the new one.
#
# The tables show the fastest run of each (the one least disturbed by other processes) with
# its CPU and peak RSS, and every run's wall time. The targets are checked at the end (`ok` or
# `MISSED`); the script does not fail on a missed target, it is a measurement.
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

ORDERS_N=${BENCH_ORDERS:-100000}
BIG_ORDERS_N=${BENCH_BIG_ORDERS:-400000}
REPEAT=${BENCH_REPEAT:-3}
BEFORE=${BENCH_BEFORE:-bench-out/pinconv-before}
SEND=${BENCH_SEND:-1}
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
cargo build --release --offline --bin pinconv --example mock_capi --example gen_shopify_export --example floor >&2
TARGET_DIR=${CARGO_TARGET_DIR:-$(cargo metadata --offline --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')}
PINCONV=$TARGET_DIR/release/pinconv
MOCK=$TARGET_DIR/release/examples/mock_capi
FLOOR=$TARGET_DIR/release/examples/floor
[[ -x $PINCONV && -x $MOCK && -x $FLOOR ]] || { echo "error: release binaries not found under \`$TARGET_DIR\`" >&2; exit 2; }

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

# measure LABEL LOG CMD... : runs CMD (stdout to /dev/null, stderr to LOG); sets WALL (s), CPU_USER, CPU_SYS (s), RSS (KiB)
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
    gnu-time) /usr/bin/time -f '%U %S %M' -o "$ru" "$@" >/dev/null 2>"$log" ;;
    python3-wait4)
        python3 -c '
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
open(sys.argv[1], "w").write("%.2f %.2f %d\n" % (ru.ru_utime, ru.ru_stime, ru.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))' "$ru" "$@" >/dev/null 2>"$log" ;;
    *) "$@" >/dev/null 2>"$log"; echo "? ? ?" >"$ru" ;;
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
cpu_pct() { awk -v u="$CPU_USER" -v s="$CPU_SYS" -v w="$WALL" 'BEGIN { if (u == "?" || w <= 0) print "?"; else printf "%.0f%%", 100 * (u + s) / w }'; }
rss_mib() { awk -v r="$RSS" 'BEGIN { if (r == "?") print "?"; else printf "%.0f", r / 1024 }'; }
per_s() { awk -v n="$1" -v w="$WALL" 'BEGIN { if (w > 0) printf "%.0f", n / w; else print "-" }'; }
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
# Rows for N orders: the generator writes 1 to 5 line-item rows per order, 3 on average; the
# order counts in the tables are the ones pinconv read.
for spec in "$((ORDERS_N * 3)):orders" "$((BIG_ORDERS_N * 3)):big" "30:tiny"; do
    n=${spec%%:*} name=${spec##*:}
    if [[ ! -s $OUT/$name.csv || $(cat "$OUT/$name.rows" 2>/dev/null) != "$n" ]]; then
        echo "== generating $OUT/$name.csv ($n line-item rows)" >&2
        "$TARGET_DIR/release/examples/gen_shopify_export" --rows "$n" --seed 1 >"$OUT/$name.csv"
        echo "$n" >"$OUT/$name.rows"
    fi
done

# ------------------------------------------------------------------------------ build
PROGRAMS=(after)
if [[ -x $BEFORE ]]; then PROGRAMS=(before after); else echo "== no \`$BEFORE\`: pinconv before is left out" >&2; fi
PROGRAMS+=(floor)
binary() { case $1 in before) echo "$BEFORE" ;; after) echo "$PINCONV" ;; floor) echo "$FLOOR" ;; esac; }

declare -A ORDERS EVENTS B_WALL B_RSS B_ALL B_CPU B_LOAD
echo "== build (programs alternate within each round)" >&2
for name in orders big tiny; do
    for p in "${PROGRAMS[@]}"; do B_WALL[$p,$name]= B_ALL[$p,$name]=; done
    for i in $(seq "$REPEAT"); do
        for p in "${PROGRAMS[@]}"; do
            log=$OUT/build-$p-$name.log
            if [[ $p == floor ]]; then
                measure "floor $name #$i" "$log" "$FLOOR" "$OUT/$name.csv"
            else
                measure "$p build $name #$i" "$log" "$(binary "$p")" build --max-age off -q -o /dev/null "$OUT/$name.csv"
            fi
            B_ALL[$p,$name]+="${B_ALL[$p,$name]:+ }$WALL"
            if [[ -z ${B_WALL[$p,$name]} ]] || awk -v a="$WALL" -v b="${B_WALL[$p,$name]}" 'BEGIN { exit !(a < b) }'; then
                B_WALL[$p,$name]=$WALL B_RSS[$p,$name]=$(rss_mib) B_CPU[$p,$name]=$(cpu_pct) B_LOAD[$p,$name]=$LOAD
            fi
        done
    done
    log=$OUT/build-after-$name.log
    ORDERS[$name]=$(field "$log" '^read [0-9]* records from [0-9]* inputs\{0,1\}: \([0-9]*\) orders.*')
    EVENTS[$name]=$(field "$log" '^ *built *\([0-9]*\) events.*')
    for p in "${PROGRAMS[@]}"; do
        WALL=${B_WALL[$p,$name]}
        row "$p $name (${ORDERS[$name]} orders)" "$WALL" "$(per_s "${ORDERS[$name]}")" "${EVENTS[$name]}" \
            "${B_RSS[$p,$name]}" "${B_CPU[$p,$name]}" "${B_LOAD[$p,$name]}" "${B_ALL[$p,$name]}"
    done
done
BUILD_ROWS=("${TABLE[@]}")
TABLE=()

# ------------------------------------------------------------------------------- send
if [[ $SEND != 0 ]]; then
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

declare -A SEND_WALL S_ALL S_RSS S_CPU S_LOAD S_ACC
LEDGER=$OUT/ledger
fresh_ledger() { rm -f "$LEDGER"-*.sqlite "$LEDGER"-*.sqlite-wal "$LEDGER"-*.sqlite-shm "$LEDGER"-*.sqlite-journal "$LEDGER"-*.sqlite.lock; }
# send_once PROGRAM KEY EXPECT_ACCEPTED ARGS...: one `send` of the BENCH_ORDERS file, checked
# (pinconv's report and the mock's count must both say EXPECT_ACCEPTED events).
send_once() {
    local p=$1 key=$2 expect=$3
    shift 3
    local log=$OUT/send-$p-$key.log report=$OUT/send-$p-$key.json before after accepted already
    before=$(mock_events)
    measure "$p send $key" "$log" "$(binary "$p")" send --max-age off -q --rate 0 --ad-account "$AD_ACCOUNT" \
        --api-base "$API_BASE" --report "$report" "$@" "$OUT/orders.csv"
    after=$(mock_events)
    accepted=$(report_num "$report" accepted)
    already=$(report_num "$report" already_sent)
    if [[ $accepted != "$expect" || $((after - before)) != "$expect" ]]; then
        echo "error: \`$p send $key\`: pinconv accepted $accepted, the mock received $((after - before)), expected $expect" >&2
        exit 1
    fi
    S_ALL[$p,$key]+="${S_ALL[$p,$key]:+ }$WALL"
    S_ACC[$p,$key]="$accepted/$already"
    if [[ -z ${SEND_WALL[$p,$key]:-} ]] || awk -v a="$WALL" -v b="${SEND_WALL[$p,$key]}" 'BEGIN { exit !(a < b) }'; then
        SEND_WALL[$p,$key]=$WALL S_RSS[$p,$key]=$(rss_mib) S_CPU[$p,$key]=$(cpu_pct) S_LOAD[$p,$key]=$LOAD
    fi
}

echo "== pinconv send (--rate 0: no rate limit; programs alternate within each round)" >&2
EV=${EVENTS[orders]}
SEND_PROGRAMS=("${PROGRAMS[@]/floor/}")
for i in $(seq "$REPEAT"); do
    for p in ${SEND_PROGRAMS[@]}; do
        send_once "$p" "c4 --no-state" "$EV" --concurrency 4 --no-state
        fresh_ledger
        send_once "$p" "c4 ledger (fresh)" "$EV" --concurrency 4 --state "$LEDGER-$p.sqlite"
        # The same input again: everything was accepted before, nothing is sent.
        send_once "$p" "c4 ledger (re-run)" 0 --concurrency 4 --state "$LEDGER-$p.sqlite"
    done
done
for key in "c4 --no-state" "c4 ledger (fresh)" "c4 ledger (re-run)"; do
    for p in ${SEND_PROGRAMS[@]}; do
        WALL=${SEND_WALL[$p,$key]}
        rate=-
        [[ $key == *re-run* ]] || rate=$(per_s "$EV")
        row "$p send $key" "$WALL" "$rate" "${S_ACC[$p,$key]}" "${S_RSS[$p,$key]}" "${S_CPU[$p,$key]}" \
            "${S_LOAD[$p,$key]}" "${S_ALL[$p,$key]}"
    done
done
fi
MOCK_CPU_TOTAL=$(mock_cpu 2>/dev/null || echo "-")

# target LABEL OK: prints the target's line.
target() { printf '  %-70s %s\n' "$1" "$([[ $2 == 1 ]] && echo ok || echo MISSED)"; }
cmp_le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? 1 : 0 }'; }

# ------------------------------------------------------------------------------ table
{
    echo
    echo "pinconv benchmark: $(nproc) cores, timing with $TIMER, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "inputs: $OUT/orders.csv ${ORDERS[orders]} orders ($(du -m "$OUT/orders.csv" | cut -f1) MiB), $OUT/big.csv ${ORDERS[big]} orders ($(du -m "$OUT/big.csv" | cut -f1) MiB), $OUT/tiny.csv ${ORDERS[tiny]} orders"
    echo
    printf "$FMT\n" "build (-q --max-age off -o /dev/null)" "wall s" "orders/s" "events" "RSS MiB" "CPU" "load" "all runs (s)"
    printf '%s\n' "${BUILD_ROWS[@]}"
    if [[ $SEND != 0 ]]; then
        echo
        printf "$FMT\n" "send ${ORDERS[orders]} orders, $EV events" "wall s" "events/s" "acc/already" "RSS MiB" "CPU" "load" "all runs (s)"
        printf '%s\n' "${TABLE[@]}"
        echo "mock_capi used $MOCK_CPU_TOTAL CPU s in all (it shares the cores with pinconv)"
    fi
    echo
    echo "fastest of $REPEAT runs each; CPU = (user + sys) / wall; load = 1-minute load average before the run"
    # The same ratio round by round: each round runs pinconv and the floor back to back, so a
    # machine that speeds up or slows down between rounds moves both; the fastest runs above
    # may come from different rounds.
    paired=$(awk -v a="${B_ALL[after,orders]}" -v b="${B_ALL[floor,orders]}" 'BEGIN {
        n = split(a, x, " "); split(b, y, " ")
        for (i = 1; i <= n; i++) r[i] = x[i] / y[i]
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
        m = n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
        printf "%.2fx (rounds:", m; for (i = 1; i <= n; i++) printf " %.2f", x[i] / y[i]; printf ")"
    }')
    echo "build ${ORDERS[orders]} orders, pinconv after / floor within each round: median $paired"
    ratio=$(awk -v a="${B_WALL[after,orders]}" -v b="${B_WALL[floor,orders]}" 'BEGIN { printf "%.2f", a / b }')
    tiny_ms=$(awk -v a="${B_WALL[after,tiny]}" 'BEGIN { printf "%.0f", a * 1000 }')
    growth=$((B_RSS[after,big] - B_RSS[after,orders]))
    echo "targets (issue #9), pinconv after:"
    target "build ${ORDERS[orders]} orders: ${ratio}x the floor's wall time (at most 1.5x)" "$(cmp_le "$ratio" 1.5)"
    target "peak RSS at ${ORDERS[big]} orders: ${B_RSS[after,big]} MiB (at most 64)" "$(cmp_le "${B_RSS[after,big]}" 64)"
    target "RSS growth ${ORDERS[orders]} -> ${ORDERS[big]} orders: $growth MiB (at most 8)" "$(cmp_le "$growth" 8)"
    target "${ORDERS[tiny]}-order file: ${B_RSS[after,tiny]} MiB (under 20), $tiny_ms ms (under 50)" \
        "$(awk -v r="${B_RSS[after,tiny]}" -v t="$tiny_ms" 'BEGIN { print (r < 20 && t < 50) ? 1 : 0 }')"
    if [[ $SEND != 0 ]]; then
        rate=$(awk -v n="$EV" -v w="${SEND_WALL[after,c4 ledger (fresh)]}" 'BEGIN { printf "%.0f", n / w }')
        target "send with the ledger (fresh, c4): $rate events/s (at least 150000)" "$(cmp_le 150000 "$rate")"
    fi
}
