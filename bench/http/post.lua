-- wrk script for bench/http/run.sh: POSTs a refunds input whose body
-- changes with every request, keeps the run_id of every 200, and at the end
-- writes one JSON summary and the acknowledged run ids.
--
-- Environment: BENCH_PATH (request path), BENCH_TAG (prefix of every
-- `order`, so the stored runs of one step can be found again),
-- BENCH_OUT (summary JSON file), BENCH_IDS (file of acknowledged run ids).

local path = os.getenv("BENCH_PATH") or "/v1/workflows/refunds/runs"
local tag = os.getenv("BENCH_TAG") or "bench"

-- Main state: one entry per thread, so done() can collect their tables.
local threads = {}
local next_thread = 1

function setup(thread)
    thread:set("thread_number", next_thread)
    table.insert(threads, thread)
    next_thread = next_thread + 1
end

-- Thread states (globals, so that done() can read them with thread:get).
counter = 0
acknowledged = {}
statuses = {}

function init(args)
    wrk.headers["Content-Type"] = "application/json"
    local key = os.getenv("BENCH_API_KEY")
    if key then
        wrk.headers["Authorization"] = "Bearer " .. key
    end
end

function request()
    counter = counter + 1
    -- Amounts 0..249: about 40% of the runs are large refunds (decision review).
    local amount = (counter * 37 + thread_number * 11) % 250
    local body = string.format('{"order":"%s-%d-%d","amount":%d}', tag, thread_number, counter, amount)
    return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
    if status == 200 then
        local id = string.match(body, '"run_id"%s*:%s*"(%w+)"')
        acknowledged[#acknowledged + 1] = id or "MISSING"
    end
end

function done(summary, latency, requests)
    local ids = io.open(os.getenv("BENCH_IDS"), "w")
    local status_totals = {}
    local acknowledged_total = 0
    for _, thread in ipairs(threads) do
        local thread_ids = thread:get("acknowledged")
        for _, id in ipairs(thread_ids) do
            ids:write(id, "\n")
        end
        acknowledged_total = acknowledged_total + #thread_ids
        for status, count in pairs(thread:get("statuses")) do
            status_totals[status] = (status_totals[status] or 0) + count
        end
    end
    ids:close()
    local status_json = {}
    for status, count in pairs(status_totals) do
        status_json[#status_json + 1] = string.format('"%d":%d', status, count)
    end
    local e = summary.errors
    local out = io.open(os.getenv("BENCH_OUT"), "w")
    out:write(string.format(
        '{"duration_s":%.3f,"requests":%d,"ok":%d,"statuses":{%s},' ..
        '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
        '"rps":%.1f,"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
        summary.duration / 1e6, summary.requests, acknowledged_total, table.concat(status_json, ","),
        e.connect, e.read, e.write, e.status, e.timeout,
        acknowledged_total / (summary.duration / 1e6),
        latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
        latency:percentile(99.9), latency.max))
    out:close()
end
