#!/usr/bin/env bash
# A benchmark anyone can rerun: pnyx side by side with Zola and Hugo on the same markdown, then
# pnyx alone on a city (cold, warm, warm after one new statement). See docs/benchmarks.md.
#
#   scripts/bench.sh                       # everything, 5 runs each
#   N=10000 RUNS=3 CITY=0 scripts/bench.sh # the markdown corpus only
#
# Environment:
#   N                  pages of the markdown corpus (10000)
#   RUNS               runs of each build (5); the table shows the median and min–max
#   BENCH_DIR          work folder (/dev/shm/pnyx-bench when /dev/shm exists, else
#                      ${TMPDIR:-/tmp}/pnyx-bench); every tool writes its output there too
#   ZOLA, HUGO         the binaries (else `zola`, `hugo` on PATH; a missing one is skipped)
#   CITY               0 skips the city
#   CITY_N             items of the city (10000)
#   CITY_STATEMENTS    signed statements of the city (1000000); 0 builds a city without
#                      statements and skips the one-new-statement build
#   CITY_REGEN         1 writes the city again even when BENCH_DIR holds one of that size
#   SOURCE_DATE_EPOCH  the builds' "now" (1767225600, 2026-01-01T00:00:00Z)
#
# Needs GNU time (Debian package `time`) for wall time and peak memory: /usr/bin/time -f '%e %M'.
# Pages counted = the .html files in each output folder after the build. pnyx writes more than
# one .html file per markdown page (a history page per item, and site pages: search, members,
# agenda…), so the table also shows "src/s": markdown pages of the corpus (items of the city)
# per second.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

N=${N:-10000}
RUNS=${RUNS:-5}
CITY=${CITY:-1}
CITY_N=${CITY_N:-10000}
CITY_STATEMENTS=${CITY_STATEMENTS:-1000000}
CITY_REGEN=${CITY_REGEN:-0}
if [[ -z ${BENCH_DIR:-} ]]; then
    if [[ -d /dev/shm && -w /dev/shm ]]; then
        BENCH_DIR=/dev/shm/pnyx-bench
    else
        BENCH_DIR=${TMPDIR:-/tmp}/pnyx-bench
    fi
fi
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1767225600}
export PNYX_PROGRESS=0
unset PNYX_TIMINGS
# pnyx keeps the verification cache's sealing key in $PNYX_HOME: keep the benchmark's apart.
export PNYX_HOME=$BENCH_DIR/pnyx-home

if [[ ! -x /usr/bin/time ]]; then
    echo "bench: /usr/bin/time is missing: install GNU time (Debian: apt-get install time)" >&2
    exit 1
fi

find_tool() { # NAME ENV_VALUE: prints the binary's path, or nothing
    local name=$1 given=$2
    if [[ -n $given ]]; then
        if [[ -x $given ]]; then echo "$given"; else echo "bench: $name=$given is not executable" >&2; fi
    else
        command -v "$name" || true
    fi
}
ZOLA=$(find_tool zola "${ZOLA:-}")
HUGO=$(find_tool hugo "${HUGO:-}")

echo "== building pnyx (release)" >&2
nice -n 19 cargo build --release --example city --example pages
nice -n 19 cargo build --release
target=${CARGO_TARGET_DIR:-$repo/target}
PNYX=$target/release/pnyx
PAGES=$target/release/examples/pages
CITYGEN=$target/release/examples/city

mkdir -p "$BENCH_DIR" "$PNYX_HOME"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
out=$BENCH_DIR/out # every output folder, on the same file system as the sources
tf=$BENCH_DIR/time.txt
log=$BENCH_DIR/last.log

# Results, by label: the wall times and peak RSS (KiB) of every run, the .html pages written,
# and the markdown pages behind them (0 when it does not apply).
declare -A WALL RSS HTML MD
LABELS=()

# run_once LABEL OUTDIR MDPAGES CMD...: one timed build into a fresh OUTDIR.
run_once() {
    local label=$1 dest=$2 md=$3
    shift 3
    rm -rf "$dest"
    if ! /usr/bin/time -f '%e %M' -o "$tf" "$@" >"$log" 2>&1; then
        echo "bench: $label failed:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    local e m
    read -r e m < <(tail -n 1 "$tf")
    if [[ -z ${WALL[$label]+x} ]]; then
        LABELS+=("$label")
        WALL[$label]=""
        RSS[$label]=""
    fi
    WALL[$label]+=" $e"
    RSS[$label]+=" $m"
    HTML[$label]=$(find "$dest" -type f -name '*.html' | wc -l)
    MD[$label]=$md
    printf '  %-34s run %d/%d: %6.2f s, %5d MiB, %d .html\n' "$label" "$run" "$RUNS" "$e" \
        $((m / 1024)) "${HTML[$label]}" >&2
}

