"""POST /v1alpha1/comments:analyze and :suggestscore, Perspective's API, answered with Hakam's
model: the shapes, numbers, languages, spans, labels and errors a Perspective client sees."""

from __future__ import annotations

import pytest
import redis

from hakam.service.schemas import COMMENT_MAX_BYTES
from tests.factories import a_comment

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
ABUSIVE_AR = "يا حمار انت ما تفهم شي، اسكت احسن لك"
CLEAN_AR = "شكرا على هذا التقرير المفصل"
ABUSIVE_EN = "You are an idiot and a moron, shut up"
SPAMMY = "اربح الآن جوائز مجانية! تواصل واتساب 0555123456 www.example-prize.com"


def analyze(client, key, text, attributes=("TOXICITY",), **fields):
    body = {"comment": {"text": text},
            "requestedAttributes": {name: {} for name in attributes}, **fields}
    return client.post(f"{ANALYZE}?key={key}", json=body)


def summary(answer, attribute):
    return answer.get_json()["attributeScores"][attribute]["summaryScore"]["value"]


@pytest.mark.parametrize("text", [ABUSIVE_AR, CLEAN_AR, ABUSIVE_EN, SPAMMY,
                                  "  مقال جيد جدا، لكن العنوان مضلل  "])
def test_toxicity_and_spam_are_the_very_scores_post_v1_comments_gives(client, site_key,
                                                                       site_headers, text):
    posted = client.post("/v1/comments", json=a_comment(comment=text), headers=site_headers)
    scores = posted.get_json()["scores"]

    answer = analyze(client, site_key, text, ("TOXICITY", "SPAM"))

    assert answer.status_code == 200
    assert summary(answer, "TOXICITY") == scores["abuse"]
    assert summary(answer, "SPAM") == scores["spam"]
    attribute = answer.get_json()["attributeScores"]["TOXICITY"]
    assert attribute["summaryScore"]["type"] == "PROBABILITY"


def test_a_trusted_domain_of_the_site_counts_as_it_does_for_post_v1_comments(
        client, store, site_key, site_headers):
    from hakam.service.policy import SitePolicy

    store.configure_site("akhbar", policy=SitePolicy(trusted_domains=("bbc.com",)))
    text = "المصدر هنا https://www.bbc.com/arabic/articles/c0000000 اقرأوا التقرير"
    posted = client.post("/v1/comments", json=a_comment(comment=text), headers=site_headers)

    answer = analyze(client, site_key, text, ("SPAM",))

    assert summary(answer, "SPAM") == posted.get_json()["scores"]["spam"]


def test_the_key_may_come_as_a_bearer_header_or_googles_key_header(client, site_key):
    body = {"comment": {"text": CLEAN_AR}, "requestedAttributes": {"TOXICITY": {}}}
    for headers in ({"Authorization": f"Bearer {site_key}"}, {"X-Goog-Api-Key": site_key}):
        assert client.post(ANALYZE, json=body, headers=headers).status_code == 200


@pytest.mark.parametrize("attribute", ["SEVERE_TOXICITY", "SEXUALLY_EXPLICIT", "toxicity"])
def test_an_attribute_the_model_does_not_score_is_perspectives_400_naming_it(
        client, site_key, attribute):
    answer = analyze(client, site_key, ABUSIVE_AR, ("TOXICITY", attribute), languages=["en"])

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == f"Attribute {attribute} does not support request languages: en"
    assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"


def test_drop_unsupported_attributes_leaves_them_out_of_the_answer(client, site_key):
    answer = analyze(client, site_key, ABUSIVE_AR, ("TOXICITY", "SEVERE_TOXICITY", "THREAT"),
                     dropUnsupportedAttributes=True)

    assert answer.status_code == 200
    # no threat head reads Arabic, whatever the model
    assert list(answer.get_json()["attributeScores"]) == ["TOXICITY"]


@pytest.mark.parametrize("text, language", [(ABUSIVE_AR, "ar"), (ABUSIVE_EN, "en")])
def test_the_shipped_model_answers_an_attribute_where_its_head_reads_the_language(
        client, site_key, site_headers, shipped_scorer, text, language):
    """With the shipped model: a number where it has the head for the comment's language,
    Perspective's language error otherwise (every attribute of a model without such heads)."""
    from hakam.model import ATTRIBUTE_LANGUAGES

    posted = client.post("/v1/comments", json=a_comment(comment=text),
                         headers=site_headers).get_json()["scores"]
    for name in ("IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT"):
        head = name.lower()
        answer = analyze(client, site_key, text, (name,))
        if head in shipped_scorer.attribute_heads and language in ATTRIBUTE_LANGUAGES[head]:
            assert answer.status_code == 200, name
            assert summary(answer, name) == posted[head]
        else:
            assert answer.status_code == 400, name
            assert posted[head] is None
            error = answer.get_json()["error"]
            assert error["message"] == (f"Attribute {name} does not support request "
                                        f"languages: {language}")
            assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"


