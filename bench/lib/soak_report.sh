#!/usr/bin/env bash
# bench/lib/soak_report.sh RAW_DIR — the Markdown report of one bench/soak run, from its raw folder
# (soak.env, intervals.tsv, counters.final, memory.tsv). bench/soak runs it; run it by hand to
# report an earlier run again.
set -euo pipefail
RAW=$1
# shellcheck source=/dev/null
source "$RAW/soak.env"
TSV="$RAW/intervals.tsv"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Column n of the measured intervals (after the warm-up), one value a line.
column() { awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i; next } $3 == "measured" { print $n }' "$TSV"; }
# Median of the lines on stdin.
median() {
  sort -g | awk '{ v[NR] = $1 } END { m = (NR == 0) ? 0 : (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf (m == int(m)) ? "%d\n" : "%.1f\n", m }'
}
# Sum of a column over every interval, warm-up included.
total() { awk -F'\t' -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) n = i; next } { s += $n } END { print s + 0 }' "$TSV"; }

measured=$(column p99_ms | wc -l)
first_p99=$(column p99_ms | head -n "$WINDOW" | median)
last_p99=$(column p99_ms | tail -n "$WINDOW" | median)
first_p50=$(column p50_ms | head -n "$WINDOW" | median)
last_p50=$(column p50_ms | tail -n "$WINDOW" | median)
first_rps=$(column rps | head -n "$WINDOW" | median)
last_rps=$(column rps | tail -n "$WINDOW" | median)
first_cpu=$(column cpu_ms_per_request | head -n "$WINDOW" | median)
last_cpu=$(column cpu_ms_per_request | tail -n "$WINDOW" | median)
first_load=$(column load1 | head -n "$WINDOW" | median)
last_load=$(column load1 | tail -n "$WINDOW" | median)
first_anon=$(column anon_mb | head -n "$WINDOW" | median)
last_anon=$(column anon_mb | tail -n "$WINDOW" | median)
first_rss=$(column rss_mb | head -n "$WINDOW" | median)
last_rss=$(column rss_mb | tail -n "$WINDOW" | median)
first_sockets=$(column sockets | head -n "$WINDOW" | median)
last_sockets=$(column sockets | tail -n "$WINDOW" | median)
peak_hwm=$(awk -F'\t' 'NR > 1 && $4 > m { m = $4 } END { print m + 0 }' "$RAW/memory.tsv")
peak_rss=$(awk -F'\t' 'NR > 1 && $2 > m { m = $2 } END { print m + 0 }' "$RAW/memory.tsv")
peak_anon=$(awk -F'\t' 'NR > 1 && $3 > m { m = $3 } END { print m + 0 }' "$RAW/memory.tsv")
# The trend of the process's own memory over the measured intervals (least squares, MB a minute).
anon_slope=$(awk -F'\t' 'NR == 1 { next } $3 == "measured" { n++; x = $2 / 60; y = $28; sx += x; sy += y; sxx += x * x; sxy += x * y }
  END { d = n * sxx - sx * sx; printf "%.2f", (n > 1 && d) ? (n * sxy - sx * sy) / d : 0 }' "$TSV")

requests=$(total requests)
legit_429=$(total s429)
legit_4xx=$(total s4xx)
legit_5xx=$(total s5xx)
legit_socket=$(total socket_errors)
legit_timeouts=$(total timeouts)
canary_n=$(total canary)
canary_failed=$(total canary_failed)
errors=$((legit_429 + legit_4xx + legit_5xx + legit_socket + canary_failed))
# The same after the warm-up only.
errors_measured=$(awk -F'\t' 'NR > 1 && $3 == "measured" { s += $11 + $12 + $13 + $14 + $17 } END { print s + 0 }' "$TSV")
abuse=$(total abuse_requests)
abuse_429=$(total abuse_429)
abuse_5xx=$(total abuse_5xx)
log_5xx=$(total log_5xx)
elapsed=$(awk -F'\t' 'END { print $2 }' "$TSV")

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%+.1f", 100 * (b / a - 1); else print "n/a" }'; }
p99_drift=$(pct "$first_p99" "$last_p99")
cpu_drift=$(pct "$first_cpu" "$last_cpu")
anon_growth=$(pct "$first_anon" "$last_anon")
rss_growth=$(pct "$first_rss" "$last_rss")
below() { awk -v v="$1" -v limit="$2" 'BEGIN { exit !(v != "n/a" && v + 0 < limit) }'; }

verdict_errors=FAIL
((errors == 0)) && verdict_errors=pass
verdict_memory=FAIL
below "$anon_growth" 10 && verdict_memory=pass
verdict_p99=FAIL
below "$p99_drift" 20 && verdict_p99=pass
verdict=FAIL
[[ $verdict_errors == pass && $verdict_memory == pass && $verdict_p99 == pass ]] && verdict=PASS

cat <<EOF
# Guidepost soak test

$(date -u '+%Y-%m-%d %H:%M UTC') · $(nproc) cores · $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM ·
commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet -- src migrations templates assets Cargo.toml Cargo.lock 2>/dev/null || echo '+changes') · $LIMIT_NOTE

