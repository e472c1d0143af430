# shellcheck shell=bash
# The benchmarks behind `./dev bench [PART]`, sourced by ./dev (which sets
# ROOT and BUILD and defines wait_for_line, caught_up and now_ms). Every figure
# lands in bench-out/results/*.txt (key=value), bench-out/sweep.tsv and
# bench-out/micro/*.json; bench/report.py turns them into
# bench-out/report.md, so one part can be rerun and the report rebuilt.

BENCH_OUT=$ROOT/bench-out
BENCH_EVENTS=${KILTER_BENCH_EVENTS:-1000000}
BENCH_ACCOUNTS=${KILTER_BENCH_ACCOUNTS:-100000}
# Keyed by account, a partition holds its accounts' events; the dev broker keeps
# ~5 MiB of a partition and silently drops the rest. 0.3 keeps the hottest of 64
# partitions under 4.5 MiB for 1M events at every account count of the sweep
# (0.5 would overflow at 1k accounts, 0.7 at 100k); each Kafka run checks it.
BENCH_ZIPF=${KILTER_BENCH_ZIPF:-0.3}
BENCH_PARTITIONS=64
BENCH_SWEEP=${KILTER_BENCH_SWEEP:-1000 10000 100000 1000000}
BENCH_LATENCY_SECONDS=${KILTER_BENCH_LATENCY_SECONDS:-60}
BENCH_SPEEDUP=${KILTER_BENCH_SPEEDUP:-600}
BENCH_MIN_TIME=${KILTER_BENCH_MIN_TIME:-0.2}
# No single wait (a produce, a replay, a catch-up) may take longer than this.
BENCH_TIMEOUT=${KILTER_BENCH_TIMEOUT:-300}
BENCH_PIDS=()

say() { echo "bench: $*"; }

# Prints the error (and the tail of a log, when given) and fails the step.
bench_fail() {
  echo "bench: error: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    echo "bench: last lines of $2:" >&2
    tail -n 20 "$2" | sed 's/^/  /' >&2
  fi
  return 1
}

# Background processes this script started; the EXIT trap stops them.
bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  BENCH_PIDS=()
}

# Stops one background process (SIGTERM, then SIGKILL after 60 s).
bench_stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  bench_forget "$pid"
}

# A process that ended: the EXIT trap leaves it alone.
bench_forget() {
  local kept=() p
  for p in "${BENCH_PIDS[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  BENCH_PIDS=("${kept[@]}")
}

metrics() { curl -sf --max-time 5 "http://127.0.0.1:$1/metrics"; }

# Sum of every sample of metric $2 (all label sets) on port $1.
metric_sum() {
  metrics "$1" | awk -v m="$2" 'index($0, m) == 1 && (substr($0, length(m) + 1, 1) ~ /[ {]/) {
    s += $NF } END { printf "%.0f\n", s + 0 }'
}

# CPU seconds (user + system) process $1 has used so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$1/stat"
}

peak_rss_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }

load_average() { cut -d' ' -f1 /proc/loadavg; }

# Writes key=value lines (the remaining arguments) to results/$1.txt.
record() {
  local name=$1
  shift
  mkdir -p "$BENCH_OUT/results"
  printf '%s\n' "$@" "commit=$(bench_commit)" "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    >"$BENCH_OUT/results/$name.txt"
}

# Waits up to BENCH_TIMEOUT seconds for the command to succeed, and no longer
# than process $2 lives ("-": none to watch).
wait_until() {
  local what=$1 pid=$2 deadline=$((SECONDS + BENCH_TIMEOUT))
  shift 2
  until "$@"; do
    if [ "$pid" != - ] && ! kill -0 "$pid" 2>/dev/null; then
      bench_fail "the process died while waiting for $what"
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      bench_fail "timed out after ${BENCH_TIMEOUT}s waiting for $what"
      return 1
    fi
    sleep 0.05
  done
}

