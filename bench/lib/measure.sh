# shellcheck shell=bash disable=SC2153 # globals set by bench/run and start_server
# bench/lib/measure.sh — measuring one prepared site, and the Markdown report.

urlencode() {
  local LC_ALL=C s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [a-zA-Z0-9.~_-]) out+=$c ;;
      ' ') out+='+' ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  echo "$out"
}

wanted() { [[ $ONLY == all || ,$ONLY, == *",$1,"* ]]; }

# Runs wrk against BASE+PATH (after a warm-up) and appends a row to TSV.
# Usage: [WRK_SCRIPT=FILE] run_wrk NAME PATH (the script defaults to lua/report.lua)
run_wrk() {
  local name=$1 path=$2 out="$RAW/$BACKEND-$QUESTIONS-$1.txt" line script=${WRK_SCRIPT:-$BENCH/lua/report.lua}
  if ((WARMUP > 0)); then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${READ_HEADERS[@]}" -s "$script" "$BASE$path" >/dev/null
  fi
  local cpu_before cpu_after
  cpu_before=$(cpu_ticks "$MEASURED_PID")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${READ_HEADERS[@]}" -s "$script" "$BASE$path" >"$out"
  cpu_after=$(cpu_ticks "$MEASURED_PID")
  line=$(grep '^BENCH ' "$out") || die "wrk printed no result for $name (see $out)"
  local rps p50_ms p99_ms requests bad_status socket_errors cpu_ms
  # The line is our own report.lua's `key=number` words.
  eval "$(sed 's/^BENCH //; s/ /;/g' <<<"$line")"
  # The server's own CPU time per request: steadier than req/s when other work shares the machine.
  cpu_ms=$(awk -v t=$((cpu_after - cpu_before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN { printf "%.3f", (n > 0 ? t * 1000 / hz / n : 0) }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$BACKEND" "$QUESTIONS" "$name" "$path" "$rps" "$p50_ms" \
    "$p99_ms" "$requests" "$bad_status" "$socket_errors" "$cpu_ms" >>"$TSV"
  log "  $name: $rps req/s, p50 $p50_ms ms, p99 $p99_ms ms, server CPU $cpu_ms ms/request, $bad_status bad statuses, $socket_errors socket errors"
}

# Checks a URL answers 200 before wrk hammers it (wrk counts every answer, right or wrong). A
# page so slow that the previous run left the server busy gets a minute to drain; if it still
# fails, it is skipped with a warning (and a row of zeros), and the other pages are measured.
expect_ok() {
  local status deadline=$((SECONDS + 60))
  while :; do
    status=$(curl -s -o /dev/null --max-time 30 -w '%{http_code}' "$BASE$1") || true
    [[ $status == 200 ]] && return 0
    ((SECONDS < deadline)) || break
    sleep 2
  done
  log "  WARNING: $BASE$1 answered $status, not 200: skipped"
  printf '%s\t%s\t%s\t%s\t0\t0\t0\t0\t1\t0\t0\n' "$BACKEND" "$QUESTIONS" "$2" "$1" >>"$TSV"
  return 1
}

# The data file of lua/mixed.lua (see there): sampled questions (`id|slug` lines) and posts (ids),
# the site's tag and search, and the bench members, each signed in anew on the running server.
write_mixed_data() {
  local out=$1 questions=$2 posts=$3 id slug n cookie csrf
  {
    echo "return {"
    echo "  write_share = ${WRITE_SHARE:-0.05}, votes_only = ${VOTES_ONLY:-false},"
    printf '  tag = "%s", search = "%s",\n' "$(urlencode "$TAG")" "$SEARCH"
    echo "  questions = {"
    while IFS='|' read -r id slug; do printf '    { id = %s, path = "/questions/%s/%s" },\n' "$id" "$id" "$slug"; done \
      <"$questions"
    echo "  },"
    echo "  posts = { $(paste -sd, "$posts") },"
    echo "  members = {"
    for n in $(seq "$MEMBERS"); do
      IFS=$'\t' read -r cookie csrf < <(sign_in "$n")
      printf '    { cookie = "%s", csrf = "%s" },\n' "$cookie" "$csrf"
    done
    echo "  },"
    echo "}"
  } >"$out"
}

measure_site() {
  BACKEND=$1
  QUESTIONS=$(questions_of "$2")
  local load_before asset mixed_data hwm_reads rss_reads hwm rss anon ceiling_port ceiling_pid
  log "$BACKEND, $QUESTIONS questions: measuring (load average $(load_average))"
  load_before=$(load_average)
  start_server "$RAW/$BACKEND-$QUESTIONS-server.log"
  MEASURED_PID=$SERVER_PID
  log "  start to ready: $READY_MS ms"

  # Recorded as the reads ask for it, so the ceiling serves the same representation: with
  # --accept-encoding gzip, the compressed bytes and their Content-Encoding.
  curl -fs "${READ_HEADERS[@]}" -D "$RAW/$BACKEND-$QUESTIONS-question.headers" \
    -o "$RAW/$BACKEND-$QUESTIONS-question.html" "$BASE$QUESTION_PATH" || die "the question page $QUESTION_PATH did not answer"
  asset=$(curl -fs "$BASE/" | grep -o '/assets/[^"?]*?v=[^"]*' | head -n 1)
  [[ -n $asset ]] || die "no fingerprinted asset on the home page"

  wanted question && expect_ok "$QUESTION_PATH" question && run_wrk question "$QUESTION_PATH"
  # The same question as the API reads it (JSON, answers and comments), beside the HTML page.
  api_path="/api/v1/questions/$(cut -d/ -f3 <<<"$QUESTION_PATH")"
  wanted api_question && expect_ok "$api_path" api_question && run_wrk api_question "$api_path"
  wanted home && run_wrk home "/"
  wanted tag && expect_ok "/tags/$TAG" tag && run_wrk tag "/tags/$TAG"
  wanted page500 && expect_ok "/questions?page=$DEEP_PAGE" "page$DEEP_PAGE" && run_wrk "page$DEEP_PAGE" "/questions?page=$DEEP_PAGE"
  wanted search && expect_ok "/search?q=$SEARCH" search && run_wrk search "/search?q=$SEARCH"
  wanted similar && run_wrk similar "/questions/similar?title=$(urlencode "$SIMILAR_TITLE")"
  wanted asset && run_wrk asset "$asset"
  IFS=$'\t' read -r hwm_reads rss_reads _ < <(memory_of "$SERVER_PID")

  if wanted mixed; then
    mixed_data="$RUN_DIR/mixed-data.lua"
    write_mixed_data "$mixed_data" "$SITE_DIR/sample-questions" "$SITE_DIR/sample-posts"
    BENCH_MIXED_DATA="$mixed_data" BENCH_LUA_DIR="$BENCH/lua" WRK_SCRIPT="$BENCH/lua/mixed.lua" run_wrk mixed "/"
  fi
  # The same mix with a fifth of the requests writes (issue 24's write-heavy target).
  if wanted mixed20; then
    mixed_data="$RUN_DIR/mixed20-data.lua"
    WRITE_SHARE=0.2 write_mixed_data "$mixed_data" "$SITE_DIR/sample-questions" "$SITE_DIR/sample-posts"
    BENCH_MIXED_DATA="$mixed_data" BENCH_LUA_DIR="$BENCH/lua" WRK_SCRIPT="$BENCH/lua/mixed.lua" run_wrk mixed20 "/"
  fi
  # Votes only: every request a signed-in member's vote (up, or withdrawn) on a sampled post.
  if wanted votes; then
    mixed_data="$RUN_DIR/votes-data.lua"
    WRITE_SHARE=1 VOTES_ONLY=true write_mixed_data "$mixed_data" "$SITE_DIR/sample-questions" "$SITE_DIR/sample-posts"
    BENCH_MIXED_DATA="$mixed_data" BENCH_LUA_DIR="$BENCH/lua" WRK_SCRIPT="$BENCH/lua/mixed.lua" run_wrk votes "/"
  fi
  IFS=$'\t' read -r hwm rss anon < <(memory_of "$SERVER_PID")
  memory_breakdown "$SERVER_PID" >"$RAW/$BACKEND-$QUESTIONS-memory.txt"
  stop_server

  if wanted ceiling && [[ -x $CEILING ]]; then
    ceiling_port=$(free_port)
    "$CEILING" "127.0.0.1:$ceiling_port" "$RAW/$BACKEND-$QUESTIONS-question.html" \
      "$RAW/$BACKEND-$QUESTIONS-question.headers" 2>"$RAW/ceiling.log" &
    ceiling_pid=$!
    SERVER_PIDS+=("$ceiling_pid")
    wait_ready "http://127.0.0.1:$ceiling_port/" "$ceiling_pid" "$(now_ns)" >/dev/null || die "the ceiling did not start"
    local saved_base=$BASE
    BASE="http://127.0.0.1:$ceiling_port"
    MEASURED_PID=$ceiling_pid
    run_wrk ceiling "$QUESTION_PATH"
    BASE=$saved_base
    kill "$ceiling_pid" 2>/dev/null || true
    wait "$ceiling_pid" 2>/dev/null || true
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$BACKEND" "$QUESTIONS" "$READY_MS" "${hwm_reads:-}" \
    "${rss_reads:-}" "$hwm" "$rss" "$load_before" "$(load_average)" "$anon" >>"$RAW/sites.tsv"
}

# The Markdown report of a run folder.
write_report() {
  local raw=$1
  cat <<EOF
# Guidepost load benchmark

$(date -u '+%Y-%m-%d %H:%M UTC') · $(nproc) cores · $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM ·
wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s (after a ${WARMUP}s warm-up) on the same machine, reads asking
for ${ACCEPT_ENCODING:-no} compression ·
server RUST_LOG=${BENCH_RUST_LOG:-info} · commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+changes')

## Requests

| backend | questions | page | req/s | p50 ms | p99 ms | server CPU ms/req | errors |
|---|---:|---|---:|---:|---:|---:|---:|
EOF
  awk -F'\t' 'NR > 1 {
    printf "| %s | %\047d | %s | %\047.0f | %.2f | %.2f | %.2f | %d |\n", $1, $2, $3, $5, $6, $7, $11, $9 + $10
  }' "$raw/results.tsv"
  cat <<EOF

Server CPU is the Guidepost process only; on PostgreSQL the database server's own CPU is not in it.
A page whose every request outlived wrk's 2 s timeout shows p50/p99 0 and counts them as errors.

## Servers

| backend | questions | start to ready | RSS peak after reads | RSS peak after mixed | RSS at end | of which anonymous | question page / ceiling | load average (before → after) |
|---|---:|---:|---:|---:|---:|---:|---:|---|
EOF
  awk -F'\t' '
    FNR == NR { if (FNR > 1) rps[$1 SUBSEP $2 SUBSEP $3] = $5; next }
    {
      q = rps[$1 SUBSEP $2 SUBSEP "question"]; c = rps[$1 SUBSEP $2 SUBSEP "ceiling"]
      ratio = (q != "" && c > 0) ? sprintf("%.0f %% (%\047.0f of %\047.0f)", 100 * q / c, q, c) : "–"
      anon = ($10 != "") ? $10 " MB" : "–"
      printf "| %s | %\047d | %d ms | %s MB | %s MB | %s MB | %s | %s | %s → %s |\n", $1, $2, $3, $4, $6, $7, anon, ratio, $8, $9
    }' "$raw/results.tsv" "$raw/sites.tsv"
  cat <<EOF

## Growth from the smallest to the largest size measured

Server CPU per request is the steadier measure on a busy machine; p50 also moves with the load.

| backend | page | p50 small → large | growth | server CPU ms/req small → large | growth |
|---|---|---:|---:|---:|---:|
EOF
  awk -F'\t' 'NR > 1 && $3 != "ceiling" && $3 != "mixed" && $3 != "mixed20" {
      page = ($3 ~ /^page[0-9]+$/) ? "deep page" : $3
      k = $1 SUBSEP page
      if (!(k in smallq) || $2 < smallq[k]) { small[k] = $6; smallc[k] = $11; smallq[k] = $2 }
      if (!(k in largeq) || $2 > largeq[k]) { large[k] = $6; largec[k] = $11; largeq[k] = $2 }
      if (!(k in seen)) { seen[k] = 1; order[++n] = k }
    }
    function growth(a, b) { return (a > 0 && b > 0) ? sprintf("%+.0f %%", 100 * (b / a - 1)) : "timed out" }
    END {
      for (i = 1; i <= n; i++) {
        k = order[i]; split(k, part, SUBSEP)
        if (largeq[k] == smallq[k]) continue
        printf "| %s | %s | %.2f → %.2f ms (%\047d → %\047d) | %s | %.2f → %.2f | %s |\n", part[1], part[2],
          small[k], large[k], smallq[k], largeq[k], growth(small[k], large[k]), smallc[k], largec[k],
          growth(smallc[k], largec[k])
      }
    }' "$raw/results.tsv"
}