# stats "t1 t2 …": prints median min max
stats() {
    tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '
        { v[NR] = $1 }
        END {
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.2f %.2f %.2f\n", med, v[1], v[NR]
        }'
}

# ------------------------------------------------------------------ the markdown corpus
corpus=$BENCH_DIR/pages-$N
echo "== writing the markdown corpus: $N pages in $corpus" >&2
rm -rf "$corpus"
"$PAGES" "$corpus" "$N"
# pnyx keeps its caches (pages, search index) only in a git repository, as a council's site is.
git -C "$corpus/pnyx" init -q
git -C "$corpus/pnyx" add -A
GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org GIT_COMMITTER_NAME=Bench \
    GIT_COMMITTER_EMAIL=bench@example.org GIT_AUTHOR_DATE="@1767139200 +0000" \
    GIT_COMMITTER_DATE="@1767139200 +0000" git -C "$corpus/pnyx" commit -q -m "the corpus"

tools=(pnyx)
if [[ -n $ZOLA ]]; then
    # Zola twice: as configured (no search index, as Hugo), and with its search index, which
    # pnyx always makes: the same site with `build_search_index = true`.
    tools+=(zola zola-search)
    rm -rf "$corpus/zola-search"
    cp -r "$corpus/zola" "$corpus/zola-search"
    sed -i 's/^build_search_index = false$/build_search_index = true/' "$corpus/zola-search/config.toml"
else
    echo "bench: zola not found, skipped. Set ZOLA=/path/to/zola, or build it outside this" \
        "repository: git clone https://github.com/getzola/zola && cd zola && cargo build --release" \
        "(then ZOLA=\$PWD/target/release/zola)" >&2
fi
if [[ -n $HUGO ]]; then
    tools+=(hugo)
else
    echo "bench: hugo not found, skipped. Install it (Debian: apt-get install hugo) or set HUGO=/path/to/hugo" >&2
fi

label_of() { # TOOL: the table's label
    case $1 in
    pnyx) echo "pnyx $(git -C "$repo" describe --always --dirty --exclude '*' 2>/dev/null || echo '?')" ;;
    zola) "$ZOLA" --version 2>/dev/null | head -n 1 ;;
    zola-search) echo "$("$ZOLA" --version 2>/dev/null | head -n 1), search index" ;;
    hugo) "$HUGO" version 2>/dev/null | awk '{print "hugo " $2}' ;;
    esac
}
declare -A LABEL
for t in "${tools[@]}"; do LABEL[$t]="md: $(label_of "$t")"; done

echo "== markdown corpus, $RUNS runs (tools interleaved)" >&2
for ((run = 1; run <= RUNS; run++)); do
    for t in "${tools[@]}"; do
        case $t in
        pnyx)
            # Without the caches of the run before (Zola and Hugo keep none), then with them:
            # the search index of the same pages is kept.
            rm -rf "$corpus/pnyx/.pnyx-cache"
            run_once "${LABEL[$t]}" "$out/pnyx" "$N" "$PNYX" --root "$corpus/pnyx" build --out "$out/pnyx"
            run_once "${LABEL[$t]}, caches kept" "$out/pnyx" "$N" "$PNYX" --root "$corpus/pnyx" build --out "$out/pnyx"
            ;;
        zola | zola-search) run_once "${LABEL[$t]}" "$out/$t" "$N" "$ZOLA" --root "$corpus/$t" build --output-dir "$out/$t" ;;
        hugo) run_once "${LABEL[$t]}" "$out/hugo" "$N" "$HUGO" --source "$corpus/hugo" --destination "$out/hugo" --quiet ;;
        esac
    done
done

