"""A site whose moderators disagree with the shipped model in a way a site's adapter can learn:
on this site "كرموس" (a prickly pear, harmless anywhere else) is an insult, and comments calling
someone that are rejected; the shipped model scores them as clean as the rest.

Comments are built from neutral pieces, so that only the word tells the two kinds apart."""

from __future__ import annotations

import random

WORD = "كرموس"
OPENERS = ["والله", "صراحة", "يا جماعة", "بالنسبة لي", "في رأيي", "الحقيقة", "بكل احترام",
           "اسمحوا لي", "للأمانة", "باختصار"]
SUBJECTS = ["المقال هذا", "التقرير", "كلام الوزير", "الخبر", "الموضوع", "قرار البلدية",
            "المباراة أمس", "البرنامج الجديد", "تصريح المدرب", "مشروع الطريق", "سعر الخبز",
            "امتحان البكالوريا"]
VERDICTS = ["مفيد جدا", "فيه نظر", "يستاهل النقاش", "ما عجبني", "واضح", "يحتاج تفاصيل أكثر",
            "صحيح مية بالمية", "متأخر شوية", "في وقته", "يفرح القلب", "مبالغ فيه", "كان متوقع"]
INSULTS = ["يا {w}", "انت {w}", "{w} وما تفهم", "يا {w} يا", "هذا واحد {w}"]


def comment(rng: random.Random, insulting: bool) -> str:
    parts = [rng.choice(OPENERS), rng.choice(SUBJECTS), rng.choice(VERDICTS)]
    if insulting:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(INSULTS).format(w=WORD))
    return " ".join(parts)


def site_comments(count: int, seed: int = 0, insulting_share: float = 0.35
                  ) -> list[tuple[str, int]]:
    """`count` distinct comments with the site's verdict (1: rejected as abusive)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    comments = []
    while len(comments) < count:
        insulting = rng.random() < insulting_share
        text = comment(rng, insulting)
        if text not in seen:
            seen.add(text)
            comments.append((text, int(insulting)))
    return comments
