-- Prints one machine-readable line at the end of a wrk run; bench/run reads it.
-- Used alone for the single-URL runs, and loaded by mixed.lua.

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d bad_status=%d socket_errors=%d\n",
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    summary.requests,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
