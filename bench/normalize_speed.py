"""How long normalize() takes per comment, against plain NFKC + casefold measured in the same run.

The scorer's whole budget is 250 µs p50 per comment; the normaliser's share is 60 µs for a
typical 150-character comment. Run: python bench/normalize_speed.py
"""

from __future__ import annotations

import statistics
import time
import unicodedata

from hakam.model.normalize import normalize

COMMENTS = [
    "والله مقال رائع جدا، شكرا للكاتب على هذا التحليل الدقيق للأوضاع الاقتصادية في المنطقة "
    "ونتمنى المزيد من هذه المقالات المفيدة",
    "الحكومة لازم تراجع قراراتها بخصوص الأسعار، الناس تعبت من الغلاء والرواتب ما تكفي شي. "
    "يا ريت حد يسمع صوتنا",
    "أنت كَلْب وحمار ولا تفهم شيئاً في السياسة!!! اسكت أحسن لك يا غبي",
    "This is a really thoughtful piece on the election results; I disagree with the second "
    "half but the numbers are well sourced.",
    "Great article!!! Make $5000 a week from home, visit www . bestjobs . com or call "
    "+1 555 123 4567 now",
    "you are such an id10t, f.u.c.k off and stop posting this garbage on every single article",
    "3ayez a2ollak en el maqal da gamed gedan, bas el ra2y beta3ak mesh sa7 5ales ya 7abibi",
    "ربح مضمون من البيت تواصل واتساب ٠٥٥١٢٣٤٥٦٧ او زوروا موقعنا hxxp://bit . ly/abc",
    "الحقيقة أن ما جاء في التقرير يحتاج إلى مراجعة… فالأرقام التي ذكرها الوزير لا تتفق مع ما "
    "نشرته الهيئة العامة للإحصاء الشهر الماضي، ولا مع ما يراه المواطن في السوق",
    "I have been reading this paper for twenty years and this is the first time I feel the "
    "editorial board has simply ignored what its readers in the north have been saying.",
]


def per_call_microseconds(function, texts, rounds=300) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            function(text)
        samples.append((time.perf_counter() - start) / len(texts) * 1e6)
    return statistics.median(samples)


def baseline(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def main() -> None:
    for text in COMMENTS:  # warm caches the way a long-running worker has them
        normalize(text)
    ours = per_call_microseconds(normalize, COMMENTS)
    base = per_call_microseconds(baseline, COMMENTS)
    length = statistics.mean(len(t) for t in COMMENTS)
    print(f"comments: {len(COMMENTS)}, mean length {length:.0f} chars")
    print(f"normalize: {ours:.1f} µs per comment (median of rounds; target <= 60 µs)")
    print(f"NFKC+casefold baseline: {base:.1f} µs per comment")
    print(f"ratio: {ours / base:.1f}x the baseline")
    for text in COMMENTS:
        one = per_call_microseconds(normalize, [text], rounds=200)
        print(f"  {one:6.1f} µs  {text[:50]!r}")


if __name__ == "__main__":
    main()
