"""Two `hakam serve` instances on a real Redis Cluster, and the loss of a master.

The cluster here is this module's own (the session's stays whole for the other tests): three
masters, three replicas, a 1.5 s cluster-node-timeout. Sites are chosen so their hash tags
fall on all three masters.

With replica acknowledgements on (a cluster's default), the killed master's replica, once
promoted, has no replica of its own, so its sites' comments are answered 503 until one is back:
no comment is promised that one more failure could lose. The test heals the cluster as a
supervisor would, by restarting the killed node (it rejoins as a replica), and measures both
the promotion and the time until those sites take comments again."""

from __future__ import annotations

import threading
import time

import pytest
import redis
import requests

from hakam.service.policy import SitePolicy
from hakam.service.store import Store, keys
from tests.factories import a_comment
from tests.hakam_server import HakamServer
from tests.redis_harness import ThrowawayRedisCluster

SITES = ("akhbar", "bench", "gazette")  # slots 8271, 2933 and 12815: one per master
READY_WITHIN = 30.0


@pytest.fixture(scope="module")
def cluster():
    cluster = ThrowawayRedisCluster(node_timeout_ms=1500).start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def newsroom(cluster, tmp_path_factory):
    """Sites, a moderator and two instances of the service behind no shared state but the
    cluster."""
    store = Store.from_url(cluster.url)
    site_keys = {name: store.create_site(name)[0] for name in SITES}
    token = store.create_moderator("salma")
    folder = tmp_path_factory.mktemp("cluster-serve")
    instances = [HakamServer(cluster.url, folder, workers=2, log_name=f"hakam-{n}.log")
                 for n in ("a", "b")]
    try:
        for instance in instances:
            instance.start("/readyz")
        yield store, site_keys, token, instances
    finally:
        for instance in instances:
            instance.stop()


def keys_per_master(cluster) -> dict[int, int]:
    return {port: redis.Redis(port=port).dbsize() for port in cluster.masters()}


def test_comments_taken_on_one_instance_are_claimed_and_decided_on_the_other(newsroom,
                                                                             cluster):
    store, site_keys, token, (a, b) = newsroom
    for name in SITES:
        store.configure_site(name, policy=SitePolicy(premoderation=True))
    time.sleep(2.1)  # the instances' site caches (2 s) see the change
    posted = []
    for name in SITES * 2:
        answer = requests.post(f"{a.url}/v1/comments", json=a_comment(),
                               headers={"Authorization": f"Bearer {site_keys[name]}"}, timeout=10)
        assert answer.status_code == 201 and answer.json()["status"] == "pending"
        posted.append(answer.json()["id"])
    moderator = {"Authorization": f"Bearer {token}"}

    claimed = requests.post(f"{b.url}/v1/review/claim", json={"limit": 10}, headers=moderator,
                            timeout=10).json()["comments"]
    assert [c["id"] for c in claimed] == posted  # every site's, oldest first
    for comment in claimed:
        decided = requests.post(f"{b.url}/v1/review/{comment['id']}/decision",
                                json={"decision": "approve"}, headers=moderator, timeout=10)
        assert decided.status_code == 200
    for comment in claimed:
        seen = requests.get(f"{a.url}/v1/comments/{comment['id']}", timeout=10,
                            headers={"Authorization": f"Bearer {site_keys[comment['site']]}"})
        assert seen.json()["status"] == "approved"
    assert sum(1 for count in keys_per_master(cluster).values() if count) == 3
    for name in SITES:
        store.configure_site(name, policy=SitePolicy())


