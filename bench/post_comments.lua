-- wrk script: POST realistic Arabic and English comments, each with its own author, email,
-- IP and text (so neither the duplicate nor the flood rule answers instead of the pipeline).
local texts = {
  "شكرا على هذا التقرير المفصل، نتمنى متابعة القضية في الأيام القادمة",
  "المقال ممتاز لكن ينقصه رأي الخبراء في الاقتصاد المحلي",
  "والله كلام صحيح، الحكومة لازم تتحرك بسرعة قبل فوات الأوان",
  "Great reporting, thank you. Will there be a follow-up on the budget vote?",
  "I disagree with the author about the transport plan, buses are cheaper than trams.",
  "مبروك للفريق على الفوز، أداء رائع في الشوط الثاني",
  "يا حمار انت ما تفهم شي، اسكت احسن لك",
  "اربح الآن جوائز مجانية! تواصل واتساب 0555123456 www.example-prize.com",
}
-- HAKAM_BENCH_KEY: one site's key, or several separated by commas (taken in turn, so the
-- comments spread over those sites and, on a cluster, over the masters their keys live on)
local site_keys = {}
for site_key in string.gmatch(os.getenv("HAKAM_BENCH_KEY") or "none", "[^,]+") do
  site_keys[#site_keys + 1] = site_key
end
-- Each wrk run (the warm-up, the measured one) gets its own numbers, so none is a duplicate.
local run = tonumber(os.getenv("HAKAM_BENCH_RUN") or "0")
local counter = 0
thread_id = 0  -- a global: setup() overrides it in each thread

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

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

function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
