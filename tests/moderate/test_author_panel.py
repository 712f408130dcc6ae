"""The author on the moderator page, in Arabic, in a real Chromium against real gunicorn and
Redis: `h` opens the author's record on the focused card, an action waits out the undo grace,
then applies and shows its badge on every card of that author (and only theirs)."""

from __future__ import annotations

import time

import requests
from playwright.sync_api import expect

from hakam.service.store import keys
from tests.factories import a_comment
from tests.moderate.conftest import ARTIFACTS, sign_in

GRACE = 5  # seconds an action waits for an undo before it is sent, as decisions do
LAILA = "laila@example.com"


def cards(page):
    return page.locator("#queue > li.comment")


def card(page, comment_id: str):
    return page.locator(f'#queue > li.comment[data-id="{comment_id}"]')


def test_h_opens_the_authors_record_and_a_ban_shows_its_badge_on_their_cards(
        newsroom, open_page):
    first = newsroom.post(comment="تعليق أول من ليلى", email=LAILA, author="ليلى")
    other = newsroom.post(comment="تعليق من قارئ آخر", email="other@example.com")
    second = newsroom.post(comment="تعليق ثان من ليلى", email=LAILA.upper(), author="ليلى")
    page, watch = open_page("ar")
    page.clock.install()
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(3)
    assert page.evaluate("document.documentElement.dir") == "rtl"

    page.keyboard.press("h")  # on the first card, selected on arrival
    panel = card(page, first).locator(".author-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".author-counts [data-status=pending]")).to_have_text("بانتظار المراجعة 2")
    expect(panel.locator(".author-recent > li")).to_have_count(2)
    expect(panel.locator(".author-state")).to_have_text("لا قيد مفروض على هذا الكاتب.")

    page.keyboard.press("b")  # ban, until lifted
    expect(panel.locator(".author-outcome-text")).to_contain_text("حظر الكاتب")
    time.sleep(0.3)
    assert newsroom.store.r.exists(keys.author("akhbar", newsroom.store.private_key(LAILA))) == 0

    page.clock.run_for((GRACE + 1) * 1000)
    for mine in (first, second):
        expect(card(page, mine).locator(".author-badge")).to_have_text("محظور · حتى رفع القيد",
                                                                      timeout=15_000)
    expect(card(page, other).locator(".author-badge")).to_be_hidden()
    expect(panel.locator(".author-log > li")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "author-panel-ar.png"), full_page=True)
    record = newsroom.store.author_record(first)
    assert record["restriction"]["kind"] == "banned" and record["restriction"]["by"] == "salma"
    assert [e["action"] for e in newsroom.store.audit(limit=5)] == ["ban"]
    assert watch.dialogs == [] and watch.errors == []
    # intake, in whichever worker takes it, refuses her from now on, in the site's Arabic
    refused = requests.post(f"{newsroom.base}/v1/comments",
                            json=a_comment(email=LAILA, author="ليلى"),
                            headers={"Authorization": f"Bearer {newsroom.site_key}"}, timeout=10)
    assert refused.status_code == 403
    assert refused.json() == {"error": "author_banned", "until": None,
                              "message": "أنت محظور من التعليق على هذا الموقع."}

    page.reload()  # a new claim shows the badge from the store
    expect(cards(page)).to_have_count(3)
    expect(card(page, second).locator(".author-badge")).to_have_text("محظور · حتى رفع القيد")

    page.click("text=السجل")  # the History view lists the action with the decisions
    row = page.locator("tr.decision-row")
    expect(row).to_have_count(1)
    assert "salma" in row.inner_text()
    assert row.locator("td.author-action").inner_text() == "حظر · حتى رفع القيد"


def test_an_action_undone_within_the_grace_changes_nothing(newsroom, open_page):
    held = newsroom.post(comment="تعليق ليلى", email=LAILA, author="ليلى")
    page, watch = open_page("ar")
    page.clock.install()
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(1)

    page.keyboard.press("h")
    page.keyboard.press("d")  # suspend
    page.keyboard.press("u")
    page.clock.run_for((GRACE + 1) * 1000)
    time.sleep(0.5)  # real time for a request, had one been (wrongly) sent

    assert newsroom.store.author_record(held)["restriction"] is None
    assert newsroom.store.audit(limit=5) == []
    expect(card(page, held).locator(".author-badge")).to_be_hidden()
    assert watch.errors == []


def test_a_ban_that_marks_held_comments_as_spam_takes_them_off_the_page(newsroom, open_page):
    first = newsroom.post(comment="إعلان مكرر واحد", email=LAILA, author="ليلى")
    second = newsroom.post(comment="إعلان مكرر اثنان", email=LAILA, author="ليلى")
    other = newsroom.post(comment="تعليق من قارئ آخر", email="other@example.com")
    page, watch = open_page("ar")
    page.clock.install()
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    expect(cards(page)).to_have_count(3)

    page.keyboard.press("h")
    card(page, first).locator(".author-held").select_option("spam")
    card(page, first).locator("button[data-author-action=ban]").click()
    page.clock.run_for((GRACE + 1) * 1000)

    expect(card(page, second)).to_have_count(0, timeout=15_000)
    expect(card(page, first).locator(".author-badge")).to_have_text("محظور · حتى رفع القيد")
    assert [newsroom.store.get_comment(c)["status"] for c in (first, second, other)] == [
        "spam", "spam", "pending"]
    assert watch.errors == []
