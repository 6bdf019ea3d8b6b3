-- bench/soak's legitimate load: the mixed workload of mixed.lua, unchanged, with two additions.
--
-- * Every request carries an X-Forwarded-For address picked at random from BENCH_VISITORS
--   addresses (10.0.0.1 upwards): the server trusts it (GUIDEPOST_BEHIND_PROXY), so the load
--   looks like that many visitors, each well under any per-client limit.
-- * Every answer's status is counted, so the report can tell 429s and other 4xx from 5xx. The
--   end-of-run line adds those counts and wrk's socket errors by kind to report.lua's figures.
-- * With BENCH_DELAY_MS above zero, each connection waits about that long (half to one and a half
--   times, at random) before each request: a steady load instead of wrk's flat out.

dofile(os.getenv("BENCH_LUA_DIR") .. "/mixed.lua")

local visitors = tonumber(os.getenv("BENCH_VISITORS") or "10000")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local threads = {}
local mixed_setup = setup
local mixed_init = init
local mixed_request = request

function setup(thread)
  mixed_setup(thread)
  table.insert(threads, thread)
end

function init(args)
  mixed_init(args)
  statuses = {}
end

function request()
  local n = math.random(visitors)
  local address = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  local req = mixed_request()
  -- After the request line: "METHOD PATH HTTP/1.1\r\n".
  return (req:gsub("\r\n", "\r\nX-Forwarded-For: " .. address .. "\r\n", 1))
end

if delay_ms > 0 then
  function delay()
    return math.floor(delay_ms * (0.5 + math.random()))
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local by_class = { s2xx = 0, s3xx = 0, s429 = 0, s4xx = 0, s5xx = 0, other = 0 }
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses") or {}
    for status, n in pairs(counted) do
      if status == 429 then
        by_class.s429 = by_class.s429 + n
      elseif status >= 200 and status < 600 then
        local class = "s" .. math.floor(status / 100) .. "xx"
        by_class[class] = by_class[class] + n
      else
        by_class.other = by_class.other + n
      end
    end
  end
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "SOAK rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d s2xx=%d s3xx=%d s429=%d s4xx=%d s5xx=%d "
      .. "other=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, by_class.s2xx, by_class.s3xx, by_class.s429, by_class.s4xx,
    by_class.s5xx, by_class.other, errors.connect, errors.read, errors.write, errors.timeout))
end
