-- wrk script: POST realistic Arabic and English comments, each with its own author, email,
-- IP and text (so neither the duplicate nor the flood rule answers instead of the pipeline).
local texts, run = dofile((os.getenv("HAKAM_BENCH_DIR") or "bench") .. "/wrk_common.lua")
-- HAKAM_BENCH_KEY: one site's key, or several separated by commas (taken in turn, so the
-- comments spread over those sites and, on a cluster, over the masters their keys live on)
local site_keys = {}
for site_key in string.gmatch(os.getenv("HAKAM_BENCH_KEY") or "none", "[^,]+") do
  site_keys[#site_keys + 1] = site_key
end
local counter = 0
function request()
  counter = counter + 1
  local n = run * 100000000 + thread_id * 10000000 + counter
  local body = string.format(
    '{"comment": "%s (%d)", "author": "قارئ %d", "email": "r%d@example.com", ' ..
    '"comment_post_ID": %d, "author_ip": "10.%d.%d.%d"}',
    texts[(n % #texts) + 1], n, n, n, n % 50 + 1, math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", "/v1/comments", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. site_keys[(n % #site_keys) + 1],
  }, body)
end
