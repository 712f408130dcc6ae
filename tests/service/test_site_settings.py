"""A site's settings live in one pure module (service/site_settings.py): the store, the request
layer and the policy build on it without importing one another, and a site's record as earlier
versions wrote it still loads."""

from __future__ import annotations

import ast
from pathlib import Path

import redis

from hakam.service import site_settings
from hakam.service.site_settings import Site, SitePolicy, SiteRules
from hakam.service.store import keys

SERVICE = Path(site_settings.__file__).parent


def _imports(path: Path) -> set[str]:
    """The modules a file imports, relative ones as written (".validation", "..policy")."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


def _pure(path: Path, seen: set[Path]) -> set[str]:
    """What `path` imports that is not pure: Flask, Babel, Redis, or a sibling service module
    that imports any of them (a sibling as pure as itself, like discussion.py, is allowed)."""
    seen.add(path)
    impure = set()
    for name in _imports(path):
        if name.split(".")[0] in ("flask", "flask_babel", "redis") or name.startswith(".."):
            impure.add(name)
        elif name.startswith("."):
            sibling = SERVICE / (name[1:].replace(".", "/") + ".py")
            if not sibling.exists():
                impure.add(name)  # a package (store, moderate, compat) is never pure
            elif sibling not in seen and _pure(sibling, seen):
                impure.add(name)
    return impure


def test_the_settings_module_imports_neither_flask_nor_redis_nor_the_rest_of_the_service():
    assert not _pure(SERVICE / "site_settings.py", set())


def test_the_store_does_not_import_the_request_layer():
    for path in (SERVICE / "store").glob("*.py"):
        imported = _imports(path)
        assert not {"..validation", "..schemas", "flask_babel"} & imported, path.name


def test_schemas_and_validation_no_longer_import_each_other():
    assert ".validation" not in _imports(SERVICE / "schemas.py")


def test_a_site_record_written_before_later_settings_existed_loads_with_their_defaults(
        store, redis_url):
    # As the first `sites add` wrote it: no adapt, abuse_recall, trusted_domains, audit_rate or
    # check_deliverability, and no retention_days field at all.
    redis.Redis.from_url(redis_url).hset(keys.site("qadim"), mapping={
        "name": "qadim", "language": "en", "webhook_url": "", "webhook_secret": "s",
        "key_hash": "h", "folded_key_hash": "f", "revoked": "0", "created_at": "1",
        "rules": '{"require_name_email":false}',
        "policy": '{"premoderation":true,"disallowed_words":["casino"],"moderation_words":[],'
                  '"max_links":3,"previously_approved":false,"spam_reject":null,'
                  '"spam_hold":0.4,"abuse_hold":null}',
    })
    assert store.get_site("qadim") == Site(
        name="qadim", language="en", rules=SiteRules(require_name_email=False),
        policy=SitePolicy(premoderation=True, disallowed_words=("casino",), max_links=3,
                          spam_hold=0.4))


def test_settings_changed_and_read_back_are_the_settings_given(store):
    store.create_site("akhbar")
    policy = SitePolicy().updated({"moderation_words": ["كلب"], "trusted_domains": ["bbc.com"],
                                   "abuse_recall": 0.9, "audit_rate": 0.5})
    rules = SiteRules().updated({"check_deliverability": True})
    store.configure_site("akhbar", rules=rules, policy=policy, retention_days=30)
    site = store.get_site("akhbar")
    assert (site.rules, site.policy, site.retention_days) == (rules, policy, 30)
    assert site.policy.moderation_words == ("كلب",)
    store.configure_site("akhbar", retention_days=0)
    assert store.get_site("akhbar").retention_days is None
