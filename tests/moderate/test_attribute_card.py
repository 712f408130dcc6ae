"""The moderator card's attribute scores and attribute reasons, in a real Chromium against
real gunicorn and Redis. The comment is stored as intake stores a comment an attribute head
scored (the shipped model may have no attribute heads to make one through the API)."""

from __future__ import annotations

from playwright.sync_api import expect

from hakam.service.moderate.display import held_comment
from tests.moderate.conftest import ARTIFACTS, sign_in

TEXT = "الأكراد حثالة ويجب طردهم من البلد"


def store_held(newsroom) -> str:
    comment_id, _ = newsroom.store.accept(
        site="akhbar", status="pending", answer=lambda cid: {"id": cid},
        comment={"text": TEXT, "author": "زائر", "url": "", "post_id": "9", "post_url": "",
                 "scores": {"spam": 0.02, "abuse": 0.91, "identity_attack": 0.74,
                            "insult": 0.81, "profanity": 0.12, "threat": None},
                 "reasons": [
                     {"code": "identity_attack_score", "spans": [[0, 7], [19, 24]],
                      "message": "درجة الهجوم على الهوية 0.74 أعلى من حد الحجز لدى الموقع "
                                 "0.50: “الأكراد” و“طردهم”."},
                     {"code": "abuse_score", "spans": [[8, 13]],
                      "message": "درجة الإساءة 0.91 أعلى من حد الحجز 0.57."},
                     {"code": "insult_terms", "task": "insult", "spans": [[8, 13]],
                      "message": "هذه الكلمات كثيرًا ما تظهر في الإهانات: “حثالة”."}]},
        duplicate_of="attribute-card", author_key="k", ip_key=None, idempotency_key=None)
    return comment_id


def test_the_card_shows_measured_attributes_and_their_reasons_in_arabic(newsroom, open_page):
    comment_id = store_held(newsroom)
    page, watch = open_page("ar")
    sign_in(page, newsroom.base, newsroom.moderator("salma"))
    card = page.locator(f"li.comment[data-id='{comment_id}']")
    expect(card).to_be_visible()

    attributes = card.locator(".score.attribute")
    # threat was not measured (no head reads Arabic): not shown, rather than shown as 0
    assert attributes.evaluate_all("items => items.map(i => i.dataset.attribute)") == [
        "identity_attack", "insult", "profanity"]
    assert [name.strip() for name in attributes.locator(".score-name").all_inner_texts()] == [
        "هجوم على الهوية", "شتيمة", "ألفاظ نابية"]
    assert attributes.locator("meter").evaluate_all("ms => ms.map(m => m.value)") == [
        0.74, 0.81, 0.12]
    reasons = card.locator(".reason")
    assert reasons.all_inner_texts()[0] == "هجوم على الهوية فوق حد الموقع"
    assert "“الأكراد” و“طردهم”" in reasons.first.get_attribute("title")
    assert "كلمات مهينة" in reasons.all_inner_texts()
    assert card.locator("mark").all_inner_texts() == ["الأكراد", "حثالة", "طردهم"]
    ARTIFACTS.mkdir(exist_ok=True)
    card.screenshot(path=str(ARTIFACTS / "moderator-card-attributes-ar.png"))
    assert watch.errors == []

    page.click("#language-switch")
    card = page.locator(f"li.comment[data-id='{comment_id}']")
    expect(card.locator(".score.attribute .score-name").first).to_have_text("Identity attack")
    assert card.locator(".reason").first.inner_text() == \
        "Identity attack over the site's threshold"


def test_attribute_scores_on_the_card_data_skip_the_unmeasured():
    shown = held_comment({"id": "c1", "text": "x", "created_at": 0.0, "scores": {
        "spam": 0.1, "abuse": 0.2, "identity_attack": None, "insult": 0.5, "threat": 0.3}},
        now=0.0)
    assert shown["attributes"] == [{"name": "insult", "score": 0.5},
                                   {"name": "threat", "score": 0.3}]
    # a comment stored before attributes: none
    assert held_comment({"id": "c2", "text": "x", "created_at": 0.0,
                         "scores": {"spam": 0.1, "abuse": 0.2}}, now=0.0)["attributes"] == []


def test_held_for_filters_by_an_attribute(newsroom, open_page):
    attributed = store_held(newsroom)
    other = newsroom.post(comment="تعليق محجوز لأن الموقع يحجز كل شيء")
    page, watch = open_page("en")
    sign_in(page, newsroom.base, newsroom.moderator("salma"), "reason=identity_attack_score")

    cards = page.locator("#queue > li.comment")
    expect(cards).to_have_count(1)
    assert cards.first.get_attribute("data-id") == attributed != other
    selected = page.locator("select[name='reason'] option:checked")
    assert selected.inner_text() == "Identity attack over the site's threshold"
    assert watch.errors == []