\`$COMMAND\`: $BACKEND, $(printf "%'d" "$QUESTIONS") questions, $MINUTES min in ${INTERVAL}s intervals
($measured after a ${WARMUP_SECONDS}s warm-up; first and last windows of $WINDOW intervals compared), server with
GUIDEPOST_BEHIND_PROXY=true, RUST_LOG=${BENCH_RUST_LOG:-info}, a limit of ${SERVER_NOFILE:-?} open files.

- **legitimate load**: wrk -t$THREADS -c$CONNECTIONS, $( ((RATE > 0)) && echo "steady at about $RATE requests/s" || echo "flat out"), lua/mixed.lua's workload (95 % anonymous reads, 5 % writes by
  8 signed-in members) over $(printf "%'d" "$SAMPLED") sampled questions from $(printf "%'d" "$VISITORS") X-Forwarded-For addresses; plus a canary,
  one new connection a second for a question page (10 s timeout)
- **abusive clients** ($ABUSERS of each kind, each its own address, $ABUSE_RATE requests/s each, sitemaps
  40 % of it, oversized requests 20 %, never backing off): random searches, the same by a signed-in member from
  a new address each time, similar-title probes, a member's 2–20 KB previews, sitemaps, posts with a bad CSRF
  token, garbage paths, oversized bodies and headers
- **slow clients**: $LORIS slowloris connections (headers one byte a second), $SLOW_BODIES trickling a request
  body, $SLOW_READERS reading a sitemap or 20 pipelined pages 1 KB per 5 s through a 4 KB buffer

Machine before: \`$LOAD_BEFORE\`  
Machine after: \`$LOAD_AFTER\`

## Verdict: $verdict

| bar | measured | |
|---|---|---|
| no errors in the legitimate load | $errors errors in $(printf "%'d" "$requests") requests + $canary_n canary requests (5xx $legit_5xx, 429 $legit_429, other 4xx $legit_4xx, socket errors $legit_socket of which timeouts $legit_timeouts, canary failures $canary_failed); $errors_measured after the warm-up | $verdict_errors |
| flat memory (the process's own, RssAnon, last window ≤ first + 10 %) | $first_anon → $last_anon MB ($anon_growth %, trend $anon_slope MB/min); RSS $first_rss → $last_rss MB ($rss_growth %) | $verdict_memory |
| p99 drift under 20 % (median of the window's interval p99s) | $first_p99 → $last_p99 ms ($p99_drift %) | $verdict_p99 |

Also (window medians): p50 $first_p50 → $last_p50 ms; requests/s $first_rps → $last_rps; the server's CPU time per
request (any client) $first_cpu → $last_cpu ms ($cpu_drift %), steadier than latency on a shared machine; load average
$first_load → $last_load. Memory at ready
$RSS_READY MB (anonymous $ANON_READY), peak $peak_rss MB resident (VmHWM $peak_hwm, anonymous $peak_anon), at the end
(clients gone 10 s) $RSS_END MB (anonymous $ANON_END); open sockets $SOCKETS_READY at ready, $first_sockets → $last_sockets
under load (window medians), $SOCKETS_END once the clients had left (open files $FDS_READY → $FDS_END); abusive
requests $(printf "%'d" "$abuse"), of which 429 $(printf "%'d" "$abuse_429") and 5xx $abuse_5xx; 5xx answers or failures in the server's log
(any client) $log_5xx; $(printf "%'d" "$elapsed") s in all.

## Intervals

| # | end | req/s | p50 ms | p99 ms | legit errors | canary ok (p50 / max ms) | abusive req (429 / other 4xx / 5xx / dropped) | slow open (dropped) | RSS MB (anon) | sockets | server CPU (ms/req) | 5xx in log | load |
|---:|---:|---:|---:|---:|---:|---|---|---|---|---:|---|---:|---:|
EOF
awk -F'\t' 'NR > 1 {
    err = $11 + $12 + $13 + $14 + $17
    mark = ($3 == "warmup") ? " (warm-up)" : ""
    printf "| %d%s | %d:%02d | %\047.0f | %.1f | %.1f | %d | %d/%d (%.0f / %.0f) | %\047d (%\047d / %\047d / %d / %d) | %d (%d) | %.0f (%.0f) | %d | %d %% (%.2f) | %d | %s |\n",
      $1, mark, $2 / 60, $2 % 60, $4, $5, $6, err, $16 - $17, $16, $18, $19, $20, $21, $22, $23, $24, $25, $26,
      $27, $28, $31, $33, $37, $34, $36
  }' "$TSV"

cat <<EOF

Legit errors: the legitimate load's answers ≥ 400 (429 included), socket errors and timeouts
(${TIMEOUT} s), every wrk connection of an interval in which none was answered, and failed canary
requests. Server CPU: the Guidepost process's share of one core, and
its CPU time per answered request of any client.
Sockets: the server's open connections (and listener) at the interval's end.

## Abusive clients (whole run)

| client | requests | answers |
|---|---:|---|
EOF
awk '
  /^abuse\.[a-z]+\.sent / { split($1, p, "."); sent[p[2]] = $2; if (!(p[2] in seen)) { seen[p[2]] = 1; order[++n] = p[2] } }
  /^abuse\.[a-z]+\.status\./ && !/^abuse\.oversized\./ { split($1, p, "."); ans[p[2]] = ans[p[2]] sprintf("%s%s × %\047d", ans[p[2]] ? ", " : "", p[4], $2) }
  /^abuse\.oversized\.[a-z]+\.answered\./ { split($1, p, "."); ans["oversized"] = ans["oversized"] sprintf("%s%s → %s × %\047d", ans["oversized"] ? ", " : "", p[3], p[5], $2) }
  /^abuse\.[a-z]+\.(socket_error|[a-z]+\.closed_without_answer) / { split($1, p, "."); what = (p[3] == "socket_error") ? "socket errors" : p[3] " closed without an answer"
    ans[p[2]] = ans[p[2]] sprintf("%s%s × %\047d", ans[p[2]] ? ", " : "", what, $2) }
  /^abuse\.[a-z]+\.429_without_retry_after / { split($1, p, "."); ans[p[2]] = ans[p[2]] sprintf("%s**429 without Retry-After × %d**", ans[p[2]] ? ", " : "", $2) }
  END { for (i = 1; i <= n; i++) printf "| %s | %\047d | %s |\n", order[i], sent[order[i]], ans[order[i]] }
' "$RAW/counters.final"

cat <<EOF

## Slow clients (whole run)

| client | connections | dropped by the server | held before the drop (mean / max s) | answers |
|---|---:|---:|---|---|
EOF
awk '
  /^slow\.[a-z]+\./ { split($1, p, "."); k = p[2]; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
  /^slow\.[a-z]+\.opened / { split($1, p, "."); opened[p[2]] = $2 }
  /^slow\.[a-z]+\.closed_by_server / { split($1, p, "."); dropped[p[2]] = $2 }
  /^slow\.[a-z]+\.held_ms_total / { split($1, p, "."); held[p[2]] = $2 }
  /^gauge\.slow\.[a-z]+\.held_s_max / { split($1, p, "."); hmax[p[3]] = $2 }
  /^slow\.[a-z]+\.status\./ { split($1, p, "."); ans[p[2]] = ans[p[2]] sprintf("%s%s × %\047d", ans[p[2]] ? ", " : "", p[4], $2) }
  /^slow\.reader\.bytes / { bytes = $2 }
  END {
    for (i = 1; i <= n; i++) {
      k = order[i]
      mean = dropped[k] ? sprintf("%.1f", held[k] / 1000 / dropped[k]) : "–"
      extra = (k == "reader") ? sprintf(" (%\047d bytes read)", bytes) : ""
      printf "| %s | %\047d | %\047d | %s / %s | %s%s |\n", k, opened[k], dropped[k], mean, dropped[k] ? hmax[k] + 0 : "–", ans[k] ? ans[k] : "none", extra
    }
  }
' "$RAW/counters.final"

cat <<EOF

## Server log

Warnings and errors by kind (numbers shown as N; the access log's 4xx lines are at INFO and not
here):

\`\`\`
$(if [[ -s $RAW/server-log-summary.txt ]]; then head -n 15 "$RAW/server-log-summary.txt"; else echo "(none)"; fi)
\`\`\`

Raw files: \`$(realpath --relative-to="$ROOT" "$RAW")/\` (intervals.tsv, memory.tsv every 5 s, wrk-N.txt,
canary.tsv, adversaries.counters and .log, server-statuses.txt, server-log-summary.txt and -problems.txt,
memory-breakdown.txt).
EOF
