"""The moderator page in a real Chromium against real gunicorn and Redis, as moderators use it."""

from __future__ import annotations

import time

import requests
from playwright.sync_api import expect

from hakam.service.store import keys
from tests.factories import a_comment
from tests.moderate.conftest import ARTIFACTS, sign_in

GRACE = 5  # seconds a decision waits for an undo before it is sent (the page's help says so)


def cards(page):
    return page.locator("#queue > li.comment")


def card_ids(page) -> list[str]:
    return cards(page).evaluate_all("items => items.map(item => item.dataset.id)")


def test_three_comments_decided_with_the_keyboard_leave_the_queue_and_reach_redis_and_audit(
        newsroom, open_page):
    first = newsroom.post(comment="أول تعليق على المقال")
    second = newsroom.post(comment="second comment, in English")
    third = newsroom.post(comment="ثالث تعليق mixed with English")
    page, watch = open_page("en")
    page.clock.install()  # the undo grace period passes when the test says so
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(3)
    assert card_ids(page) == [first, second, third]  # oldest first
    assert page.locator("#counts [data-status=pending]").inner_text() == "3"

    page.keyboard.press("a")  # approve the first (selected on arrival)
    page.keyboard.press("Digit2")  # reason 2 (insult) for the second
    page.keyboard.press("r")
    page.keyboard.press("s")
    assert page.locator("li.pending-decision").count() == 3  # waiting out the undo period

    page.clock.run_for((GRACE + 1) * 1000)
    expect(cards(page)).to_have_count(0)
    expect(page.locator("#counts [data-status=pending]")).to_have_text("0")
    assert page.locator("#counts [data-status=approved]").inner_text() == "1"
    assert page.locator("#empty").is_visible()

    assert [newsroom.store.get_comment(c)["status"] for c in (first, second, third)] == [
        "approved", "rejected", "spam"]
    audit = {record["comment_id"]: record for record in newsroom.store.audit(limit=10)}
    assert {c: (audit[c]["decision"], audit[c]["moderator"], audit[c]["reason"])
            for c in (first, second, third)} == {
        first: ("approve", "salma", ""), second: ("reject", "salma", "insult"),
        third: ("spam", "salma", "")}
    assert watch.dialogs == [] and watch.errors == []

    page.click("text=History")
    rows = page.locator("tr.decision-row")
    assert rows.count() == 3
    assert "salma" in rows.first.inner_text()


def test_undo_within_the_grace_period_leaves_the_comment_pending(newsroom, open_page):
    held = newsroom.post(comment="تعليق سيتراجع المشرف عن قراره")
    page, watch = open_page("en")
    page.clock.install()
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    page.wait_for_selector("#queue > li.comment")

    page.keyboard.press("r")
    assert page.locator("li.pending-decision").count() == 1
    page.keyboard.press("u")
    assert page.locator("li.pending-decision").count() == 0
    page.clock.run_for((GRACE + 1) * 1000)
    time.sleep(0.5)  # real time for a request, had one been (wrongly) sent

    assert newsroom.store.get_comment(held)["status"] == "pending"
    assert newsroom.store.audit(limit=10) == []
    assert card_ids(page) == [held]  # still there, and still open to a decision
    assert page.locator("#queue > li.comment .approve").is_visible()
    assert watch.errors == []