# histogram_quantile(q, metric) over a saved /metrics page, as Prometheus does
# it: linear inside the bucket the rank falls in; the highest finite bound when
# it falls in +Inf; "nan" without observations.
histogram_quantile() {
  awk -v q="$1" -v m="$2_bucket{" '
    index($0, m) == 1 {
      match($0, /le="[^"]*"/)
      n++; le[n] = substr($0, RSTART + 4, RLENGTH - 5); cum[n] = $NF
    }
    END {
      total = cum[n]
      if (n == 0 || total == 0) { print "nan"; exit }
      rank = q * total; lo = 0; below = 0
      for (i = 1; i <= n; i++) {
        if (cum[i] >= rank) {
          if (le[i] == "+Inf") { print le[i - 1]; exit }
          printf "%.4f\n", lo + (le[i] - lo) * (rank - below) / (cum[i] - below)
          exit
        }
        lo = le[i]; below = cum[i]
      }
    }' "$3"
}

# The commit measured, and whether the work tree differed from it.
bench_commit() {
  local commit
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  # The sweep's plot is copied into docs/ by the run itself.
  git -C "$ROOT" diff --quiet HEAD -- . ':!docs/bench-sweep.svg' 2>/dev/null ||
    commit="$commit (with uncommitted changes)"
  echo "$commit"
}

