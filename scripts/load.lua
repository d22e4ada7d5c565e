-- wrk script: every request carries the dashboard session cookie and asks
-- for LOAD_PATH (default "/"). Set by scripts/load.sh.
local cookie = os.getenv("COOKIE") or ""
local path = os.getenv("LOAD_PATH") or "/"

wrk.method = "GET"
wrk.headers["Cookie"] = cookie

request = function()
  return wrk.format(nil, path)
end

local non200 = 0
response = function(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("non-200 responses: %d\n", non200))
end
