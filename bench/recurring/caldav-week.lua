-- wrk script for Radicale: one CalDAV calendar-query REPORT (Depth: 1) for a
-- time range, asking for the etag and the calendar data of each match.
-- bench/recurring/run sets BENCH_PATH (the collection, e.g. /bench/week/) and
-- BENCH_CALDAV_BODY (the REPORT body). BENCH_TOKEN is ignored (Radicale runs
-- with auth type none).
local path = os.getenv("BENCH_PATH")
local body = os.getenv("BENCH_CALDAV_BODY")
if not path or path == "" or not body or body == "" then
  error("caldav-week.lua: BENCH_PATH and BENCH_CALDAV_BODY must be set")
end

wrk.method = "REPORT"
wrk.path = path
wrk.body = body
wrk.headers["Depth"] = "1"
wrk.headers["Content-Type"] = "application/xml; charset=utf-8"
