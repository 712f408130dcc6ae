"""The `akismet` PyPI client (25.x), sync and async and unchanged, against a real `hakam
serve`: its requests go to rest.akismet.com as always, and an httpx transport delivers them to
the test server instead, the way a site's HTTP proxy or DNS would."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import akismet
import httpx
import pytest

from hakam.service.policy import SitePolicy

BLOG = "https://news.example"
CLEAN = "شكرا على هذا التقرير المفصل، نتمنى متابعة القضية"
PRIZE_SPAM = "اربح الآن جوائز مجانية! تواصل واتساب 0555123456 www.example-prize.com"
ONE_LINK = "مقال رائع، وهذا رابط لمدونتي https://my-blog.example/post"
EMAIL = "reader.somebody@example.org"
IP = "198.51.100.23"


def _to(server_url: str, url: httpx.URL) -> httpx.URL:
    target = httpx.URL(server_url)
    return url.copy_with(scheme=target.scheme, host=target.host, port=target.port)


class ToHakam(httpx.HTTPTransport):
    def __init__(self, server_url: str) -> None:
        super().__init__()
        self.server_url = server_url

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = _to(self.server_url, request.url)  # the Host header stays Akismet's
        return super().handle_request(request)


class AsyncToHakam(httpx.AsyncHTTPTransport):
    def __init__(self, server_url: str) -> None:
        super().__init__()
        self.server_url = server_url

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = _to(self.server_url, request.url)
        return await super().handle_async_request(request)


def sync_http(server) -> httpx.Client:
    return httpx.Client(transport=ToHakam(server.url), timeout=10,
                        headers={"User-Agent": akismet.USER_AGENT})


def async_http(server) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=AsyncToHakam(server.url), timeout=10,
                             headers={"User-Agent": akismet.USER_AGENT})


@pytest.fixture
def strict_site(served, served_site):
    """The served site holding any comment with a link (WordPress's link limit at 0)."""
    _server, store = served
    name, key = served_site
    store.configure_site(name, policy=SitePolicy(max_links=0))
    return name, key


def akismet_labels(store, site):
    return [label for label in store.labels() if label["site"] == site
            and label["source"] == "akismet"]


def test_the_sync_client_checks_comments_as_ham_spam_and_discard(served, strict_site):
    server, _store = served
    _name, key = strict_site
    client = akismet.SyncClient.validated_client(config=akismet.Config(key=key, url=BLOG),
                                                 http_client=sync_http(server))
    fields = {"comment_type": "comment", "comment_author": "قارئ",
              "comment_author_email": EMAIL, "user_agent": "Mozilla/5.0"}

    assert client.comment_check(IP, comment_content=CLEAN, **fields) == akismet.CheckResponse.HAM
    assert client.comment_check(IP, comment_content=ONE_LINK,
                                **fields) == akismet.CheckResponse.SPAM
    assert client.comment_check(IP, comment_content=PRIZE_SPAM,
                                **fields) == akismet.CheckResponse.DISCARD
    assert client.comment_check(IP, comment_content=PRIZE_SPAM, user_role="administrator",
                                **fields) == akismet.CheckResponse.HAM


def test_the_sync_clients_submissions_become_labels_and_test_ones_do_not(served,
                                                                          served_site):
    server, store = served
    name, key = served_site
    client = akismet.SyncClient(config=akismet.Config(key=key, url=BLOG),
                                http_client=sync_http(server))

    assert client.submit_spam(IP, comment_content=PRIZE_SPAM, comment_author_email=EMAIL)
    assert client.submit_ham(IP, comment_content=CLEAN, comment_author_email=EMAIL)
    assert client.submit_spam(IP, comment_content="اختبار", is_test=True)

    assert akismet_labels(store, name) == [
        {"text": PRIZE_SPAM, "task": "spam", "label": 1, "source": "akismet", "site": name},
        {"text": CLEAN, "task": "spam", "label": 0, "source": "akismet", "site": name}]


def test_the_sync_client_sees_a_wrong_key_as_invalid(served):
    server, _store = served
    config = akismet.Config(key="hk_site_not-a-key", url=BLOG)
    client = akismet.SyncClient(config=config, http_client=sync_http(server))

    assert client.verify_key() is False
    with pytest.raises(akismet.APIKeyError):
        client.comment_check(IP, comment_content=CLEAN)
    with pytest.raises(akismet.APIKeyError):
        akismet.SyncClient.validated_client(config=config, http_client=sync_http(server))


def test_the_sync_clients_usage_and_key_sites_calls_do_not_break(served, served_site):
    server, _store = served
    client = akismet.SyncClient.validated_client(
        config=akismet.Config(key=served_site[1], url=BLOG), http_client=sync_http(server))

    assert client.usage_limit()["throttled"] is False
    assert client.key_sites()["total"] == 0  # the client sends no key to key-sites
    assert client.key_sites(result_format="csv").startswith("Active sites for")


def test_the_async_client_does_the_same(served, strict_site):
    server, store = served
    name, key = strict_site

    async def run():
        client = await akismet.AsyncClient.validated_client(
            config=akismet.Config(key=key, url=BLOG), http_client=async_http(server))
        checks = [await client.comment_check(IP, comment_content=text, comment_author_email=EMAIL)
                  for text in (CLEAN, ONE_LINK, PRIZE_SPAM)]
        submitted = [await client.submit_spam(IP, comment_content=PRIZE_SPAM),
                     await client.submit_ham(IP, comment_content=CLEAN)]
        wrong = akismet.AsyncClient(config=akismet.Config(key="hk_site_nope", url=BLOG),
                                    http_client=async_http(server))
        verified = await wrong.verify_key()
        try:
            await akismet.AsyncClient.validated_client(
                config=akismet.Config(key="hk_site_nope", url=BLOG),
                http_client=async_http(server))
            refused = False
        except akismet.APIKeyError:
            refused = True
        return checks, submitted, verified, refused

    # A loop of its own, in a thread of its own: a test that ran before in this process (the
    # moderator page's, through Playwright's sync API) may leave an event loop running here.
    with ThreadPoolExecutor(max_workers=1) as thread:
        checks, submitted, verified, refused = thread.submit(asyncio.run, run()).result()

    assert checks == [akismet.CheckResponse.HAM, akismet.CheckResponse.SPAM,
                      akismet.CheckResponse.DISCARD]
    assert submitted == [True, True]
    assert verified is False and refused
    assert [label["label"] for label in akismet_labels(store, name)] == [1, 0]


def test_no_email_ip_or_key_reaches_the_servers_log(served, served_site):
    server, _store = served
    _name, key = served_site
    client = akismet.SyncClient.validated_client(config=akismet.Config(key=key, url=BLOG),
                                                 http_client=sync_http(server))
    client.comment_check(IP, comment_content=CLEAN, comment_author_email=EMAIL)
    client.submit_ham(IP, comment_content=CLEAN, comment_author_email=EMAIL)
    by_host = httpx.post(f"{server.url}/1.1/comment-check", timeout=10,
                         headers={"Host": f"{key.lower()}.hakam.example"},
                         data={"blog": BLOG, "user_ip": IP, "comment_content": CLEAN})
    assert by_host.text == "false"  # the key in the Host name, lower-cased as Node's URL does

    log = server.log()
    assert '"POST /1.1/comment-check" 200' in log
    assert EMAIL not in log and IP not in log
    assert key not in log and key.lower() not in log and key[8:].lower() not in log.lower()


def test_a_readers_erasure_removes_the_labels_their_akismet_submissions_made(served,
                                                                           served_site):
    import requests

    from tests.redis_harness import everything_stored

    server, store = served
    name, key = served_site
    client = akismet.SyncClient(config=akismet.Config(key=key, url=BLOG),
                                http_client=sync_http(server))
    client.submit_spam(IP, comment_content=PRIZE_SPAM, comment_author_email=EMAIL)
    client.submit_ham(IP, comment_content=CLEAN + " ١", comment_author_email="other@example.org")
    site_api = {"Authorization": f"Bearer {key}"}

    exported = requests.post(f"{server.url}/v1/readers/export", headers=site_api, timeout=10,
                             json={"email": EMAIL.upper()}).json()
    assert [(x["text"], x["label"], x["source"]) for x in exported["labels"]] == [
        (PRIZE_SPAM, 1, "akismet")]
    assert store.private_key(EMAIL) not in json.dumps(store.r.xrange(f"hakam:{{{name}}}:labels"))

    erased = requests.post(f"{server.url}/v1/readers/erase", headers=site_api, timeout=10,
                           json={"email": EMAIL})
    assert erased.json() == {"erased": 0, "labels": 1}
    assert [x["text"] for x in akismet_labels(store, name)] == [CLEAN + " ١"]
    # this site's keys (the served store is shared by the module's tests, each with a site)
    stored = [line for line in everything_stored(store.r).splitlines()
              if line.startswith(f"hakam:{{{name}}}:")]
    assert stored and not [line for line in stored
                           if PRIZE_SPAM in line or store.private_key(EMAIL) in line]