def test_a_decision_still_in_its_grace_period_is_sent_when_the_moderator_leaves(
        newsroom, open_page):
    held = newsroom.post(comment="تعليق يُقبل ثم يغادر المشرف الصفحة فورا")
    page, _ = open_page("en")
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(1)

    page.keyboard.press("a")
    page.click("text=History")  # leaves the queue page well inside the grace period
    deadline = time.monotonic() + GRACE - 1
    while newsroom.store.get_comment(held)["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.1)

    assert newsroom.store.get_comment(held)["status"] == "approved"


def test_question_mark_opens_the_keyboard_help_and_escape_closes_it(newsroom, open_page):
    newsroom.post(comment="تعليق")
    page, _ = open_page("ar")
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(1)
    help_box = page.locator("#help")

    page.keyboard.press("?")
    expect(help_box).to_be_visible()
    assert "التراجع" in help_box.inner_text()
    page.keyboard.press("a")  # shortcuts do nothing while the help is open
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()
    assert page.locator("li.pending-decision").count() == 0


def test_two_moderators_never_see_the_same_claimed_comment(newsroom, open_page):
    posted = [newsroom.post(comment=f"تعليق رقم {n}") for n in range(10)]
    salma, _ = open_page("ar")
    omar, _ = open_page("en")
    sign_in(salma, newsroom.base, newsroom.moderator("salma"), "batch=5")
    expect(cards(salma)).to_have_count(5)
    sign_in(omar, newsroom.base, newsroom.moderator("omar"), "batch=5")
    expect(cards(omar)).to_have_count(5)

    seen_by_salma, seen_by_omar = set(card_ids(salma)), set(card_ids(omar))
    assert seen_by_salma.isdisjoint(seen_by_omar)
    assert seen_by_salma | seen_by_omar == set(posted)
    holders = {c: newsroom.store.get_comment(c)["lease"]["moderator"] for c in posted}
    assert {c for c, who in holders.items() if who == "salma"} == seen_by_salma

    # Reloading gives a moderator their own batch back, and still nothing of the other's.
    salma.reload()
    expect(cards(salma)).to_have_count(5)
    assert set(card_ids(salma)) == seen_by_salma


def _expire_lease(newsroom, comment_id: str) -> None:
    """Time passing: the lease deadline moves into the past (leases are zset deadlines)."""
    site = newsroom.store.locate(comment_id)
    newsroom.store.r.zadd(keys.leases(site), {comment_id: 0})


def test_the_page_says_plainly_when_the_hold_on_its_batch_runs_out(newsroom, open_page):
    newsroom.post(comment="تعليق يطول التفكير فيه")
    page, _ = open_page("en")
    page.clock.install()
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(1)
    expect(page.locator("#lease")).to_contain_text("Your hold ends in 5 min")
    assert page.locator("#notice").is_hidden()

    page.clock.run_for(301_000)  # past the server's 300 s lease

    expect(page.locator("#notice")).to_contain_text("Your hold on these comments has expired")


def test_a_lost_lease_and_a_comment_decided_elsewhere_are_reported_plainly(newsroom, open_page):
    taken = newsroom.post(comment="تعليق يأخذه مشرف آخر بعد انتهاء الحجز")
    decided = newsroom.post(comment="تعليق يقرر فيه مشرف آخر أولا")
    page, watch = open_page("en")
    page.clock.install()
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(2)
    for comment_id in (taken, decided):
        _expire_lease(newsroom, comment_id)
    assert {c["id"] for c in newsroom.store.claim("omar", limit=2)} == {taken, decided}
    newsroom.store.decide(decided, "omar", "approve")

    page.keyboard.press("r")
    page.keyboard.press("s")
    page.clock.run_for((GRACE + 1) * 1000)
    conflicts = page.locator("li.comment.conflict")
    expect(conflicts).to_have_count(2)
    assert "another moderator holds it now" in conflicts.nth(0).inner_text()
    assert "Another moderator already decided this comment." in conflicts.nth(1).inner_text()
    assert newsroom.store.get_comment(taken)["status"] == "pending"
    assert newsroom.store.get_comment(decided)["status"] == "approved"  # the first one stands
    conflicts.nth(0).locator(".dismiss").click()
    expect(cards(page)).to_have_count(1)
    assert watch.dialogs == []


HOSTILE_TEXT = ('<script>alert(1)</script><img src=x onerror=alert(2)> '
                '<a href="javascript:alert(3)">انقر هنا</a> \u202eتعليق معكوس')
HOSTILE_NAME = '\u202enimda<img src=x onerror=alert(4)>'


def test_hostile_comment_name_and_links_never_run_or_spoof_the_page(newsroom, open_page):
    through_api = newsroom.post(comment=HOSTILE_TEXT, author=HOSTILE_NAME,
                                url='https://example.com/"><script>alert(5)</script>')
    # What the API's validation would refuse, stored directly: the page must hold on its own.
    bypassed, _ = newsroom.store.accept(
        site="akhbar", status="pending", answer=lambda cid: {"id": cid},
        comment={"text": "javascript links", "author": "<svg onload=alert(6)>",
                 "url": "javascript:alert(7)", "post_id": "1",
                 "post_url": "javascript:alert(8)", "scores": {"spam": 0.9, "abuse": 0.1},
                 "reasons": [{"code": "<b>x</b>", "message": "<img src=x onerror=alert(9)>",
                              "spans": [[0, 10], ["a", None]]}]},
        duplicate_of="bypass", author_key="k", ip_key=None, idempotency_key=None)
    page, watch = open_page("en")
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(2)
    time.sleep(0.5)  # give any injected handler the chance to fire

    assert watch.dialogs == []
    assert watch.errors == []
    assert page.locator("#queue script, #queue img, #queue svg, #queue [onerror]").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    card = page.locator(f"li.comment[data-id='{through_api}']")
    assert "<script>alert(1)</script>" in card.locator(".text").inner_text()
    author = card.locator(".author").inner_text()
    assert "\u202e" not in author and "<img src=x onerror=alert(4)>" in author
    assert "\u202e" not in card.locator(".text").inner_text()
    assert card.locator(".author").evaluate("element => element.tagName") == "BDI"

    other = page.locator(f"li.comment[data-id='{bypassed}']")
    assert other.locator("a").count() == 0  # no link for a non-http(s) post URL
    assert "javascript:alert(7)" in other.locator(".author-url").inner_text()  # text, not link
    assert other.locator("mark").inner_text() == "javascript"


def test_a_post_without_the_csrf_token_is_refused(newsroom, open_page):
    held = newsroom.post(comment="تعليق لا يُقرر بلا رمز الحماية")
    page, _ = open_page("en")
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    page.wait_for_selector("#queue > li.comment")

    statuses = page.evaluate("""async (id) => {
        const decide = await fetch(`/moderate/api/comments/${id}/decision`, {method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({decision: "approve"})});
        const signOut = await fetch("/moderate/sign-out", {method: "POST"});
        return [decide.status, signOut.status];
    }""", held)
    assert statuses == [400, 400]
    assert newsroom.store.get_comment(held)["status"] == "pending"
    assert "/moderate/" in page.url and page.locator("#sign-out").is_visible()


def test_the_arabic_page_reads_right_to_left_and_switches_to_english(newsroom, open_page):
    newsroom.post(comment="هذا مقال رائع، شكرا للكاتب على هذا التحليل",
                  author="أبو خالد", post_url="https://akhbar.example/2026/11/budget")
    newsroom.post(comment="Great article, but the numbers in paragraph 3 look wrong",
                  author="Sarah M.")
    newsroom.post(comment="يا كلب يا حمار، اكتب شيئا مفيدا", author="زائر")
    page, watch = open_page("ar")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, newsroom.base, newsroom.moderator("سلمى"))
    expect(cards(page)).to_have_count(3)
    assert requested and all(url.startswith(newsroom.base + "/") for url in requested)  # offline

    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    texts = page.locator("#queue .text")
    assert texts.nth(0).evaluate("element => getComputedStyle(element).direction") == "rtl"
    assert texts.nth(1).evaluate("element => getComputedStyle(element).direction") == "ltr"
    assert page.locator("button.approve").first.inner_text().startswith("قبول")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "moderator-queue-ar.png"), full_page=True)

    page.click("#language-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    assert page.locator("button.approve").first.inner_text().startswith("Approve")
    assert watch.errors == []


def test_an_audit_item_is_marked_as_already_published(newsroom, open_page):
    from hakam.service.policy import SitePolicy

    newsroom.store.configure_site("akhbar", policy=SitePolicy(audit_rate=1.0))
    response = requests.post(f"{newsroom.base}/v1/comments",
                             json=a_comment(comment="تعليق منشور اختير للتدقيق"),
                             headers={"Authorization": f"Bearer {newsroom.site_key}"}, timeout=10)
    assert response.json()["status"] == "approved"
    page, watch = open_page("ar")
    sign_in(page, newsroom.base, newsroom.moderator("salma"))

    card = cards(page).first
    expect(card.locator(".audit-note")).to_be_visible()
    assert "منشور" in card.locator(".audit-note").inner_text()
    assert card.locator(".reason").count() == 0  # "below the thresholds" is no reason to hold
    assert watch.errors == []


def test_the_sites_page_shows_what_a_site_taught_and_what_moderators_did(
        newsroom, open_page, redis_url, tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from hakam.service.cli import main
    from hakam.service.policy import SitePolicy
    from tests.site_fixture import site_comments

    for text, label in site_comments(200, seed=41):  # what its moderators decided before
        newsroom.store.record_label(text, "abuse", label, "moderator", site="akhbar")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))
    adapted = json.loads(CliRunner().invoke(main, ["sites", "adapt", "akhbar"]).stdout)
    assert adapted["active"]
    moderator = {"Authorization": f"Bearer {newsroom.moderator('salma')}"}

    def decide(comment_id, decision):
        response = requests.post(f"{newsroom.base}/v1/review/{comment_id}/decision",
                                 headers=moderator, json={"decision": decision}, timeout=10)
        assert response.status_code == 200

    held = [newsroom.post(comment=f"تعليق محجوز رقم {n}") for n in range(3)]
    for comment_id, decision in zip(held, ("reject", "approve", "approve"), strict=True):
        decide(comment_id, decision)
    newsroom.store.configure_site("akhbar", policy=SitePolicy(audit_rate=1.0))
    time.sleep(2.1)  # the workers' view of the site's settings is at most two seconds old
    published = [requests.post(f"{newsroom.base}/v1/comments", json=a_comment(),
                               headers={"Authorization": f"Bearer {newsroom.site_key}"},
                               timeout=10).json() for _ in range(2)]
    assert [answer["status"] for answer in published] == ["approved", "approved"]
    audited = [answer["id"] for answer in published]
    decide(audited[0], "spam")
    decide(audited[1], "approve")

    for locale, heading in (("ar", "ما تعلّمه حَكَم من كل موقع"),
                            ("en", "What each site taught Hakam")):
        page, watch = open_page(locale)
        sign_in(page, newsroom.base, newsroom.moderator(f"salma-{locale}"))
        page.click("nav.pages a[href$='/moderate/sites']")
        expect(page.locator("h1")).to_have_text(heading)
        site = page.locator("section.site-learning[data-site=akhbar]")
        assert site.locator(".adapter-state.active code").inner_text() == \
            adapted["model_version"]
        assert site.locator("dd.decisions").inner_text() == str(adapted["labels"]["abuse"])
        gain = site.locator("dd.gain").inner_text()
        assert f"{adapted['roc_auc']['adapted']:.3f}" in gain and "+" in gain
        held_bars = site.locator("figure.held g.day")
        assert held_bars.count() == 1
        assert (held_bars.get_attribute("data-decided"),
                held_bars.get_attribute("data-taken-down")) == ("3", "1")
        audit_bars = site.locator("figure.audit g.day")
        assert (audit_bars.get_attribute("data-decided"),
                audit_bars.get_attribute("data-taken-down")) == ("2", "1")
        # beside the chart, the queue's health: the three held comments decided this week
        health = site.locator("figure.queue-health")
        expect(health).to_be_visible()
        assert health.locator("dd.latency-count").inner_text() == "3"
        assert health.locator("dd.latency-p50").inner_text() in ("under a minute",
                                                                  "أقل من دقيقة")
        assert watch.errors == []
    page.screenshot(path=str(ARTIFACTS / "sites-page-en.png"), full_page=True)


