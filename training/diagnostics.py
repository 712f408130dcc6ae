"""Diagnostics that are never trained on: HateCheck's functional tests and ordinary comments.

HateCheck (English, and Multilingual HateCheck's Arabic cases with their Arabizi and
spelling-evasion functionalities) gives, per functionality, the share of cases the model's
abuse decision gets right: a hateful or offensive case passes when it is held (abuse above
`abuse_hold`), a non-hateful one when it is not. Labels follow each SOURCE.md's measured
mapping: hateful, and the non-hateful but offensive profanity_nh, target_indiv_nh and
target_group_nh, count as abusive; target_obj_nh and slur_reclaimed_nh are left out.

The ordinary-comments fixture (tests/model/ordinary_comments.jsonl: agreement, thanks,
questions, links to news sources, emoji, "this comment", written by the project) gives how
many ordinary reader comments the model would reject outright or hold as spam or abuse.
Owns loading these and the figures; never fits, never writes files.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

SUITES = {
    "hatecheck-english": "test_suite_cases.csv",
    "multilingual-hatecheck-arabic": "hatecheck_cases_final_arabic.csv",
}
OFFENSIVE_NOT_HATEFUL = frozenset({"profanity_nh", "target_indiv_nh", "target_group_nh"})
LEFT_OUT = frozenset({"target_obj_nh", "slur_reclaimed_nh"})


def hatecheck_cases(data_dir, suite: str) -> list[tuple[str, str, int]]:
    """(functionality, text, abusive 0/1) of one suite; [] when its folder is absent."""
    path = Path(data_dir) / suite / SUITES[suite]
    if not path.is_file():
        return []
    cases = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            functionality = row["functionality"].strip()
            if functionality in LEFT_OUT or not row["test_case"].strip():
                continue
            label = int(row["label_gold"].strip() == "hateful"
                        or functionality in OFFENSIVE_NOT_HATEFUL)
            cases.append((functionality, row["test_case"], label))
    return cases


def hatecheck(scorer, data_dir) -> dict:
    """Per suite: pass rates per functionality and overall (see the module docstring)."""
    threshold = scorer.thresholds.abuse_hold
    report = {}
    for suite in SUITES:
        cases = hatecheck_cases(data_dir, suite)
        if not cases:
            continue
        by_functionality: dict[str, list[bool]] = defaultdict(list)
        labels = {}
        for functionality, text, label in cases:
            held = scorer.score(text).abuse > threshold
            by_functionality[functionality].append(held == bool(label))
            labels[functionality] = label
        every = [passed for results in by_functionality.values() for passed in results]
        report[suite] = {
            "cases": len(every), "pass_rate": round(float(np.mean(every)), 4),
            "functionalities": {
                name: {"cases": len(results), "abusive": labels[name],
                       "pass_rate": round(float(np.mean(results)), 4)}
                for name, results in sorted(by_functionality.items())},
        }
    return report


def read_comments(path) -> list[dict]:
    """The fixture's rows: {"text", "language", "kind"} per JSON line."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def ordinary_comments(scorer, path) -> dict:
    """How the model's own thresholds treat ordinary comments, overall and per language:
    rejected outright as spam (must be none), held as spam, held as abuse."""
    thresholds = scorer.thresholds
    rows = read_comments(path)
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        score = scorer.score(row["text"])
        outcome = {"text": row["text"], "spam": round(score.spam, 4),
                   "abuse": round(score.abuse, 4)}
        for key in ("all", row.get("language", "?")):
            groups[key].append(outcome)

    def summary(outcomes: list[dict]) -> dict:
        rejected = [o for o in outcomes if o["spam"] > thresholds.spam_reject]
        spam_held = [o for o in outcomes if thresholds.spam_hold < o["spam"]
                     <= thresholds.spam_reject]
        abuse_held = [o for o in outcomes if o["abuse"] > thresholds.abuse_hold]
        return {"comments": len(outcomes), "rejected": len(rejected),
                "held_as_spam": len(spam_held), "held_as_abuse": len(abuse_held),
                "held_as_spam_share": round(len(spam_held) / len(outcomes), 4),
                "rejected_texts": rejected, "held_texts": spam_held + [
                    o for o in abuse_held if o not in spam_held]}

    return {key: summary(outcomes) for key, outcomes in groups.items()}
