"""The API against its own description: schemathesis reads /openapi.json from a real `hakam serve`
(gunicorn, the shipped model, a real Redis) and sends every operation requests built from it,
valid ones (which must be accepted) and invalid ones (which must be refused with a 4xx), then
checks every answer against the document: its status is listed, its body has the listed shape,
no answer is a server error. A bounded number of examples per operation keeps it to seconds."""

from __future__ import annotations

import json
import os

import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode

from hakam.service import openapi
from hakam.service.store import Store
from tests.hakam_server import HakamServer
from tests.redis_harness import ThrowawayRedis

EXAMPLES_PER_OPERATION = int(os.environ.get("HAKAM_FUZZ_EXAMPLES", "20"))


class ServedAPI:
    def __init__(self, server: HakamServer, site_key: str, moderator_token: str) -> None:
        self.server = server
        self.credentials = {"siteKey": site_key, "moderatorToken": moderator_token}

    def headers_for(self, case) -> dict[str, str]:
        """The credentials the operation's security scheme names."""
        (requirement,) = case.operation.definition.raw["security"]
        (scheme,) = requirement
        return {"Authorization": f"Bearer {self.credentials[scheme]}"}


@pytest.fixture(scope="module")
def served_api(tmp_path_factory):
    redis_server = ThrowawayRedis().start()
    server = HakamServer(redis_server.url, tmp_path_factory.mktemp("openapi-fuzz"), workers=2)
    try:
        store = Store.from_url(redis_server.url)
        site_key, _secret = store.create_site("akhbar")
        token = store.create_moderator("salma")
        server.start("/readyz")
        yield ServedAPI(server, site_key, token)
    finally:
        server.stop()
        redis_server.stop()


# The very document GET /openapi.json serves (a test below checks they are one), read at
# collection so that every operation is a test of its own.
# A reader's email is one email_validator takes (RFC 5321/6531): Hypothesis's addresses, where
# the generic generator for the format also writes special-use domains (a@b.test).
schemathesis.openapi.format("idn-email", st.emails())
schema = schemathesis.openapi.from_dict(openapi.document())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES_PER_OPERATION, deterministic=True, with_security_parameters=False)


def test_the_fuzzed_document_is_the_one_the_service_serves(served_api):
    served = requests.get(served_api.server.url + "/openapi.json", timeout=10).json()
    assert served == json.loads(json.dumps(openapi.document()))


@schema.parametrize()
def test_every_answer_is_what_the_openapi_document_says(case, served_api):
    case.call_and_validate(base_url=served_api.server.url, headers=served_api.headers_for(case))