def test_a_reply_shows_its_post_title_and_the_comment_it_answers_in_arabic(newsroom, open_page):
    title = "افتتاح مكتبة عامة جديدة في المدينة"
    newsroom.post(comment="المكتبة الجديدة رائعة، شكرا للبلدية", author="ليلى",
                  site_comment_id=71, post_title=title,
                  post_url="https://akhbar.example/culture/library")
    reply = newsroom.post(comment="أختلف معك تماما يا ليلى", author="عمر", comment_parent=71,
                          post_title=title, post_url="https://akhbar.example/culture/library")
    # the parent's reader asks for erasure: the reply's card shows a removed parent
    newsroom.post(comment="تعليق سيُمحى", site_comment_id=72, email="erased@example.com")
    orphan = newsroom.post(comment="رد على تعليق محذوف", comment_parent=72,
                           email="omar2@example.com")
    requests.post(f"{newsroom.base}/v1/readers/erase", json={"email": "erased@example.com"},
                  headers={"Authorization": f"Bearer {newsroom.site_key}"}, timeout=10)
    page, watch = open_page("ar")
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(3)  # the parent, the reply, the orphaned reply

    card = page.locator(f'#queue > li.comment[data-id="{reply}"]')
    parent = card.locator(".parent")
    expect(parent).to_be_visible()
    assert parent.locator(".parent-label").inner_text() == "ردًّا على"
    assert parent.locator(".parent-author").inner_text() == "ليلى"
    assert parent.locator(".parent-status").inner_text() == "بانتظار المراجعة"
    assert parent.locator(".parent-text").inner_text() == "المكتبة الجديدة رائعة، شكرا للبلدية"
    assert card.locator("a.post").inner_text() == title
    removed = page.locator(f'#queue > li.comment[data-id="{orphan}"] .parent')
    assert removed.locator(".parent-status").inner_text() == "محذوف"
    assert removed.locator(".parent-text").inner_text() == "حُذف هذا التعليق بطلب من كاتبه."
    # a top-level comment has no parent block at all
    assert page.locator("#queue > li.comment .parent").count() == 2
    page.screenshot(path=str(ARTIFACTS / "moderator-reply-with-parent-ar.png"), full_page=True)
    assert watch.dialogs == [] and watch.errors == []


