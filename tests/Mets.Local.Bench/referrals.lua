-- wrk script: unique JSON referrals (a new member each) to POST /api/referrals, the same body the intake bench sends.
--   METS_KEY=$(cat DATA/keys/api.key) wrk -t2 -c16 -d20s -s tests/Mets.Local.Bench/referrals.lua http://127.0.0.1:PORT
-- Counts non-202 answers. wrk cannot time the engine's drain: use the intake bench (docs/performance.md) for that.
local threads = {}
local run = string.format("%06X", os.time() % 16777216)

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  failed = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["x-functions-key"] = os.getenv("METS_KEY") or ""
end

function request()
  counter = counter + 1
  local n = string.format("%d%07d", id, counter)
  local body = '{"referralId":"WRK-' .. run .. '-' .. n .. '","memberId":"PLAN:W' .. run .. n .. '",'
    .. '"source":"treatingProvider","reason":"clinicalConcern","diagnoses":["F33.1"],'
    .. '"treatingProviders":[{"name":"Bench Provider","npi":"1234567893","email":"provider@example.test","role":"psychiatry"}]}'
  return wrk.format(nil, "/api/referrals", nil, body)
end

function response(status, headers, body)
  if status ~= 202 then failed = failed + 1 end
end

function done(summary, latency, requests)
  local failures = 0
  for _, t in ipairs(threads) do failures = failures + t:get("failed") end
  io.write(string.format("answers other than 202: %d\n", failures))
end
