"""A site's editor judges its own comments: POST /v1/comments/{id}/feedback becomes a label."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hakam.service.cli import main
from tests.factories import a_comment


@pytest.fixture
def comment_id(client, site_headers) -> str:
    response = client.post("/v1/comments", headers=site_headers,
                           json=a_comment(comment="اشتري الآن بسعر خاص"))
    assert response.status_code == 201
    return response.get_json()["id"]


def _site_labels(store) -> list[dict]:
    return [label for label in store.labels() if label["source"] == "site"]


@pytest.mark.parametrize("label, task, value", [
    ("spam", "spam", 1),
    ("ham", "spam", 0),
    ("abuse", "abuse", 1),
    ("ok", "abuse", 0),
])
def test_feedback_is_stored_as_a_site_label_on_the_right_head(client, site_headers, store,
                                                              comment_id, label, task, value):
    response = client.post(f"/v1/comments/{comment_id}/feedback", headers=site_headers,
                           json={"label": label})

    assert response.status_code == 201
    assert response.get_json() == {"comment_id": comment_id, "label": label, "task": task,
                                   "value": value, "source": "site"}
    assert _site_labels(store) == [{"text": "اشتري الآن بسعر خاص", "task": task,
                                    "label": value, "source": "site", "site": "akhbar"}]


def test_feedback_does_not_change_the_comments_status(client, site_headers, comment_id):
    before = client.get(f"/v1/comments/{comment_id}", headers=site_headers).get_json()["status"]
    client.post(f"/v1/comments/{comment_id}/feedback", headers=site_headers,
                json={"label": "spam"})
    after = client.get(f"/v1/comments/{comment_id}", headers=site_headers).get_json()["status"]
    assert after == before


def test_a_second_feedback_adds_a_label_rather_than_replacing_the_first(client, site_headers,
                                                                       store, comment_id):
    for label in ("spam", "ham"):
        assert client.post(f"/v1/comments/{comment_id}/feedback", headers=site_headers,
                           json={"label": label}).status_code == 201

    assert [(x["task"], x["label"]) for x in _site_labels(store)] == [("spam", 1), ("spam", 0)]


def test_another_sites_comment_is_not_found_and_gets_no_label(client, store, comment_id):
    other_key, _ = store.create_site("jarida")
    response = client.post(f"/v1/comments/{comment_id}/feedback", json={"label": "spam"},
                           headers={"Authorization": f"Bearer {other_key}"})

    assert response.status_code == 404
    assert _site_labels(store) == []


def test_an_unknown_comment_is_not_found(client, site_headers):
    response = client.post("/v1/comments/no-such-id/feedback", headers=site_headers,
                           json={"label": "spam"})
    assert response.status_code == 404


@pytest.mark.parametrize("body", [
    {"label": "maybe"},
    {},
    {"label": "SPAM"},
])
def test_an_unknown_label_is_refused_with_422(client, site_headers, store, comment_id, body):
    response = client.post(f"/v1/comments/{comment_id}/feedback", headers=site_headers,
                           json=body)
    assert response.status_code == 422
    assert "Traceback" not in response.get_data(as_text=True)
    assert _site_labels(store) == []


def test_a_body_that_is_not_a_json_object_is_a_400(client, site_headers, comment_id):
    response = client.post(f"/v1/comments/{comment_id}/feedback", headers=site_headers,
                           data="label=spam",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_feedback_needs_the_site_key(client, comment_id):
    response = client.post(f"/v1/comments/{comment_id}/feedback", json={"label": "spam"})
    assert response.status_code == 401


def test_labels_export_includes_site_feedback(client, site_headers, comment_id, redis_url,
                                              monkeypatch, tmp_path):
    client.post(f"/v1/comments/{comment_id}/feedback", headers=site_headers,
                json={"label": "abuse"})
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path))

    result = CliRunner().invoke(main, ["labels", "export"], catch_exceptions=False)

    exported = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"text": "اشتري الآن بسعر خاص", "task": "abuse", "label": 1,
            "source": "site", "site": "akhbar"} in exported