def test_arabic_moderator_marks_cards_with_x_and_shift_click_and_decides_them_in_one_action(
        newsroom, open_page):
    posted = [newsroom.post(comment=f"تعليق رقم {n} على الخبر") for n in range(5)]
    page, watch = open_page("ar")
    page.clock.install()
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(5)
    bulk = page.locator("#bulk")
    expect(bulk).to_be_hidden()

    page.keyboard.press("x")  # the first card, selected on arrival
    cards(page).nth(3).click(modifiers=["Shift"])  # ... through the fourth
    expect(bulk).to_be_visible()
    expect(page.locator("#bulk-count")).to_have_text("4 محدَّدة")
    page.keyboard.press("x")  # the fourth (now selected) is unmarked again
    expect(page.locator("li.comment.marked")).to_have_count(3)

    page.keyboard.press("a")  # approve the three marked, as one decision
    assert page.locator("li.pending-decision").count() == 3
    page.keyboard.press("u")  # undone as a whole
    assert page.locator("li.pending-decision").count() == 0
    page.clock.run_for((GRACE + 1) * 1000)
    assert [newsroom.store.get_comment(c)["status"] for c in posted] == ["pending"] * 5

    for n in (0, 2, 4):
        cards(page).nth(n).locator("input.mark").check()
    page.select_option("#bulk-reason", "advertising")
    page.locator("#bulk button.spam").click()
    assert page.locator("li.pending-decision").count() == 3
    page.clock.run_for((GRACE + 1) * 1000)

    expect(cards(page)).to_have_count(2)
    assert card_ids(page) == [posted[1], posted[3]]
    assert [newsroom.store.get_comment(c)["status"] for c in posted] == [
        "spam", "pending", "spam", "pending", "spam"]
    audit = newsroom.store.audit(limit=10)
    assert sorted(a["comment_id"] for a in audit) == sorted([posted[0], posted[2], posted[4]])
    assert {(a["moderator"], a["reason"]) for a in audit} == {("salma", "advertising")}
    expect(page.locator("#counts [data-status=spam]")).to_have_text("3")
    assert watch.dialogs == [] and watch.errors == []
    page.screenshot(path=str(ARTIFACTS / "moderator-bulk-ar.png"), full_page=True)


