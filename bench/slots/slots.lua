-- wrk script for the slots benchmark: the public
-- GET /api/v1/calendar/appointments/types/<id>/slots?from=&to=&timezone=
-- bench/slots/run sets BENCH_SLOTS_PATHS to a few such paths separated by
-- spaces (the same window length starting on different days); each
-- connection cycles over them, so a run does not measure one window only.
local paths = {}
for p in string.gmatch(os.getenv("BENCH_SLOTS_PATHS") or "", "%S+") do
  paths[#paths + 1] = p
end
if #paths == 0 then
  error("slots.lua: BENCH_SLOTS_PATHS is not set")
end

wrk.method = "GET"
wrk.headers["Accept"] = "application/json"

local i = 0
function request()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
