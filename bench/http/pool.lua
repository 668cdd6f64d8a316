-- wrk script of the HTTP benchmark: sends, in turn, the raw requests of a pool file (one request per
-- entry: a line with its length in bytes, then the request) and prints the run as one JSON line.
-- Usage: wrk -s pool.lua URL -- POOL_FILE [START]  (START: how many entries to skip first, for a
-- warm-up that continues where the previous run stopped)
local pool = {}
local count = 0
local next_index = 0

function init(args)
  local file = assert(io.open(args[1], "rb"))
  while true do
    local length = file:read("*l")
    if not length then break end
    count = count + 1
    pool[count] = file:read(tonumber(length))
  end
  file:close()
  assert(count > 0, "empty request pool " .. args[1])
  next_index = (tonumber(args[2]) or 0) % count
end

function request()
  next_index = next_index % count + 1
  return pool[next_index]
end

-- Latencies are in microseconds; errors.status counts answers with a status of 400 or more.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationMicros":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyMicros":{"mean":%.2f,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