# The CPU, memory, kernel and library versions the figures were measured on.
bench_machine() {
  local commit
  commit=$(bench_commit)
  {
    echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "cores=$(nproc)"
    echo "ram=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel=$(uname -sr)"
    echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "compiler=$(c++ --version | head -n1)"
    echo "librdkafka=$(dpkg-query -W -f='${Version}' librdkafka-dev 2>/dev/null || echo '?')"
    echo "rocksdb=$(dpkg-query -W -f='${Version}' librocksdb-dev 2>/dev/null || echo '?')"
    echo "benchmark=$(dpkg-query -W -f='${Version}' libbenchmark-dev 2>/dev/null || echo '?')"
    echo "kcat=$(kcat -V 2>&1 | awk '$1 == "Version" { print $2; exit }')"
    echo "build=$(awk -F= '/^CMAKE_BUILD_TYPE:/ { print $2 }' "$BUILD/CMakeCache.txt")"
    echo "commit=$commit"
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "load_average=$(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$BENCH_OUT/machine.txt"
  say "machine: $(sed -n 's/^cpu=//p' "$BENCH_OUT/machine.txt"), $(nproc) cores," \
    "$(sed -n 's/^ram=//p' "$BENCH_OUT/machine.txt"), load average $(load_average)"
}

# The generated event file for $1 accounts (made once, then reused), and how
# many distinct accounts it holds (in FILE.accounts).
events_file() {
  local accounts=$1
  local file="$BENCH_OUT/load-$BENCH_EVENTS-$accounts-$BENCH_ZIPF.ndjson"
  if [ ! -s "$file" ] || [ ! -s "$file.accounts" ]; then
    timeout "$BENCH_TIMEOUT" "$BUILD/tools/loadgen/kilter-loadgen" --scenario load --seed 1 \
      --events "$BENCH_EVENTS" --accounts "$accounts" --zipf "$BENCH_ZIPF" --out "$file.tmp" \
      2>"$BENCH_OUT/loadgen.log" || bench_fail "kilter-loadgen failed" "$BENCH_OUT/loadgen.log" || return 1
    grep -o '"account":"[^"]*"' "$file.tmp" | sort -u | wc -l >"$file.accounts"
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}

# File replay: the event file through `kilterd run`, durable state, classifier
# on. $1 names the result, $2 is the file.
bench_file_run() {
  local name=$1 file=$2 dir="$BENCH_OUT/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'source: {file: %s}\nstorage: {path: %s}\nsinks: [{type: file, path: %s}]\n' \
    "$file" "$dir/state" "$dir/alerts.ndjson" >"$dir/kilter.yaml"
  local events accounts
  events=$(wc -l <"$file")
  accounts=$(cat "$file.accounts")
  say "[$name] replaying $events events of $accounts accounts ($(du -h "$file" | cut -f1))"
  local load
  load=$(load_average)
  timeout "$BENCH_TIMEOUT" /usr/bin/time -f '%e %U %S %M' -o "$dir/time" \
    "$BUILD/daemon/kilterd" run --config "$dir/kilter.yaml" 2>"$dir/kilterd.log" ||
    bench_fail "kilterd run failed or timed out" "$dir/kilterd.log" || return 1
  local wall user sys rss state
  read -r wall user sys rss <"$dir/time"
  state=$(du -sb "$dir/state" | cut -f1)
  local rate alerts
  rate=$(awk -v n="$events" -v s="$wall" 'BEGIN { printf "%.0f", n / s }')
  alerts=$(wc -l <"$dir/alerts.ndjson" 2>/dev/null || echo 0)
  record "$name" "events=$events" "accounts=$accounts" "zipf=$BENCH_ZIPF" "wall_s=$wall" \
    "cpu_s=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "rate=$rate" \
    "rss_kib=$rss" "state_bytes=$state" "alert_records=$alerts" "load_average=$load" \
    "log=$(grep -oE 'replayed .*' "$dir/kilterd.log" | head -n1)"
  say "[$name] $rate events/s ($wall s wall, $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') s CPU)," \
    "peak RSS $((rss / 1024)) MiB, state $((state / accounts)) B/account"
}

# Starts the dev broker with topic $2 and group $3's changelog topic
# ($BENCH_PARTITIONS partitions each), logs in directory $1; sets BROKER_PID
# and BROKERS.
start_broker() {
  "$BUILD/daemon/kilterd" dev-broker --topic "$2:$BENCH_PARTITIONS" \
    --topic "$3.changelog:$BENCH_PARTITIONS" >"$1/broker.out" 2>"$1/broker.log" &
  BROKER_PID=$!
  BENCH_PIDS+=("$BROKER_PID")
  BROKERS=$(wait_for_line "$1/broker.out" 10 '^[0-9.:,]+$') ||
    bench_fail "the dev broker did not start" "$1/broker.log" || return 1
}

# Starts kilterd on config $1/kilter.yaml; sets DAEMON_PID, DAEMON_PORT.
start_daemon() {
  "$BUILD/daemon/kilterd" run --config "$1/kilter.yaml" 2>"$1/kilterd.log" &
  DAEMON_PID=$!
  BENCH_PIDS+=("$DAEMON_PID")
  DAEMON_PORT=$(wait_for_line "$1/kilterd.log" 30 'listening on 127\.0\.0\.1:[0-9]+' | sed 's/.*://') ||
    bench_fail "kilterd did not start" "$1/kilterd.log" || return 1
}

kafka_config() {
  local dir=$1 topic=$2 group=$3 changelog=""
  # KILTER_BENCH_CHANGELOG=0: without the changelog (its cost, by difference).
  # KILTER_BENCH_PROPS, KILTER_BENCH_STORAGE: more of the kafka properties and of the
  # storage section, as YAML flow entries each starting with a comma (experiments).
  [ "${KILTER_BENCH_CHANGELOG:-1}" = 0 ] && changelog=', changelog_topic: ""'
  cat >"$dir/kilter.yaml" <<YAML
kafka: {brokers: "$BROKERS", group_id: $group, topics: [$topic], properties: {session.timeout.ms: "6000"${KILTER_BENCH_PROPS:-}}$changelog}
storage: {path: $dir/state${KILTER_BENCH_STORAGE:-}}
http: {listen: 127.0.0.1:0}
sinks: [{type: file, path: $dir/alerts.ndjson}]
YAML
}

events_taken() { metric_sum "$1" kilter_events_total; }
has_taken() { [ "$(events_taken "$1")" -gt 0 ]; }

# The Kafka run: $2 accounts produced by the loadgen into a fresh 64-partition
# topic, read once by `kcat -C` (the raw rate and the truth of what the topic
# holds), then by a fresh kilterd, timed from its first message to caught up.
bench_kafka_run() {
  local name=$1 accounts=$2 dir="$BENCH_OUT/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  start_broker "$dir" bench bench || return 1
  local load
  load=$(load_average)
  say "[$name] producing $BENCH_EVENTS events of $accounts accounts to a $BENCH_PARTITIONS-partition topic"
  timeout "$BENCH_TIMEOUT" "$BUILD/tools/loadgen/kilter-loadgen" --scenario load --seed 1 \
    --events "$BENCH_EVENTS" --accounts "$accounts" --zipf "$BENCH_ZIPF" \
    --brokers "$BROKERS" --topic bench 2>"$dir/loadgen.log" ||
    bench_fail "kilter-loadgen failed" "$dir/loadgen.log" || return 1
  local produced
  produced=$(grep -oE '[0-9]+ events produced' "$dir/loadgen.log" | cut -d' ' -f1)

  local t0 t1 n
  t0=$(now_ms)
  n=$(timeout "$BENCH_TIMEOUT" kcat -C -b "$BROKERS" -t bench -o beginning -e -q -X fetch.wait.max.ms=10 | wc -l)
  t1=$(now_ms)
  [ "$n" -gt 0 ] || bench_fail "kcat read nothing from the topic" "$dir/broker.log" || return 1
  local kcat_ms=$((t1 - t0))
  local raw=$((n * 1000 / kcat_ms))
  # What each partition holds: a first offset above 0 means the broker dropped data.
  timeout "$BENCH_TIMEOUT" kcat -C -b "$BROKERS" -t bench -o beginning -e -q -f '%p %o %K %S\n' |
    awk '{ c[$1]++; b[$1] += $3 + $4; if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2 }
      END { for (p in c) { if (b[p] > mb) mb = b[p]; if (lo[p] > 0) d++ }
            printf "hottest_partition_bytes=%d\ndropped_partitions=%d\n", mb, d }' >"$dir/partitions.txt"
  local hottest dropped
  hottest=$(sed -n 's/^hottest_partition_bytes=//p' "$dir/partitions.txt")
  dropped=$(sed -n 's/^dropped_partitions=//p' "$dir/partitions.txt")
  say "[$name] kcat -C read $n messages in $kcat_ms ms: $raw msg/s;" \
    "hottest partition $(awk -v b="$hottest" 'BEGIN { printf "%.2f", b / 1048576 }') MiB"
  if [ "$n" -lt "$produced" ] || [ "$dropped" -gt 0 ]; then
    say "[$name] warning: the topic holds $n of $produced events ($dropped partitions lost" \
      "their oldest data): lower KILTER_BENCH_ZIPF"
  fi

  kafka_config "$dir" bench bench
  local started
  started=$(now_ms)
  start_daemon "$dir" || return 1
  # The clock starts with the first message taken (after the group's 3 s join).
  wait_until "kilterd's first message" "$DAEMON_PID" has_taken "$DAEMON_PORT" ||
    bench_fail "kilterd took no message" "$dir/kilterd.log" || return 1
  t0=$(now_ms)
  local n0 cpu0
  n0=$(events_taken "$DAEMON_PORT") || bench_fail "no /metrics from kilterd" "$dir/kilterd.log" || return 1
  cpu0=$(cpu_seconds "$DAEMON_PID")
  wait_until "kilterd to catch up" "$DAEMON_PID" caught_up "$DAEMON_PORT" ||
    bench_fail "kilterd did not catch up" "$dir/kilterd.log" || return 1
  t1=$(now_ms)
  local taken cpu rss
  taken=$(events_taken "$DAEMON_PORT") || bench_fail "no /metrics from kilterd" "$dir/kilterd.log" || return 1
  cpu=$(awk -v a="$(cpu_seconds "$DAEMON_PID")" -v b="$cpu0" 'BEGIN { printf "%.2f", a - b }')
  rss=$(peak_rss_kib "$DAEMON_PID")
  local changelog_bytes
  changelog_bytes=$(metric_sum "$DAEMON_PORT" kilter_changelog_bytes_total)
  bench_stop "$DAEMON_PID"
  bench_stop "$BROKER_PID"
  local state rate ratio seen
  state=$(du -sb "$dir/state" | cut -f1)
  rate=$(((taken - n0) * 1000 / (t1 - t0)))
  ratio=$(awk -v a="$rate" -v b="$raw" 'BEGIN { printf "%.2f", a / b }')
  seen=$(cat "$(events_file "$accounts").accounts")
  record "$name" "events=$n" "produced=$produced" "accounts=$seen" "zipf=$BENCH_ZIPF" \
    "partitions=$BENCH_PARTITIONS" "hottest_partition_bytes=$hottest" "dropped_partitions=$dropped" \
    "kcat_ms=$kcat_ms" "kcat_rate=$raw" "daemon_messages=$taken" "daemon_ms=$((t1 - t0))" \
    "join_ms=$((t0 - started))" "rate=$rate" "ratio=$ratio" "cpu_s=$cpu" "rss_kib=$rss" \
    "state_bytes=$state" "alert_records=$(wc -l <"$dir/alerts.ndjson" 2>/dev/null || echo 0)" \
    "load_average=$load" "changelog_bytes=$changelog_bytes"
  say "[$name] kilterd took $taken messages: $rate msg/s end to end over $((t1 - t0)) ms" \
    "(${ratio}x kcat, $cpu s CPU), peak RSS $((rss / 1024)) MiB, state $((state / seen)) B/account," \
    "changelog $((changelog_bytes / (taken > 0 ? taken : 1))) B/event"
}

bench_file() {
  local file
  file=$(events_file "$BENCH_ACCOUNTS")
  bench_file_run file "$file"
}

bench_kafka() {
  events_file "$BENCH_ACCOUNTS" >/dev/null
  bench_kafka_run kafka "$BENCH_ACCOUNTS"
}

ready() { curl -sf --max-time 5 -o /dev/null "http://127.0.0.1:$1/-/ready"; }

# Event -> alert latency at half of the rate the Kafka run measured: a fresh
# topic, state and group; the loadgen paced, its event time following the wall
# clock sped up, so that the watermark crosses hourly boundaries (and raises
# alerts) every 3600/BENCH_SPEEDUP seconds while the daemon keeps up.
bench_latency() {
  local dir="$BENCH_OUT/latency" max_rate
  max_rate=${KILTER_BENCH_MAX_RATE:-$(sed -n 's/^rate=//p' "$BENCH_OUT/results/kafka.txt" 2>/dev/null || true)}
  if [ -z "$max_rate" ]; then
    say "[latency] no end-to-end rate measured yet: the Kafka run first"
    bench_kafka
    max_rate=$(sed -n 's/^rate=//p' "$BENCH_OUT/results/kafka.txt")
  fi
  local rate=$((max_rate / 2))
  local events=$((rate * BENCH_LATENCY_SECONDS))
  rm -rf "$dir" && mkdir -p "$dir"
  start_broker "$dir" latency bench-latency || return 1
  kafka_config "$dir" latency bench-latency
  # Event time runs BENCH_SPEEDUP times the wall clock: allow it to run that far ahead
  # (plus an hour), or every event after the first hour of event time is
  # future_timestamp bad input and no alert is ever raised.
  echo "pipeline: {max_future_skew: $(((BENCH_SPEEDUP * BENCH_LATENCY_SECONDS + 3599) / 3600 + 1))h}" \
    >>"$dir/kilter.yaml"
  start_daemon "$dir" || return 1
  wait_until "kilterd to be ready" "$DAEMON_PID" ready "$DAEMON_PORT" ||
    bench_fail "kilterd did not get ready" "$dir/kilterd.log" || return 1
  local load
  load=$(load_average)
  say "[latency] producing $events events at $rate/s (half of $max_rate/s) for" \
    "${BENCH_LATENCY_SECONDS}s, event time ${BENCH_SPEEDUP}x the wall clock"
  local cpu0 broker_cpu0 t0
  cpu0=$(cpu_seconds "$DAEMON_PID")
  broker_cpu0=$(cpu_seconds "$BROKER_PID")
  t0=$(now_ms)
  timeout $((BENCH_LATENCY_SECONDS * 3 + 60)) "$BUILD/tools/loadgen/kilter-loadgen" --scenario load \
    --seed 2 --events "$events" --accounts "$BENCH_ACCOUNTS" --zipf "$BENCH_ZIPF" \
    --rate "$rate" --speedup "$BENCH_SPEEDUP" --start now --brokers "$BROKERS" --topic latency \
    2>"$dir/loadgen.log" &
  local gen=$! max_lag=0 lag
  BENCH_PIDS+=("$gen")
  # Whether kilterd kept up: the deepest consumer lag seen once a second.
  while kill -0 "$gen" 2>/dev/null; do
    lag=$(metric_sum "$DAEMON_PORT" kilter_consumer_lag_messages || echo 0)
    if [ "$lag" -gt "$max_lag" ]; then max_lag=$lag; fi
    sleep 1
  done
  if ! wait "$gen"; then
    bench_fail "kilter-loadgen failed or timed out" "$dir/loadgen.log"
    return 1
  fi
  bench_forget "$gen"
  wait_until "kilterd to catch up" "$DAEMON_PID" caught_up "$DAEMON_PORT" ||
    bench_fail "kilterd did not catch up" "$dir/kilterd.log" || return 1
  local t1
  t1=$(now_ms)
  # The last alerts' histogram entries are made once their batch is written.
  sleep 1
  metrics "$DAEMON_PORT" >"$dir/metrics.txt" || bench_fail "no /metrics" "$dir/kilterd.log" || return 1
  local cpu rss broker_cpu loadgen_cpu
  cpu=$(awk -v a="$(cpu_seconds "$DAEMON_PID")" -v b="$cpu0" 'BEGIN { printf "%.2f", a - b }')
  broker_cpu=$(awk -v a="$(cpu_seconds "$BROKER_PID")" -v b="$broker_cpu0" 'BEGIN { printf "%.2f", a - b }')
  # The loadgen and the dev broker share the machine with kilterd: their CPU is
  # reported with its own (on two cores, what they take the event loop waits for).
  loadgen_cpu=$(grep -oE '[0-9.]+s CPU' "$dir/loadgen.log" | tail -n1 | tr -d 'sCPU ')
  rss=$(peak_rss_kib "$DAEMON_PID")
  bench_stop "$DAEMON_PID"
  bench_stop "$BROKER_PID"
  local m=kilter_alert_latency_seconds p50 p99 count sum
  p50=$(histogram_quantile 0.5 "$m" "$dir/metrics.txt")
  p99=$(histogram_quantile 0.99 "$m" "$dir/metrics.txt")
  count=$(awk -v m="${m}_count" '$1 == m { printf "%.0f", $2 }' "$dir/metrics.txt")
  sum=$(awk -v m="${m}_sum" '$1 == m { print $2 }' "$dir/metrics.txt")
  local taken
  taken=$(awk '/^kilter_events_total\{/ { s += $NF } END { printf "%.0f", s }' "$dir/metrics.txt")
  record latency "max_rate=$max_rate" "rate=$rate" "seconds=$BENCH_LATENCY_SECONDS" \
    "speedup=$BENCH_SPEEDUP" "events=$events" "accounts=$BENCH_ACCOUNTS" "zipf=$BENCH_ZIPF" \
    "loadgen=$(grep -oE '[0-9]+ events produced.*' "$dir/loadgen.log" | head -n1)" \
    "daemon_messages=$taken" "wall_ms=$((t1 - t0))" "cpu_s=$cpu" "rss_kib=$rss" \
    "broker_cpu_s=$broker_cpu" "loadgen_cpu_s=$loadgen_cpu" \
    "max_lag=$max_lag" "alerts=${count:-0}" "p50_s=$p50" "p99_s=$p99" \
    "mean_s=$(awk -v s="${sum:-0}" -v c="${count:-0}" 'BEGIN { if (c > 0) printf "%.4f", s / c; else print "nan" }')" \
    "alert_records=$(wc -l <"$dir/alerts.ndjson" 2>/dev/null || echo 0)" "load_average=$load"
  say "[latency] $(grep -oE '[0-9]+ events produced.*' "$dir/loadgen.log" | head -n1)"
  say "[latency] event -> alert p50 ${p50} s, p99 ${p99} s over ${count:-0} alerts;" \
    "deepest lag $max_lag messages; kilterd used $cpu s CPU, peak RSS $((rss / 1024)) MiB"
  say "[latency] the machine meanwhile ($(nproc) cores, $(((t1 - t0) / 1000)) s): dev broker" \
    "$broker_cpu s CPU, loadgen $loadgen_cpu s, kilterd $cpu s"
  if [ "${count:-0}" -eq 0 ]; then
    say "[latency] warning: no alert was raised: lengthen KILTER_BENCH_LATENCY_SECONDS"
  fi
}

# Throughput and peak RSS against the number of accounts: file replay and the
# Kafka run at each count of BENCH_SWEEP, 1M events each; then the plot.
bench_sweep() {
  local a file
  for a in $BENCH_SWEEP; do
    file=$(events_file "$a")
    bench_file_run "sweep-file-$a" "$file"
    bench_kafka_run "sweep-kafka-$a" "$a"
  done
  bench_report
  python3 "$ROOT/bench/plot.py" "$BENCH_OUT/sweep.tsv" "$BENCH_OUT/sweep.svg" ||
    bench_fail "the plot failed" || return 1
  mkdir -p "$ROOT/docs"
  cp "$BENCH_OUT/sweep.svg" "$ROOT/docs/bench-sweep.svg"
  say "[sweep] plot: bench-out/sweep.svg (copied to docs/bench-sweep.svg)"
}

# The Google Benchmark micro-benchmarks (bench/), briefly each.
bench_micro() {
  mkdir -p "$BENCH_OUT/micro"
  local b
  for b in decode classify windows rules; do
    timeout "$BENCH_TIMEOUT" "$BUILD/bench/micro/kilter_bench_$b" --benchmark_min_time="$BENCH_MIN_TIME" \
      --benchmark_out="$BENCH_OUT/micro/$b.json" --benchmark_out_format=json \
      >"$BENCH_OUT/micro/$b.txt" 2>&1 ||
      bench_fail "kilter_bench_$b failed" "$BENCH_OUT/micro/$b.txt" || return 1
  done
  python3 "$ROOT/bench/report.py" micro "$BENCH_OUT" | sed 's/^/bench: [micro] /'
}

# A partition's state moving between stores (issue 13): export as snapshot
# chunks, import into a fresh store; delta bytes per event of a replay-like
# commit stream. bench/restore_bench.cpp; figures in BENCHMARKS.md ("Restore").
bench_restore() {
  mkdir -p "$BENCH_OUT/results"
  local out=$BENCH_OUT/results/restore.txt
  say "[restore] building a partition, exporting and importing it"
  {
    echo "date=$(date -u +%FT%TZ)"
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    timeout "$BENCH_TIMEOUT" "$BUILD/bench/kilter-bench-restore" \
      --accounts "${KILTER_BENCH_RESTORE_ACCOUNTS:-20000}" --days "${KILTER_BENCH_RESTORE_DAYS:-21}" \
      --dir "$BENCH_OUT/restore-tmp"
  } >"$out.tmp" 2>&1 || {
    mv "$out.tmp" "$out.failed"
    bench_fail "kilter-bench-restore failed" "$out.failed"
    return 1
  }
  mv "$out.tmp" "$out"
  sed 's/^/bench: [restore] /' "$out"
}

bench_report() {
  python3 "$ROOT/bench/report.py" report "$BENCH_OUT" ||
    bench_fail "the report failed" || return 1
}

# Checked before anything is installed or built.
bench_check_part() {
  case "${1:-all}" in
    all | file | kafka | latency | sweep | micro | restore | report) ;;
    *)
      echo "usage: ./dev bench [all|file|kafka|latency|sweep|micro|restore|report]" >&2
      exit 2
      ;;
  esac
}

bench() {
  local part=${1:-all}
  bench_check_part "$part"
  mkdir -p "$BENCH_OUT"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  local started=$SECONDS
  # The machine summary goes with the figures: a report alone keeps the last one.
  if [ "$part" != report ] || [ ! -f "$BENCH_OUT/machine.txt" ]; then bench_machine; fi
  case "$part" in
    all)
      bench_file
      bench_kafka
      bench_latency
      bench_sweep
      bench_micro
      bench_restore
      ;;
    file) bench_file ;;
    kafka) bench_kafka ;;
    latency) bench_latency ;;
    sweep) bench_sweep ;;
    micro) bench_micro ;;
    restore) bench_restore ;;
    report) ;;
  esac
  bench_report
  say "done in $((SECONDS - started)) s: bench-out/report.md"
}