def test_killing_the_busiest_master_loses_no_answered_comment_and_doubles_none(
        newsroom, cluster, record_property):
    store, site_keys, _token, instances = newsroom
    busiest = max(keys_per_master(cluster).items(), key=lambda item: item[1])[0]
    stop = threading.Event()
    # Idempotency-Key -> (site, id, when the answered request was sent)
    answered: dict[str, tuple[str, str, float]] = {}
    texts: dict[str, str] = {}  # Idempotency-Key -> text
    statuses: list[int] = []
    missing_retry_after: list[int] = []
    lock = threading.Lock()
    last_failure: dict[str, str] = {}

    def keep_posting(client: str) -> None:
        number = 0
        with requests.Session() as session:
            while not stop.is_set():
                number += 1
                site = SITES[number % len(SITES)]
                idempotency_key = f"{client}-{number}"
                body = a_comment(comment=f"تعليق {idempotency_key} على المقال")
                headers = {"Authorization": f"Bearer {site_keys[site]}",
                           "Idempotency-Key": idempotency_key}
                with lock:
                    texts[idempotency_key] = body["comment"]
                give_up = time.monotonic() + 60
                attempt = 0
                while time.monotonic() < give_up:
                    instance = instances[(number + attempt) % 2]  # retries try both instances
                    attempt += 1
                    sent_at = time.monotonic()
                    try:
                        response = session.post(f"{instance.url}/v1/comments", json=body,
                                                headers=headers, timeout=10)
                    except requests.RequestException as error:
                        last_failure[idempotency_key] = repr(error)
                        time.sleep(0.1)
                        continue
                    with lock:
                        statuses.append(response.status_code)
                    if response.status_code == 201:
                        with lock:
                            answered[idempotency_key] = (site, response.json()["id"], sent_at)
                        break
                    last_failure[idempotency_key] = f"{response.status_code} {response.text}"
                    if response.status_code == 503:
                        if "Retry-After" not in response.headers:
                            missing_retry_after.append(response.status_code)
                        time.sleep(0.2)  # shorter than Retry-After, to see recovery sooner
                        continue
                    return  # anything else is a failure the assertions below report

    clients = [threading.Thread(target=keep_posting, args=(name,)) for name in ("c1", "c2")]
    for client in clients:
        client.start()
    with redis.RedisCluster(host="127.0.0.1", port=busiest) as client:
        sites_on_it = {name for name in SITES
                       if client.get_node_from_key(keys.pending(name)).port == busiest}
    time.sleep(1.5)
    killed_at = time.monotonic()
    cluster.kill(busiest)
    cluster.wait_for_failover(busiest)
    promoted = time.monotonic() - killed_at
    cluster.start_node(busiest)  # back, as a replica of the promoted one

    ready_at = {}
    while len(ready_at) < len(instances) and time.monotonic() - killed_at < 60:
        for n, instance in enumerate(instances):
            try:
                if n not in ready_at and requests.get(f"{instance.url}/readyz",
                                                      timeout=2).status_code == 200:
                    ready_at[n] = time.monotonic() - killed_at
            except requests.RequestException:
                pass
        time.sleep(0.1)
    time.sleep(2)  # a little more traffic on the healed cluster
    stop.set()
    for client in clients:
        client.join(90)

    assert set(statuses) <= {201, 503}, statuses  # never a 500, never another error
    assert not missing_retry_after
    assert len(ready_at) == 2 and max(ready_at.values()) < READY_WITHIN, ready_at
    unanswered = {key: last_failure.get(key) for key in set(texts) - set(answered)}
    assert not unanswered  # every comment was eventually answered 201
    for site, comment_id, _at in answered.values():
        assert store.get_comment(comment_id, site=site) is not None
    stored_texts = []  # from each master as it is now (a replica holds copies)
    for port in cluster.masters():
        node = redis.Redis(port=port, decode_responses=True)
        stored_texts += [node.hget(key, "text")
                         for key in node.scan_iter(keys.site_key("*", "comment", "*"))]
    for idempotency_key, text in texts.items():
        assert stored_texts.count(text) == 1, idempotency_key  # none lost, none twice
    # The killed master's sites took comments again once its replica took over: the first
    # 201 for a request sent after the kill.
    resumed = min(sent for site, _id, sent in answered.values()
                  if site in sites_on_it and sent > killed_at) - killed_at
    record_property("promoted_seconds", round(promoted, 2))
    record_property("failover_seconds", round(resumed, 2))
    record_property("ready_seconds", {n: round(t, 2) for n, t in ready_at.items()})
    record_property("comments", len(answered))
    record_property("answers_503", statuses.count(503))
    print(f"\nkilled master {busiest} ({', '.join(sorted(sites_on_it))}): replica promoted "
          f"after {promoted:.2f} s, the node back as its replica at once; their comments "
          f"were taken again {resumed:.2f} s after the kill; instances ready after "
          f"{ready_at} s; {len(answered)} comments, {statuses.count(503)} answers 503")