def test_the_language_is_found_from_the_text_whatever_the_request_says(client, site_key):
    coral = analyze(client, site_key, ABUSIVE_AR, languages=["en"]).get_json()
    unsaid = analyze(client, site_key, ABUSIVE_EN).get_json()
    mixed = analyze(client, site_key, "المقال عن Brexit and the European Union vote").get_json()

    assert coral["languages"] == ["en"] and coral["detectedLanguages"] == ["ar"]
    assert unsaid["languages"] == ["en"] and unsaid["detectedLanguages"] == ["en"]
    assert set(mixed["detectedLanguages"]) == {"ar", "en"}
    # the Arabic comment Coral labelled English is still scored as the Arabic insult it is
    assert coral["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.9


def test_span_annotations_score_each_sentence_at_its_place_in_the_original_text(
        client, site_key):
    text = "  شكرا على التقرير.  يا حمار انت ما تفهم شي؟\nGreat reporting! "
    answer = analyze(client, site_key, text, ("TOXICITY", "SPAM"), spanAnnotations=True)

    spans = answer.get_json()["attributeScores"]["TOXICITY"]["spanScores"]
    assert [text[s["begin"]:s["end"]] for s in spans] == [
        "شكرا على التقرير.", "يا حمار انت ما تفهم شي؟", "Great reporting!"]
    for span in spans:  # each sentence's own score, as analyze gives it for that sentence
        alone = analyze(client, site_key, text[span["begin"]:span["end"]])
        assert span["score"] == {"value": summary(alone, "TOXICITY"), "type": "PROBABILITY"}
    assert spans[1]["score"]["value"] > 0.8 > spans[0]["score"]["value"]
    assert len(answer.get_json()["attributeScores"]["SPAM"]["spanScores"]) == 3


def test_no_spans_unless_asked(client, site_key):
    answer = analyze(client, site_key, "جملة أولى. جملة ثانية.")
    assert "spanScores" not in answer.get_json()["attributeScores"]["TOXICITY"]


def test_score_threshold_drops_an_attribute_scored_below_it(client, site_key):
    body = {"comment": {"text": CLEAN_AR}, "requestedAttributes": {
        "TOXICITY": {"scoreThreshold": 0.8}, "SPAM": {"scoreThreshold": 0.0}}}
    kept = client.post(f"{ANALYZE}?key={site_key}", json=body).get_json()
    body["requestedAttributes"] = {"TOXICITY": {"scoreThreshold": 0.8}}
    none_left = client.post(f"{ANALYZE}?key={site_key}", json=body).get_json()

    assert list(kept["attributeScores"]) == ["SPAM"]
    # as Perspective did: no attributeScores at all, the languages still said
    assert "attributeScores" not in none_left and none_left["detectedLanguages"] == ["ar"]


def test_the_client_token_is_echoed(client, site_key):
    answer = analyze(client, site_key, CLEAN_AR, clientToken="req-17")
    assert answer.get_json()["clientToken"] == "req-17"


def test_a_comment_past_perspectives_3000_bytes_is_scored_up_to_hakams_limit(client,
                                                                                site_key):
    long_text = ("شكرا على هذا التقرير المفصل. " * 200)[:4000]  # about 7,000 bytes
    assert len(long_text.encode()) > 3000
    assert analyze(client, site_key, long_text).status_code == 200

    too_long = "ا" * (COMMENT_MAX_BYTES // 2 + 1)
    answer = analyze(client, site_key, too_long)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["details"][0]["errorType"] == "COMMENT_TOO_LONG"
    assert str(COMMENT_MAX_BYTES) in answer.get_json()["error"]["message"]


def test_analyze_creates_no_comment_and_keeps_nothing(client, site_key, store, redis_url):
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    before = set(r.keys("*"))

    answer = analyze(client, site_key, ABUSIVE_AR, ("TOXICITY", "SPAM"), doNotStore=False,
                     spanAnnotations=True)

    assert answer.status_code == 200
    assert set(r.keys("*")) == before
    assert store.queue_depth("akhbar") == 0 and list(store.labels()) == []


@pytest.mark.parametrize("body, status, message", [
    ({"requestedAttributes": {"TOXICITY": {}}}, 400, "Comment must be non-empty."),
    ({"comment": {"text": "   "}, "requestedAttributes": {"TOXICITY": {}}}, 400,
     "Comment must be non-empty."),
    ({"comment": {"text": "نص"}}, 400,
     "At least one attribute must be requested in requestedAttributes."),
    ({"comment": {"text": "نص"}, "requestedAttributes": {}}, 400,
     "At least one attribute must be requested in requestedAttributes."),
    ({"comment": {"text": 17}, "requestedAttributes": {"TOXICITY": {}}}, 400,
     "Invalid value at 'comment.text' (TYPE_STRING)"),
    ({"comment": {"text": "نص"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}}},
     400, "Invalid value at 'requestedAttributes[TOXICITY].scoreThreshold': a score is "
          "between 0 and 1."),
    ({"comment": {"text": "نص"}, "requestedAttributes": {"TOXICITY": {"scoreType": "STD"}}},
     400, "Score type STD is not supported for attribute TOXICITY: only PROBABILITY is."),
    ({"comment": {"text": "نص"}, "requestedAttributes": {"TOXICITY": {}},
      "spanAnnotations": "yes"}, 400, "Invalid value at 'spanAnnotations' (TYPE_BOOL)"),
    ([1, 2], 400, "Invalid JSON payload received. Expected an object."),
])
def test_a_bad_request_gets_googles_error_shape_with_perspectives_status(client, site_key,
                                                                          body, status,
                                                                          message):
    answer = client.post(f"{ANALYZE}?key={site_key}", json=body)

    assert answer.status_code == status
    assert answer.mimetype == "application/json"
    assert answer.get_json()["error"]["message"] == message
    assert answer.get_json()["error"]["status"] == "INVALID_ARGUMENT"
    assert answer.get_json()["error"]["code"] == status


def test_malformed_json_is_an_invalid_argument(client, site_key):
    answer = client.post(f"{ANALYZE}?key={site_key}", data='{"comment": ',
                         content_type="application/json")
    error = answer.get_json()["error"]
    assert answer.status_code == 400 and error["status"] == "INVALID_ARGUMENT"
    assert error["message"].startswith("Invalid JSON payload received.")


@pytest.mark.parametrize("route", [ANALYZE, SUGGEST])
@pytest.mark.parametrize("body", [
    '{"comment": {"text": "\\ud800"}, "requestedAttributes": {"TOXICITY": {}}}',
    '{"comment": {"text": "ok"}, "requestedAttributes": {"TOXICITY": {}}, '
    '"attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.9}}}, "clientToken": "\\udc00"}',
    '{"comment": {"text": "ok"}, "requestedAttributes": {"\\ud83d": {}}, '
    '"attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.9}}}, "communityId": "a\\ud800"}',
])
def test_an_unpaired_surrogate_escape_is_an_invalid_argument_and_keeps_nothing(
        client, site_key, store, route, body):
    answer = client.post(f"{route}?key={site_key}", data=body, content_type="application/json")

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and "surrogate" in error["message"]
    assert list(store.labels()) == []


def test_a_wrong_key_and_a_missing_key_are_googles_answers(client, store):
    body = {"comment": {"text": CLEAN_AR}, "requestedAttributes": {"TOXICITY": {}}}
    wrong = client.post(f"{ANALYZE}?key=hk_site_not-a-key", json=body)
    missing = client.post(ANALYZE, json=body)
    key, _ = store.create_site("revoked")
    store.revoke_site("revoked")
    revoked = client.post(f"{ANALYZE}?key={key}", json=body)

    for answer in (wrong, revoked):
        assert answer.status_code == 400
        assert answer.get_json() == {"error": {
            "code": 400, "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT"}}
    assert missing.status_code == 403
    assert missing.get_json()["error"]["status"] == "PERMISSION_DENIED"


def test_a_route_or_method_perspective_never_had_is_googles_not_found(client, site_key):
    for answer in (client.get(f"{ANALYZE}?key={site_key}"),
                   client.post(f"/v1alpha1/comments:moderate?key={site_key}", json={})):
        assert answer.status_code == 404
        assert answer.get_json()["error"] == {"code": 404, "message": "Method not found.",
                                              "status": "NOT_FOUND"}


def test_a_body_over_the_size_limit_is_googles_payload_error(client, site_key, config):
    answer = client.post(f"{ANALYZE}?key={site_key}", data=b"x" * (config.max_body_bytes + 1),
                         content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"] == (
        f"Request payload size exceeds the limit: {config.max_body_bytes} bytes.")


def test_an_unexpected_failure_is_googles_internal_error_without_a_trace(client, site_key,
                                                                          monkeypatch):
    from hakam.service import moderation

    def broken(*_args, **_kwargs):
        raise RuntimeError("the model file is corrupt /srv/secret/path")

    monkeypatch.setattr(moderation, "score_comment", broken)
    answer = analyze(client, site_key, CLEAN_AR)

    assert answer.status_code == 500
    error = answer.get_json()["error"]
    assert error["status"] == "INTERNAL" and error["message"].startswith(
        "Internal error encountered (error id ")
    assert "secret" not in answer.get_data(as_text=True)


def test_redis_away_is_googles_unavailable(tmp_path, shipped_scorer):
    from hakam.service import create_app
    from hakam.service.config import Config
    from tests.redis_harness import free_port

    app = create_app(Config(redis_url=f"redis://127.0.0.1:{free_port()}/0",
                            data_dir=str(tmp_path), secret_key="s", testing=True),
                     scorer=shipped_scorer, start_workers=False)
    answer = analyze(app.test_client(), "hk_site_whatever", CLEAN_AR)

    assert answer.status_code == 503
    assert answer.get_json()["error"]["status"] == "UNAVAILABLE"
    assert answer.headers["Retry-After"] == "5"


# -- suggestscore ------------------------------------------------------------------------------


def suggest(client, key, text, scores, **fields):
    body = {"comment": {"text": text}, "attributeScores": scores, **fields}
    return client.post(f"{SUGGEST}?key={key}", json=body)


def perspective_labels(store):
    return [label for label in store.labels() if label["source"] == "perspective"]


def test_a_suggested_score_becomes_a_label_with_its_site_and_community(client, site_key,
                                                                        store):
    answer = suggest(client, site_key, ABUSIVE_AR,
                     {"TOXICITY": {"summaryScore": {"value": 0.9}},
                      "SPAM": {"summaryScore": {"value": 0.2}}},
                     communityId="Coral:https://talk.example", clientToken="comment:c1")

    assert answer.status_code == 200 and answer.get_json() == {"clientToken": "comment:c1"}
    assert perspective_labels(store) == [
        {"text": ABUSIVE_AR, "task": "abuse", "label": 1, "source": "perspective",
         "site": "akhbar", "community_id": "Coral:https://talk.example"},
        {"text": ABUSIVE_AR, "task": "spam", "label": 0, "source": "perspective",
         "site": "akhbar", "community_id": "Coral:https://talk.example"}]


def test_the_same_suggestion_under_the_same_client_token_is_kept_once(client, site_key,
                                                                       store):
    scores = {"TOXICITY": {"summaryScore": {"value": 1}}}
    for _ in range(3):
        assert suggest(client, site_key, ABUSIVE_AR, scores,
                       clientToken="comment:c2").status_code == 200

    assert len(perspective_labels(store)) == 1


def test_a_changed_verdict_under_the_same_token_is_a_new_label(client, site_key, store):
    for value in (1, 0, 1):  # rejected, then approved, then rejected again
        suggest(client, site_key, CLEAN_AR, {"TOXICITY": {"summaryScore": {"value": value}}},
                clientToken="comment:c3")

    assert [label["label"] for label in perspective_labels(store)] == [1, 0, 1]


def test_suggestions_without_a_token_are_each_kept(client, site_key, store):
    for _ in range(2):
        suggest(client, site_key, CLEAN_AR, {"TOXICITY": {"summaryScore": {"value": 0}}})
    assert len(perspective_labels(store)) == 2


def test_client_tokens_are_per_site(client, site_key, store):
    other_key, _ = store.create_site("gazette", language="en")
    scores = {"TOXICITY": {"summaryScore": {"value": 1}}}
    suggest(client, site_key, ABUSIVE_EN, scores, clientToken="comment:1")
    suggest(client, other_key, ABUSIVE_EN, scores, clientToken="comment:1")

    assert {label["site"] for label in perspective_labels(store)} == {"akhbar", "gazette"}


def test_span_scores_label_the_spans_they_name(client, site_key, store):
    text = "شكرا على التقرير. يا حمار"
    suggest(client, site_key, text, {"TOXICITY": {"spanScores": [
        {"begin": 0, "end": 17, "score": {"value": 0}},
        {"begin": 18, "end": 25, "score": {"value": 1}}]}})

    assert [(label["text"], label["label"]) for label in perspective_labels(store)] == [
        ("شكرا على التقرير.", 0), ("يا حمار", 1)]


@pytest.mark.parametrize("scores, message", [
    ({}, "attributeScores must not be empty."),
    ({"INSULT": {"summaryScore": {"value": 1}}},
     "Attribute INSULT does not support request languages: ar"),
    ({"TOXICITY": {}}, "attributeScores[TOXICITY] must give a summaryScore value or "
                       "spanScores."),
    ({"TOXICITY": {"spanScores": [{"begin": 3, "end": 999, "score": {"value": 1}}]}},
     "Invalid value at 'attributeScores[TOXICITY].spanScores[0]': begin and end must mark a "
     "span of the comment (0 <= begin < end <= 7)."),
])
def test_a_suggestion_hakam_cannot_learn_from_is_refused_and_keeps_nothing(
        client, site_key, store, scores, message):
    answer = suggest(client, site_key, "يا حمار", scores)

    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"] == message
    assert perspective_labels(store) == []
