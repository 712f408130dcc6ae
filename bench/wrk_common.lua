-- What every wrk script under bench/ shares, loaded with dofile: the comments sent (realistic
-- Arabic and English ones: thanks, argument, football, an insult, an advert; the same on every
-- route measured, so routes compare), each thread's number, and the RESULT line the Python
-- side reads. Returns the texts and the run's number.
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
-- Each wrk run (the warm-up, the measured one) gets its own numbers, so none is a duplicate.
local run = tonumber(os.getenv("HAKAM_BENCH_RUN") or "0")
thread_id = 0  -- a global: setup() overrides it in each thread

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function done(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end

return texts, run
