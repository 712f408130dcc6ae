"""Each Lua script binds its KEYS and ARGV to locals named as its spec in service/store/scripts.py
names them, in the same order, and reads no other position by number: Python and Lua cannot
drift apart by an index."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from hakam.service.store import scripts

SCRIPTS = [value for value in vars(scripts).values() if isinstance(value, scripts.Script)]

BINDING = re.compile(r"^local (\w+) = (?:tonumber\()?(KEYS|ARGV)\[(\d+)\]\)?(?:\s*--.*)?$")
FIXED = re.compile(r"^local FIXED_(KEYS|ARGS) = (\d+)\b")
NUMBERED = re.compile(r"\b(KEYS|ARGV)\[\d+\]")


def _lines(script: scripts.Script) -> list[str]:
    return script.text.splitlines()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.name)
def test_every_script_binds_its_keys_and_arguments_by_the_specs_names_in_order(script):
    bound = {"KEYS": [], "ARGV": []}
    for line in _lines(script):
        if match := BINDING.match(line):
            name, table, index = match.groups()
            bound[table].append(name)
            assert int(index) == len(bound[table]), f"{script.name}.lua: {line}"
    assert bound["KEYS"] == list(script.keys)
    assert bound["ARGV"] == list(script.args)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.name)
def test_a_scripts_tail_starts_after_the_names_it_binds(script):
    fixed = {table: int(count) for line in _lines(script)
             if (match := FIXED.match(line)) for table, count in [match.groups()]}
    if script.more_keys:
        assert fixed.get("KEYS") == len(script.keys)
    if script.more_args:
        assert fixed.get("ARGS") == len(script.args)
    assert "KEYS" not in fixed or script.more_keys
    assert "ARGS" not in fixed or script.more_args


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda script: script.name)
def test_no_script_reads_a_key_or_argument_by_a_bare_number(script):
    stray = [line for line in _lines(script)
             if NUMBERED.search(line) and not BINDING.match(line)]
    assert stray == []


def test_every_lua_file_has_a_spec():
    files = {path.name.removesuffix(".lua")
             for path in resources.files("hakam.service.store").joinpath("lua").iterdir()
             if path.name.endswith(".lua")}
    assert files == {script.name for script in SCRIPTS}


def test_a_call_missing_or_misnaming_an_argument_is_refused_before_redis_is_asked():
    with pytest.raises(TypeError, match=r"missing \['token'\], unknown \['tokn'\]"):
        scripts.RENEW_FIT_LOCK.call(adapt_lock_key="k", tokn="1", lock_ms=0)
    with pytest.raises(TypeError, match="no more keys or arguments"):
        scripts.REPLAY.call(idempotency_key="k", more_args=["x"])


def test_a_call_lists_keys_and_arguments_in_the_specs_order_then_the_tails():
    call = scripts.CLAIM.call(
        leases_key="l", pending_key="p", dry_run="0", own_too="1", reason="", moderator="m",
        limit=2, deadline=9, now=1, more_keys=["c1", "c2"], more_args=["1", "2"])
    assert call == {"keys": ["p", "l", "c1", "c2"], "args": [1, 9, 2, "m", "", "1", "0", "1", "2"]}
