"""The service under a real gunicorn: crash safety and what only a real server shows."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from hakam.service.store import Store, keys
from tests.hakam_server import HakamServer
from tests.redis_harness import wait_for_http


@pytest.fixture
def served(redis_url, tmp_path):
    """`hakam serve` with two workers on a free port; yields (server, store)."""
    server = HakamServer(redis_url, tmp_path, log_name="serve.log",
                         HAKAM_MAX_BODY_BYTES=str(64 * 1024)).start()
    try:
        yield server, Store.from_url(redis_url)
    finally:
        server.stop()


def test_every_comment_answered_201_is_stored_exactly_once_when_a_worker_is_killed(served):
    server, store = served
    base = server.url
    key, _ = store.create_site("akhbar")
    headers = {"Authorization": f"Bearer {key}"}
    total = 240
    answered: dict[str, str] = {}  # Idempotency-Key -> comment id
    lock = threading.Lock()
    started = threading.Event()
    killed: list[int] = []

    def post(n: int) -> None:
        body = {"comment": f"تعليق رقم {n} عن المقال، comment number {n}",
                "author": f"قارئ {n}", "email": f"r{n}@example.com", "comment_post_ID": "9"}
        idempotency_key = f"burst-{n}"
        with requests.Session() as session:
            # A client retries a request the crash cut off, with the same Idempotency-Key,
            # exactly as the WordPress plugin does.
            for _attempt in range(20):
                try:
                    response = session.post(f"{base}/v1/comments", json=body, timeout=10,
                                            headers={**headers,
                                                     "Idempotency-Key": idempotency_key})
                except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                    # refused, reset, or an answer cut off mid-body by the kill
                    time.sleep(0.2)
                    continue
                if n == 30:
                    started.set()
                if response.status_code == 201:
                    with lock:
                        answered[idempotency_key] = response.json()["id"]
                    return
                assert response.status_code in (502, 503), response.text
                time.sleep(0.2)

    def killer() -> None:
        started.wait(30)
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    kill_thread = threading.Thread(target=killer)
    kill_thread.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(post, range(total)))
    kill_thread.join()

    assert killed, "no worker was killed"
    assert len(answered) == total  # every request eventually got its 201
    prefix = keys.comment("akhbar", "")
    stored = [c for c in store.r.scan_iter(prefix + "*")]
    texts = [store.get_comment(k.removeprefix(prefix))["text"] for k in stored]
    assert len(texts) == len(set(texts)) == total  # exactly once each: no double, no loss
    for comment_id in answered.values():
        assert store.get_comment(comment_id) is not None
    # The master replaced the killed worker.
    wait_for_http(base + "/healthz")
    assert killed[0] not in server.worker_pids()


@pytest.mark.parametrize("path", ["/v1/comments", "/v1/review/claim"])
def test_a_chunked_body_over_the_limit_gets_413(served, path):
    server, store = served
    base = server.url
    key = (store.create_site("akhbar")[0] if path == "/v1/comments"
           else store.create_moderator("salma"))
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    chunk = json.dumps({"comment": "ب" * 10_000}).encode()

    def body():
        for _ in range(20):  # 20 x ~20 KB: well over the 64 KB limit, with no Content-Length
            yield chunk

    connection.request("POST", path, body=body(), encode_chunked=True,
                       headers={"Authorization": f"Bearer {key}",
                                "Content-Type": "application/json",
                                "Transfer-Encoding": "chunked"})
    response = connection.getresponse()
    assert response.status == 413
    assert b"Traceback" not in response.read()


def test_no_stack_trace_and_no_email_reaches_the_log(served, tmp_path):
    server, store = served
    base = server.url
    key, _ = store.create_site("akhbar")
    headers = {"Authorization": f"Bearer {key}"}
    requests.post(f"{base}/v1/comments", headers=headers, timeout=10,
                  json={"comment": "مرحبا", "author": "سر", "email": "private.person@example.com",
                        "comment_post_ID": "1"})
    requests.post(f"{base}/v1/comments", headers=headers, timeout=10,
                  data="{not json", )
    assert "private.person" not in server.log()


def _raw_answer(base: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client library would send these) and read the answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip()
               for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9_000 + b"\r\n\r\n", 431,
     "request_header_fields_too_large"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
     + b"".join(b"X-H%d: 1\r\n" % n for n in range(150)) + b"\r\n", 431,
     "request_header_fields_too_large"),
    (b"GET /" + b"a" * 5_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "request_uri_too_long"),
    (b"NOT HTTP AT ALL\r\n\r\n", 400, "bad_request"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n", 400, "bad_request"),
    (b"POST /v1/comments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: foo\r\n\r\n", 501,
     "not_implemented"),
], ids=["long header", "150 headers", "long path", "not http", "bad header name",
        "unknown transfer coding"])
def test_what_gunicorn_refuses_itself_is_answered_in_json(served, request_bytes, status, code):
    server, _store = served
    answer_status, headers, body = _raw_answer(server.url, request_bytes)
    assert answer_status == status
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["error"] == code and answer["message"]
    assert b"<html" not in body.lower()
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200


def test_a_refusal_by_gunicorn_speaks_the_readers_language_when_it_can(served):
    server, _store = served
    _status, _headers, english = _raw_answer(
        server.url, b"GET /healthz HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n"
        b"Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n")
    _status, _headers, arabic = _raw_answer(
        server.url, b"GET /" + b"a" * 5_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert json.loads(arabic)["message"] == "العنوان أطول من اللازم."
    assert json.loads(english)["message"] == "The request could not be read."