def test_the_queue_can_be_worked_most_abusive_first(newsroom, open_page):
    calm = newsroom.post(comment="شكرا على هذا التقرير المفصل")
    insult = newsroom.post(comment="يا حمار انت ما تفهم شي، اسكت احسن لك")
    page, watch = open_page("ar")
    sign_in(page, newsroom.base, newsroom.moderator("salma"), "sort=abuse")
    expect(cards(page)).to_have_count(2)

    assert card_ids(page) == [insult, calm]
    assert page.locator("#filter-sort").input_value() == "abuse"
    assert watch.errors == []


CAMPAIGN_TEXTS = [
    "قاطعوا منتجات الشركة الآن وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع",
    "قاطعوا منتجات الشركة الان وشاركوا هذا المنشور مع اصدقائكم قبل ان يحذفوه من الموقع!!",
    "قاطعــــوا منتجات الشركة الآن وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع",
    "قاطِعوا مُنتجات الشركة الآن، وشاركوا هذا المنشور مع أصدقائكم قبل أن يحذفوه من الموقع.",
]


def test_arabic_moderator_decides_a_whole_campaign_with_one_key(newsroom, open_page):
    lone = newsroom.post(comment="شكرا على هذا التقرير المفصل عن الانتخابات")
    campaign = [newsroom.post(comment=text) for text in CAMPAIGN_TEXTS]  # four authors
    page, watch = open_page("ar")
    page.clock.install()
    sign_in(page, newsroom.base, newsroom.moderator("salma"))

    expect(cards(page)).to_have_count(2)  # the campaign is one card
    assert card_ids(page) == [lone, campaign[0]]
    note = cards(page).nth(1).locator(".campaign-note")
    expect(note).to_be_visible()
    assert note.inner_text() == "هذا النص و3 مثله من 4 كتّاب، خلال أقل من دقيقة"
    page.screenshot(path=str(ARTIFACTS / "moderator-campaign-ar.png"), full_page=True)

    page.keyboard.press("j")  # the campaign's card
    page.keyboard.press("s")  # spam, for all four
    assert page.locator("li.pending-decision").count() == 1
    page.clock.run_for((GRACE + 1) * 1000)

    expect(cards(page)).to_have_count(1)
    assert card_ids(page) == [lone]
    assert [newsroom.store.get_comment(c)["status"] for c in campaign] == ["spam"] * 4
    audit = newsroom.store.audit(limit=10)
    assert sorted(a["comment_id"] for a in audit) == sorted(campaign)  # one entry each
    expect(page.locator("#counts [data-status=spam]")).to_have_text("4")
    assert watch.dialogs == [] and watch.errors == []


