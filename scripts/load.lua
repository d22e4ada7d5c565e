-- wrk script: every request asks for LOAD_PATH (default "/") and carries
-- COOKIE (the dashboard session cookie) when it is set. Set by
-- scripts/load.sh.
local cookie = os.getenv("COOKIE") or ""
local path = os.getenv("LOAD_PATH") or "/"

wrk.method = "GET"
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

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
