# shellcheck shell=bash disable=SC2034 # SERVER_PID, BASE and READY_MS are read by measure.sh
# bench/lib/common.sh — small shared pieces of bench/run: logging, tools, building, servers.

# Set by start_server: the server's process id, its base URL and its start-to-ready milliseconds.
SERVER_PID=''
MEASURED_PID=''
BASE=''
READY_MS=''

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf 'bench: %s\n' "$*" >&2
  exit 1
}

# "10k" -> 10000, "1m" -> 1000000, "2500" -> 2500.
questions_of() {
  local size=${1,,}
  case $size in
    *k) echo $((${size%k} * 1000)) ;;
    *m) echo $((${size%m} * 1000000)) ;;
    '' | *[!0-9]*) die "bad size: $1 (e.g. 10k, 100k, 1m)" ;;
    *) echo "$size" ;;
  esac
}

as_root() {
  if ((EUID == 0)); then "$@"; else sudo "$@"; fi
}

# Installs what the bench needs from Debian when it is missing.
ensure_tools() {
  local missing=() backend
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  for backend in "$@"; do
    case $backend in
      sqlite) command -v sqlite3 >/dev/null || missing+=(sqlite3) ;;
      postgres) command -v psql >/dev/null || missing+=(postgresql-client) ;;
    esac
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]} from Debian"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v cargo >/dev/null || die "cargo is missing: install a Rust toolchain (https://rustup.rs)"
}

# The product's release binary.
build_guidepost() {
  log "building the release binary"
  (cd "$ROOT" && cargo build --release --quiet --bin guidepost)
}

# The product's release binary, and the ceiling built against the product's Cargo.lock.
build_binaries() {
  build_guidepost
  log "building the ceiling"
  cp "$ROOT/Cargo.lock" "$BENCH/ceiling/Cargo.lock"
  cargo build --release --quiet --manifest-path "$BENCH/ceiling/Cargo.toml" --target-dir "$TARGET_DIR"
}

# A port nothing listens on now (the server is told to bind it; a lost race fails loudly).
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

now_ns() { date +%s%N; }

# Waits until URL answers 200; prints the milliseconds since START_NS. Fails after 120 s or when
# the process PID has died.
wait_ready() {
  local url=$1 pid=$2 start_ns=$3
  local deadline=$(($(now_ns) + 120000000000))
  while (($(now_ns) < deadline)); do
    if curl -fso /dev/null --max-time 1 "$url"; then
      echo $((($(now_ns) - start_ns) / 1000000))
      return
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.005
  done
  return 1
}

# Starts `guidepost serve` for a site (SITE_DIR, DB_URL set by prepare_site) on a free port.
# Sets SERVER_PID, BASE and READY_MS. The server's log goes to LOG_FILE.
start_server() {
  local log_file=$1 port start_ns
  port=$(free_port)
  BASE="http://127.0.0.1:$port"
  mkdir -p "$RUN_DIR/mail"
  start_ns=$(now_ns)
  # Mail (answer notifications to seeded askers) goes to a throw-away folder, not the cached site.
  # The mixed workload's few members post far faster than people do: the per-member posting
  # limits (README, Moderation) are lifted, or most of its writes would be 429s.
  GUIDEPOST_DATA_DIR="$SITE_DIR" \
    GUIDEPOST_ANSWERS_PER_HOUR=0 \
    GUIDEPOST_VOTES_PER_HOUR=0 \
    GUIDEPOST_DATABASE_URL="$DB_URL" \
    GUIDEPOST_BIND="127.0.0.1:$port" \
    GUIDEPOST_BASE_URL="$BASE" \
    GUIDEPOST_MAIL_URL="file://$RUN_DIR/mail" \
    RUST_LOG="${BENCH_RUST_LOG:-info}" \
    "$GUIDEPOST" serve >"$log_file" 2>&1 &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  if ! READY_MS=$(wait_ready "$BASE/readyz" "$SERVER_PID" "$start_ns"); then
    tail -n 20 "$log_file" >&2
    die "the server did not become ready (log: $log_file)"
  fi
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

# Where a process's resident memory is, largest first: the heap and other anonymous memory, the
# search index's files by kind (mapped into memory), the binary and the libraries.
memory_breakdown() {
  awk '/^[0-9a-f]+-/ {
         name = $6; n = split(name, part, ".")
         kind = name == "" ? "anonymous" : (name ~ /\/search\// ? "search index ." part[n] : name)
       }
       /^Rss:/ { kb[kind] += $2 }
       END { for (k in kb) if (kb[k] >= 1024) printf "%8.1f MB  %s\n", kb[k] / 1024, k }' "/proc/$1/smaps" |
    sort -rn
}

# VmHWM (peak), VmRSS and RssAnon of a process, in MB. RssAnon leaves out the pages of files
# mapped into memory (the search index is read through mmap, so VmRSS grows with the index).
memory_of() {
  awk '/^VmHWM:/ { hwm = $2 } /^VmRSS:/ { rss = $2 } /^RssAnon:/ { anon = $2 }
    END { printf "%.0f\t%.0f\t%.0f\n", hwm / 1024, rss / 1024, anon / 1024 }' "/proc/$1/status"
}

# User plus system CPU time of a process so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

load_average() { cut -d' ' -f1-3 /proc/loadavg; }
