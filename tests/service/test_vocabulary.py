"""The domain's words are defined once (service/vocabulary.py); what cannot import them (the Lua
scripts) or must name each of them (the moderator page's labels) is held to them here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hakam.service import vocabulary
from hakam.service.moderate import views
from hakam.service.vocabulary import ModeratorDecision, ModeratorReason, Status

LUA = Path(vocabulary.__file__).parent / "store" / "lua"
# a comparison of a comment's status, as the scripts write it
_STATUS_COMPARED = re.compile(r"(?:status|data\[1\])\s*[~=]=\s*'([a-z_]+)'")


def test_every_status_the_lua_scripts_compare_with_is_a_status():
    compared = {word for script in LUA.glob("*.lua")
                for word in _STATUS_COMPARED.findall(script.read_text())}
    assert compared  # the pattern still finds the scripts' comparisons
    assert compared <= {status.value for status in Status}


def test_a_status_is_its_string_in_json_and_as_a_key():
    assert Status.PENDING == "pending" and {"pending": 1}[Status.PENDING] == 1
    assert json.dumps({"status": Status.PENDING}) == '{"status": "pending"}'
    assert [decision.status for decision in ModeratorDecision] == [
        Status.APPROVED, Status.REJECTED, Status.SPAM]


@pytest.mark.parametrize("labels, words", [
    (views.hold_reason_labels, vocabulary.HOLD_REASONS),
    (views.decision_reason_labels, tuple(ModeratorReason)),
    (views.decision_labels, tuple(ModeratorDecision)),
    (views.status_labels, tuple(Status)),
])
def test_the_moderator_page_names_every_word_it_may_show(app, labels, words):
    with app.test_request_context("/moderate/"):
        named = labels()
    assert set(words) <= set(named)
    assert all(type(key) is str for key in named)  # the page's JSON carries them as keys
