"""Real Perspective clients, unchanged, against a real `hakam serve`: the `perspective` PyPI
client (its URL pointed at the test server, as a site would point it at its Hakam) and Coral
Talk's own requests, built as its server builds them."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
import requests
from perspective import PerspectiveAPI

ABUSIVE_AR = "يا حمار انت ما تفهم شي، اسكت احسن لك"
CLEAN_AR = "شكرا على هذا التقرير المفصل، نتمنى متابعة القضية"
ABUSIVE_EN = "You are an idiot and a moron, shut up"
CLEAN_EN = "Great reporting, thank you. Will there be a follow-up on the budget vote?"


def hakam_scores(server, key, text) -> dict:
    """What POST /v1/comments answers for the same text on the same site."""
    n = abs(hash(text)) % 10_000
    answer = requests.post(f"{server.url}/v1/comments", timeout=10,
                           headers={"Authorization": f"Bearer {key}"},
                           json={"comment": text, "author": f"قارئ {n}",
                                 "email": f"r{n}@example.com", "comment_post_ID": 5})
    assert answer.status_code == 201, answer.text
    return answer.json()["scores"]


def client_for(server, key) -> PerspectiveAPI:
    client = PerspectiveAPI(key)
    client.api_client.url = server.url + "/v1alpha1/{endpoint}"
    return client


def labels_of(store, site, source):
    return [label for label in store.labels() if label["site"] == site
            and label["source"] == source]


# -- the perspective PyPI client -----------------------------------------------------------


@pytest.mark.parametrize("text", [ABUSIVE_AR, CLEAN_AR, ABUSIVE_EN, CLEAN_EN])
def test_the_python_client_gets_hakams_scores_for_several_attributes(served, served_site,
                                                                      text):
    server, _store = served
    _name, key = served_site
    expected = hakam_scores(server, key, text)

    result = client_for(server, key).analyze_comment(
        text, requested_attributes={"TOXICITY": {}, "SPAM": {"scoreType": "PROBABILITY"}},
        languages=["en"], do_not_store=True, client_token="tok-1")

    assert result["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == expected["abuse"]
    assert result["attributeScores"]["SPAM"]["summaryScore"]["value"] == expected["spam"]
    assert result["clientToken"] == "tok-1"
    assert result["languages"] == ["en"]
    assert result["detectedLanguages"] == (["ar"] if "ا" in text else ["en"])


def test_the_python_clients_span_annotations_cover_each_sentence(served, served_site):
    server, _store = served
    text = "شكرا على التقرير. يا حمار انت ما تفهم شي! Thanks."
    result = client_for(server, served_site[1]).analyze_comment(
        text, span_annotations=True)

    spans = result["attributeScores"]["TOXICITY"]["spanScores"]
    assert [text[s["begin"]:s["end"]] for s in spans] == [
        "شكرا على التقرير.", "يا حمار انت ما تفهم شي!", "Thanks."]
    assert max(spans, key=lambda s: s["score"]["value"])["begin"] == 18


def test_the_python_clients_score_shortcut(served, served_site):
    server, _store = served
    scores = client_for(server, served_site[1]).score(ABUSIVE_AR, tests=["TOXICITY", "SPAM"])

    assert set(scores) == {"TOXICITY", "SPAM"}
    assert scores["TOXICITY"] > 0.9 > scores["SPAM"]


def test_the_python_clients_suggest_score_becomes_a_perspective_label(served, served_site):
    server, store = served
    name, key = served_site
    result = client_for(server, key).suggest_score(
        CLEAN_AR, {"TOXICITY": {"summaryScore": {"value": 0.0}}}, client_token="comment-53922",
        community_id="/forum/news")

    assert result == {"clientToken": "comment-53922"}
    assert labels_of(store, name, "perspective") == [
        {"text": CLEAN_AR, "task": "abuse", "label": 0, "source": "perspective", "site": name,
         "community_id": "/forum/news"}]


def test_the_python_client_sees_perspectives_error_for_an_attribute_hakam_lacks(served,
                                                                                  served_site):
    server, _store = served
    with pytest.raises(urllib.error.HTTPError) as raised:
        client_for(server, served_site[1]).analyze_comment(
            ABUSIVE_AR, requested_attributes={"THREAT": {}})

    assert raised.value.code == 400
    assert json.loads(raised.value.read())["error"]["message"] == (
        "Attribute THREAT does not support request languages: ar")


# -- Coral Talk --------------------------------------------------------------------------------
# Coral's server (server/src/core/server/services/perspective/perspective.ts) joins the
# operation onto the admin's endpoint, sets ?key=, and sends these bodies; its toxic-comment
# phase flags a comment when attributeScores[model].summaryScore.value > threshold (0.8 by
# default) and reads nothing else.

CORAL_THRESHOLD = 0.8


def coral_send(endpoint: str, key: str, operation: str, body: dict) -> tuple[int, dict]:
    url = urllib.parse.urlsplit(endpoint.strip())
    path = url.path.rstrip("/") + "/" + operation  # node's path.join(url.pathname, "/op")
    query = urllib.parse.urlencode({"key": key.strip()})
    request = urllib.request.Request(
        urllib.parse.urlunsplit((url.scheme, url.netloc, path, query, "")),
        data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def coral_analyze_body(text: str) -> dict:
    return {"comment": {"text": text}, "doNotStore": True,
            "requestedAttributes": {"TOXICITY": {}}, "languages": ["en"]}


def coral_suggest_body(text: str, comment_id: str, status: str) -> dict:
    return {
        "comment": {"text": text},
        "context": {"entries": [{"text": json.dumps({
            "url": f"https://news.example/story-1?commentID={comment_id}",
            "reply_to_id_Coral_comment_id": None, "Coral_comment_id": comment_id})}]},
        "attributeScores": {"TOXICITY": {"summaryScore": {
            "value": 0 if status == "APPROVED" else 1}}},
        "languages": ["en"],
        "communityId": "Coral:https://talk.news.example",
        "clientToken": f"comment:{comment_id}",
    }


@pytest.mark.parametrize("endpoint_suffix", ["/v1alpha1", "/v1alpha1/"])
def test_coral_flags_a_plainly_abusive_arabic_comment_and_passes_a_clean_one(
        served, served_site, endpoint_suffix):
    server, _store = served
    endpoint = server.url + endpoint_suffix  # Configure → Moderation → Perspective

    results = {}
    for text in (ABUSIVE_AR, CLEAN_AR):
        status, data = coral_send(endpoint, served_site[1], "comments:analyze",
                                  coral_analyze_body(text))
        assert status == 200
        results[text] = data["attributeScores"]["TOXICITY"]["summaryScore"]["value"]

    assert results[ABUSIVE_AR] > CORAL_THRESHOLD
    assert results[CLEAN_AR] < CORAL_THRESHOLD


def test_corals_analyze_leaves_nothing_behind(served, served_site):
    server, store = served
    name, key = served_site
    before = set(store.r.keys(f"hakam:{{{name}}}:*"))
    coral_send(server.url + "/v1alpha1", key, "comments:analyze", coral_analyze_body(ABUSIVE_AR))

    assert set(store.r.keys(f"hakam:{{{name}}}:*")) == before == set()


def test_corals_moderation_feedback_becomes_labels_once_per_verdict(served, served_site):
    server, store = served
    name, key = served_site
    endpoint = server.url + "/v1alpha1"
    rejected = coral_suggest_body(ABUSIVE_AR, "c-101", "DELETED")
    approved = coral_suggest_body(CLEAN_AR, "c-102", "APPROVED")

    for body in (rejected, rejected, approved):  # the first verdict sent twice
        status, data = coral_send(endpoint, key, "comments:suggestscore", body)
        assert status == 200 and data == {"clientToken": body["clientToken"]}

    assert labels_of(store, name, "perspective") == [
        {"text": ABUSIVE_AR, "task": "abuse", "label": 1, "source": "perspective", "site": name,
         "community_id": "Coral:https://talk.news.example"},
        {"text": CLEAN_AR, "task": "abuse", "label": 0, "source": "perspective", "site": name,
         "community_id": "Coral:https://talk.news.example"}]


def test_a_wrong_key_in_coral_is_a_failed_call_it_logs(served):
    server, _store = served
    status, _data = coral_send(server.url + "/v1alpha1", "hk_site_wrong", "comments:analyze",
                               coral_analyze_body(CLEAN_AR))
    assert status == 400


def test_the_site_key_in_the_url_never_reaches_the_log(served, served_site):
    server, _store = served
    _name, key = served_site
    coral_send(server.url + "/v1alpha1", key, "comments:analyze", coral_analyze_body(CLEAN_AR))
    coral_send(server.url + "/v1alpha1", key + "x", "comments:analyze",
               coral_analyze_body(CLEAN_AR))

    log = server.log()
    assert '"POST /v1alpha1/comments:analyze" 200' in log  # the request was logged ...
    assert key not in log and key[8:] not in log  # ... without its key
    assert "key=" not in log