# ------------------------------------------------------------------ the city
if [[ $CITY != 0 ]]; then
    city=$BENCH_DIR/city-$CITY_N-$CITY_STATEMENTS
    stamp=$BENCH_DIR/city-$CITY_N-$CITY_STATEMENTS.stamp
    git_city() {
        GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org \
            GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org \
            git -C "$city" "$@"
    }
    if [[ $CITY_REGEN != 0 || ! -f $stamp || ! -d $city ]]; then
        echo "== writing the city: $CITY_N items, $CITY_STATEMENTS statements in $city (once; reused by later runs)" >&2
        rm -rf "$city" "$stamp"
        "$CITYGEN" "$city" "$CITY_N" "$CITY_STATEMENTS"
        if [[ $CITY_STATEMENTS != 0 ]]; then git_city rev-parse HEAD >"$stamp"; else : >"$stamp"; fi
    elif [[ $CITY_STATEMENTS != 0 ]]; then
        # Undo what an interrupted "one new statement" step may have left.
        git_city reset -q --hard "$(cat "$stamp")"
        git_city clean -fdq -- signatures content
    fi
    echo "== city, $RUNS runs" >&2
    for ((run = 1; run <= RUNS; run++)); do
        rm -rf "$city/.pnyx-cache"
        run_once "city: cold (no cache)" "$out/city" "$CITY_N" "$PNYX" --root "$city" build --out "$out/city"
        run_once "city: warm (nothing changed)" "$out/city" "$CITY_N" "$PNYX" --root "$city" build --out "$out/city"
        if [[ $CITY_STATEMENTS != 0 ]]; then
            # One new statement: a new key supports initiative-1 (open until 2027), committed a
            # day after the city's last commit. Key, signature and commit are not timed.
            base=$(cat "$stamp")
            key=$BENCH_DIR/bench-key-$run.key
            rm -f "$key"
            "$PNYX" --root "$city" keygen --no-password --secret-key "$key" >/dev/null 2>&1
            "$PNYX" --root "$city" sign initiative-1 --secret-key "$key" >/dev/null 2>&1
            when="@$(($(git_city log -1 --format=%ct "$base") + 86400)) +0000"
            git_city add signatures
            GIT_AUTHOR_DATE=$when GIT_COMMITTER_DATE=$when git_city commit -q -m "bench: one new statement"
            run_once "city: warm + 1 new statement" "$out/city" "$CITY_N" "$PNYX" --root "$city" build --out "$out/city"
            git_city reset -q --hard "$base"
            git_city clean -fdq -- signatures
            rm -f "$key"
        fi
    done
fi

# ------------------------------------------------------------------ the table
echo
echo "Markdown corpus: $N pages of ~7 KB in 8 sections.$([[ $CITY != 0 ]] && echo " City: $CITY_N items, $CITY_STATEMENTS statements.")"
echo "$(nproc) cores, $RUNS runs each, output on $(df -P "$BENCH_DIR" | awk 'NR == 2 {print $1}') ($BENCH_DIR)."
echo "pages = .html files in the output folder; src/s = source pages per second (the corpus's markdown pages, the city's items);"
echo "RSS = the highest peak resident memory of the runs. Every output folder is removed before each run."
echo
printf '| %-34s | %8s | %13s | %6s | %8s | %8s | %8s |\n' tool "median s" "min–max s" pages pages/s src/s "RSS MiB"
printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(printf -- '-%.0s' {1..34})" "-------:" "------------:" "-----:" "-------:" "-------:" "-------:"
declare -A PPS MPS
for l in "${LABELS[@]}"; do
    read -r med lo hi < <(stats "${WALL[$l]}")
    rss=$(tr ' ' '\n' <<<"${RSS[$l]}" | grep . | sort -n | tail -n 1)
    PPS[$l]=$(awk -v p="${HTML[$l]}" -v t="$med" 'BEGIN { printf "%.0f", (t > 0) ? p / t : 0 }')
    MPS[$l]=$(awk -v p="${MD[$l]}" -v t="$med" 'BEGIN { printf "%.0f", (t > 0) ? p / t : 0 }')
    printf '| %-34s | %8s | %13s | %6s | %8s | %8s | %8s |\n' "$l" "$med" "$lo–$hi" "${HTML[$l]}" \
        "${PPS[$l]}" "${MPS[$l]}" "$((rss / 1024))"
done
echo
p=${LABEL[pnyx]}
for t in zola zola-search hugo; do
    [[ -n ${LABEL[$t]:-} ]] || continue
    o=${LABEL[$t]}
    awk -v a="${PPS[$p]}" -v b="${PPS[$o]}" -v c="${MPS[$p]}" -v d="${MPS[$o]}" -v t="$t" 'BEGIN {
        if (b > 0 && d > 0) printf "pnyx ÷ %s: %.2f× in pages/s (.html files), %.2f× in markdown pages/s\n", t, a / b, c / d }'
done
