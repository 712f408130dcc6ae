"""What campaign grouping costs comment intake: POST /v1/comments with grouping on against the
same with it off, in one run, comment by comment (the two arms in turn, which goes first
alternating, so that the machine's load hits both alike), one real Redis (a throwaway
redis-server) and the Flask app in-process with a scripted scorer, so that the model's time
does not hide the difference. "Off" is the same code with no fingerprint
(`campaigns.fingerprint` answering None, as for a text too short): the intake script then
skips the group's keys. A fifth of the comments are near-duplicates of a few campaign texts,
so that joins find groups and bands point somewhere. Prints microseconds per comment
(medians), the median of the paired differences and of the paired ratios, the fingerprint's
own time (normalising the text itself, and given the normal form intake makes once for the
scorer too, as it runs on POST), and the Redis round trips per comment.

    python bench/campaign_grouping.py [--comments 400] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from round_trips import ROUND_TRIPS  # noqa: E402  (bench/, beside this script)

from hakam.model.normalize import normalize  # noqa: E402
from hakam.service import campaigns, create_app  # noqa: E402
from hakam.service.config import Config  # noqa: E402
from hakam.service.store import keys as store_keys  # noqa: E402
from tests.redis_harness import ThrowawayRedis  # noqa: E402
from tests.service.scripted_scorer import ScriptedScorer  # noqa: E402

WORDS = ("الحكومة الشعب الحرب المدينة الأخبار الصحفي المقال الرئيس البرلمان القرار السوق "
         "الأسعار المدرسة المستشفى الطريق الماء الكهرباء الشباب المستقبل الحقيقة الإعلام "
         "الاقتصاد الأمن السلام الجيش المفاوضات اللاجئين المساعدات الشتاء الصيف").split()
CAMPAIGN_TEXTS = (
    "قاطعوا منتجات الشركة الآن وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع",
    "الحقيقة التي لا يريدونكم أن تعرفوها عن الحرب انشروا قبل الحذف فورا",
    "صوتوا ضد القرار الظالم في البرلمان وادعموا حملتنا على كل المواقع اليوم",
)


def comment_texts(count: int, seed: int) -> list[str]:
    """Ordinary comments (random words, each its own) and, one in five, a campaign's text
    with an edit: a word dropped or added, or punctuation."""
    rng = random.Random(seed)
    texts = []
    for n in range(count):
        if n % 5 == 4:
            words = rng.choice(CAMPAIGN_TEXTS).split()
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words)), rng.choice(WORDS))
            texts.append(" ".join(words) + rng.choice(("", "!!", ".", " #انشر")))
        else:
            texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18)))
                         + f" {n}")
    return texts


def _no_fingerprint(_text: str, _normalized=None) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    fingerprint = campaigns.fingerprint
    server = ThrowawayRedis().start()
    try:
        app = create_app(Config(redis_url=server.url, data_dir="/tmp/hakam-bench-campaigns",
                                flood_seconds=0, audit_rate=0.0),
                         scorer=ScriptedScorer(), start_workers=False)
        store = app.extensions["hakam.store"]
        keys = {name: store.create_site(name)[0] for name in ("off", "on")}
        client = app.test_client()
        timings: dict[str, list[float]] = {"off": [], "on": []}
        differences: list[float] = []
        ratios: list[float] = []
        trips = {"off": 0, "on": 0}
        serial = 0
        for round_number in range(args.rounds):
            # comment by comment, the two sites in turn (which goes first alternates), so that
            # the machine's load hits both arms alike; each pair is one difference
            for text in comment_texts(args.comments, round_number):
                serial += 1
                pair = {}
                for name in (("off", "on") if serial % 2 else ("on", "off")):
                    campaigns.fingerprint = fingerprint if name == "on" else _no_fingerprint
                    body = {"comment": text, "author": f"قارئ {serial}",
                            "email": f"r{serial}@example.com", "comment_post_ID": serial % 97 + 1}
                    ROUND_TRIPS.reset()
                    started = time.perf_counter()
                    answer = client.post("/v1/comments", json=body,
                                         headers={"Authorization": f"Bearer {keys[name]}"})
                    pair[name] = time.perf_counter() - started
                    trips[name] += ROUND_TRIPS.count
                    assert answer.status_code == 201, answer.get_json()
                for name in pair:
                    timings[name].append(pair[name] * 1e6)
                differences.append((pair["on"] - pair["off"]) * 1e6)
                ratios.append(pair["on"] / pair["off"])
        campaigns.fingerprint = fingerprint
        texts = comment_texts(args.comments, 99)
        started = time.perf_counter()
        for text in texts:
            fingerprint(text)
        alone = (time.perf_counter() - started) / len(texts) * 1e6
        # what intake pays: the normal form is made once for the scorer and handed over
        forms = [normalize(text) for text in texts]
        started = time.perf_counter()
        for text, form in zip(texts, forms, strict=True):
            fingerprint(text, form)
        handed = (time.perf_counter() - started) / len(texts) * 1e6
        for name in ("off", "on"):
            print(f"grouping {name:3s} median {statistics.median(timings[name]):7.0f} µs/comment,"
                  f" Redis round trips per comment {trips[name] / len(timings[name]):.2f}")
        groups = store.r.hlen(store_keys.campaigns("on"))
        print(f"grouping costs {statistics.median(differences):.0f} µs per comment (median of "
              f"the paired differences; the fingerprint alone {alone:.0f} µs, "
              f"{handed:.0f} µs given the scorer's normal form as intake hands it over); "
              f"ratio on / off: {statistics.median(ratios):.3f} (median of the paired "
              f"ratios; {args.comments} comments × {args.rounds} rounds per site; {groups} "
              "groups on the site with grouping)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
