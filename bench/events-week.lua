-- wrk script for calendard's main query: one user's one-week window.
-- bench/run sets BENCH_PATH (e.g. /api/v1/calendar/events?from=...&to=...&limit=500)
-- and BENCH_TOKEN (a JWT for that user). The same script drives the nginx
-- baseline, which ignores the header and serves the saved body for any path.
local path = os.getenv("BENCH_PATH")
local token = os.getenv("BENCH_TOKEN")
if not path or path == "" then
  error("events-week.lua: BENCH_PATH is not set")
end

wrk.method = "GET"
wrk.path = path
wrk.headers["Accept"] = "application/json"
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