def test_a_reported_comment_shows_its_readers_reports_and_is_found_by_the_reported_filter(
        newsroom, open_page):
    from hakam.service.site_settings import SitePolicy

    site = {"Authorization": f"Bearer {newsroom.site_key}"}
    held = newsroom.post(comment="تعليق محجوز لم يبلغ عنه أحد")
    newsroom.store.configure_site("akhbar", policy=SitePolicy())
    published = requests.post(f"{newsroom.base}/v1/comments", headers=site, timeout=10,
                              json=a_comment(comment="تعليق منشور أبلغ عنه القراء")).json()
    assert published["status"] == "approved"
    for reader, reason in (("r1", "abuse"), ("r2", "abuse"), ("r3", "spam")):
        requests.post(f"{newsroom.base}/v1/comments/{published['id']}/reports", headers=site,
                      json={"reason": reason, "reporter": reader}, timeout=10)
    page, watch = open_page("ar")
    sign_in(page, newsroom.base, newsroom.moderator("salma"), "reason=reader_reports")
    expect(cards(page)).to_have_count(1)
    card = cards(page).first
    assert card_ids(page) == [published["id"]]
    assert card.locator(".reason").first.inner_text() == "أبلغ عنه القرّاء"
    note = card.locator(".reports-note").inner_text()
    assert note.startswith("بلاغات القرّاء: ٣") or note.startswith("بلاغات القرّاء: 3"), note
    assert "مسيء" in note and "مزعج" in note
    assert held not in card_ids(page)
    assert watch.errors == []
