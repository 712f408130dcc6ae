-- wrk script: the Perspective analyze call Coral Talk makes for each new comment (key in the
-- query string, TOXICITY, languages ["en"], doNotStore), here asking for SPAM too, on the
-- comments post_comments.lua sends, numbered the same way.
local texts, run = dofile((os.getenv("HAKAM_BENCH_DIR") or "bench") .. "/wrk_common.lua")
local key = os.getenv("HAKAM_BENCH_KEY") or "none"
local counter = 0

function request()
  counter = counter + 1
  local n = run * 100000000 + thread_id * 10000000 + counter
  local body = string.format(
    '{"comment": {"text": "%s (%d)"}, "requestedAttributes": {"TOXICITY": {}, "SPAM": {}}, ' ..
    '"languages": ["en"], "doNotStore": true}', texts[(n % #texts) + 1], n)
  return wrk.format("POST", "/v1alpha1/comments:analyze?key=" .. key,
                    {["Content-Type"] = "application/json"}, body)
end
