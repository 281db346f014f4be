-- One login session per connection: the benchmark runs one wrk thread per connection and hands each
-- thread its own session cookie (BENCH_COOKIES, separated by "|"). done() prints one JSON line.
local cookies = {}
for c in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^|]+") do table.insert(cookies, c) end
local next_cookie = 1

function setup(thread)
  thread:set("cookie", cookies[next_cookie])
  next_cookie = next_cookie % #cookies + 1
end

function init(args)
  wrk.headers["Cookie"] = cookie
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d, "status_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
