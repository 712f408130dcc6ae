"""Which rule applies to a comment's post: the post's own over its section's, a longer section
over a shorter one (pure: no Redis)."""

from __future__ import annotations

import pytest

from hakam.service.discussion import (
    Applied,
    DiscussionRules,
    PostRule,
    SectionRule,
    section_prefix,
)

NEWS = "https://akhbar.example/"
POLITICS = "https://akhbar.example/politics/"
OPINION = "https://akhbar.example/politics/opinion/"

RULES = DiscussionRules.of(
    {"1": PostRule(closed=True), "2": PostRule(closed=False), "3": PostRule(premoderation=True),
     "4": PostRule(premoderation=False), "5": PostRule(premoderation=True, closed=False)},
    [SectionRule(NEWS, close_after_days=30), SectionRule(POLITICS, premoderation=True,
                                                         close_after_days=3),
     SectionRule(OPINION, premoderation=False, close_after_days=0)])


@pytest.mark.parametrize("post_id, post_url, expected", [
    ("9", None, Applied()),  # no address, no rule of its own: nothing applies
    ("9", "https://other.example/politics/x", Applied()),
    ("9", NEWS + "culture/x", Applied(close_after_days=30)),
    ("9", POLITICS + "x", Applied(premoderated_by=POLITICS, close_after_days=3)),
    ("9", "HTTPS://AKHBAR.example/politics/x", Applied(premoderated_by=POLITICS,
                                                        close_after_days=3)),
    ("9", POLITICS.rstrip("/"), Applied(close_after_days=30)),  # not under /politics/
    ("9", OPINION + "x", Applied()),  # 0 days: never, and no premoderation, over /politics/
    ("1", POLITICS + "x", Applied(closed=True, premoderated_by=POLITICS)),
    ("2", POLITICS + "x", Applied(premoderated_by=POLITICS)),  # open: the section's days go
    ("3", NEWS + "x", Applied(premoderated_by="post", close_after_days=30)),
    ("4", POLITICS + "x", Applied(close_after_days=3)),  # exempt from its section's hold
    ("5", None, Applied(premoderated_by="post")),
])
def test_the_most_specific_rule_applies(post_id, post_url, expected):
    assert RULES.applied(post_id, post_url) == expected


def test_a_section_closes_its_posts_days_after_they_start():
    assert Applied(close_after_days=3).closes_at(1_000.0) == 1_000.0 + 3 * 86_400
    assert Applied().closes_at(1_000.0) is None


@pytest.mark.parametrize("given, kept", [
    ("HTTPS://Akhbar.Example/Politics/", "https://akhbar.example/Politics/"),
    (" http://akhbar.example:8080/a ", "http://akhbar.example:8080/a"),
])
def test_a_sections_prefix_is_kept_with_scheme_and_host_in_lower_case(given, kept):
    assert section_prefix(given) == kept


@pytest.mark.parametrize("given", ["akhbar.example/politics/", "ftp://akhbar.example/", ""])
def test_a_section_is_an_http_address(given):
    with pytest.raises(ValueError):
        section_prefix(given)
