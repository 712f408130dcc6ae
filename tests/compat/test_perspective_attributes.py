"""Perspective's IDENTITY_ATTACK, INSULT, PROFANITY and THREAT, answered with the attribute
heads' numbers: the same numbers POST /v1/comments gives, Perspective's own 400 where a head
does not read the comment's language (threat on Arabic), dropped instead under
`dropUnsupportedAttributes`, and span scores per sentence. The scorer is scripted (the shipped
model may have no attribute heads); the real `perspective` client is served over real HTTP."""

from __future__ import annotations

import json
import threading
import urllib.error

import pytest
from perspective import PerspectiveAPI
from werkzeug.serving import make_server

from tests.factories import a_comment
from tests.service.scripted_scorer import ScriptedScorer

ANALYZE = "/v1alpha1/comments:analyze"
ATTRIBUTES = {"IDENTITY_ATTACK": "identity_attack", "INSULT": "insult",
              "PROFANITY": "profanity", "THREAT": "threat"}
ENGLISH = "You people are vermin, I will burn your shop"
ARABIC = "يا حثالة، ارحلوا من بلدنا"


@pytest.fixture
def scorer():
    """Overrides the shipped scorer of tests/compat/conftest.py: these tests need attribute
    numbers of their own choosing."""
    scripted = ScriptedScorer()
    scripted.will_score("vermin", abuse=0.91, identity_attack=0.83, insult=0.77,
                        profanity=0.12, threat=0.64)
    scripted.will_score("thanks", abuse=0.02, identity_attack=0.01, insult=0.03,
                        profanity=0.01, threat=0.02)
    # Arabic: no threat head reads it
    scripted.will_score("حثالة", abuse=0.88, identity_attack=0.71, insult=0.9, profanity=0.2)
    return scripted


def analyze(client, key, text, attributes, **fields):
    body = {"comment": {"text": text},
            "requestedAttributes": {name: {} for name in attributes}, **fields}
    return client.post(f"{ANALYZE}?key={key}", json=body)


def summaries(answer) -> dict[str, float]:
    return {name: entry["summaryScore"]["value"]
            for name, entry in answer.get_json()["attributeScores"].items()}


def test_each_attribute_is_the_very_score_post_v1_comments_gives(client, site_key,
                                                                   site_headers):
    posted = client.post("/v1/comments", json=a_comment(comment=ENGLISH),
                         headers=site_headers).get_json()["scores"]

    answer = analyze(client, site_key, ENGLISH, ["TOXICITY", *ATTRIBUTES])

    assert answer.status_code == 200
    assert summaries(answer) == {"TOXICITY": posted["abuse"], **{
        name: posted[head] for name, head in ATTRIBUTES.items()}}
    assert summaries(answer)["IDENTITY_ATTACK"] == 0.83
    entry = answer.get_json()["attributeScores"]["THREAT"]
    assert entry["summaryScore"]["type"] == "PROBABILITY"


@pytest.mark.parametrize("languages", [None, ["en"], ["ar"]])
def test_threat_on_arabic_is_perspectives_language_error(client, site_key, languages):
    fields = {"languages": languages} if languages else {}
    answer = analyze(client, site_key, ARABIC, ["INSULT", "THREAT"], **fields)

    assert answer.status_code == 400
    assert answer.get_json() == {"error": {
        "code": 400, "status": "INVALID_ARGUMENT",
        # the language Hakam read the comment in, whatever the request said (Coral says en)
        "message": "Attribute THREAT does not support request languages: ar",
        "details": [{"@type": "type.googleapis.com/google.commentanalyzer.v1alpha1.Error",
                     "errorType": "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                     "languageNotSupportedByAttributeError": {
                         "detectedLanguages": ["ar"], "attribute": "THREAT"}}]}}


def test_drop_unsupported_attributes_leaves_threat_out_of_an_arabic_answer(client, site_key):
    answer = analyze(client, site_key, ARABIC, ["TOXICITY", *ATTRIBUTES],
                     dropUnsupportedAttributes=True)

    assert answer.status_code == 200
    assert summaries(answer) == {"TOXICITY": 0.88, "IDENTITY_ATTACK": 0.71, "INSULT": 0.9,
                                 "PROFANITY": 0.2}


def test_score_threshold_applies_to_an_attribute(client, site_key):
    body = {"comment": {"text": ENGLISH}, "requestedAttributes": {
        "PROFANITY": {"scoreThreshold": 0.5}, "INSULT": {"scoreThreshold": 0.5}}}
    answer = client.post(f"{ANALYZE}?key={site_key}", json=body)

    assert summaries(answer) == {"INSULT": 0.77}


def test_span_annotations_score_each_sentence_and_skip_one_the_head_cannot_read(client,
                                                                                 site_key):
    text = "Well, thanks for this. You people are vermin! يا حثالة"
    answer = analyze(client, site_key, text, ["INSULT", "THREAT"], spanAnnotations=True)

    scores = answer.get_json()["attributeScores"]
    insult = [(text[s["begin"]:s["end"]], s["score"]["value"])
              for s in scores["INSULT"]["spanScores"]]
    threat = [(text[s["begin"]:s["end"]], s["score"]["value"])
              for s in scores["THREAT"]["spanScores"]]
    assert insult == [("Well, thanks for this.", 0.03), ("You people are vermin!", 0.77),
                      ("يا حثالة", 0.9)]
    # no threat head reads the Arabic sentence: no span score for it, rather than a made-up 0
    assert threat == [("Well, thanks for this.", 0.02), ("You people are vermin!", 0.64)]


# -- the perspective PyPI client, over real HTTP --------------------------------------------


@pytest.fixture
def served_app(app):
    """The app (scripted scorer) behind a real HTTP server on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def python_client(url, key) -> PerspectiveAPI:
    client = PerspectiveAPI(key)
    client.api_client.url = url + "/v1alpha1/{endpoint}"
    return client


def test_the_python_client_gets_every_attribute_with_spans(served_app, site_key):
    result = python_client(served_app, site_key).analyze_comment(
        ENGLISH, requested_attributes={name: {} for name in ["TOXICITY", *ATTRIBUTES]},
        span_annotations=True, languages=["en"], client_token="t-9")

    assert {name: entry["summaryScore"]["value"]
            for name, entry in result["attributeScores"].items()} == {
        "TOXICITY": 0.91, "IDENTITY_ATTACK": 0.83, "INSULT": 0.77, "PROFANITY": 0.12,
        "THREAT": 0.64}
    assert result["attributeScores"]["IDENTITY_ATTACK"]["spanScores"] == [
        {"begin": 0, "end": len(ENGLISH), "score": {"value": 0.83, "type": "PROBABILITY"}}]
    assert result["clientToken"] == "t-9"


def test_the_python_client_sees_perspectives_error_for_threat_on_arabic(served_app, site_key):
    with pytest.raises(urllib.error.HTTPError) as raised:
        python_client(served_app, site_key).analyze_comment(
            ARABIC, requested_attributes={"INSULT": {}, "THREAT": {}})

    assert raised.value.code == 400
    error = json.loads(raised.value.read())["error"]
    assert error["message"] == "Attribute THREAT does not support request languages: ar"
    assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
