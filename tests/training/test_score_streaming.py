"""`hakam score` streams: each answer comes out while later lines are still being written, so
100,000 lines never sit in memory together."""

from __future__ import annotations

import json
import subprocess
import sys
import threading


def test_score_answers_before_the_input_ends(trained_model):
    process = subprocess.Popen(
        [sys.executable, "-m", "hakam.service.cli", "score", "--model", str(trained_model)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        process.stdin.write(json.dumps({"text": "كلب حمار غبي حقير"}) + "\n")
        process.stdin.flush()
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(process.stdout.readline()))
        reader.start()
        reader.join(timeout=60)
        assert first and first[0], "no answer while the input was still open"
        assert json.loads(first[0])["abuse"] > 0.5
        # the stream is still open: more lines keep being answered, one by one
        more = "".join(json.dumps({"text": f"love this song {i}"}) + "\n" for i in range(2000))
        rest = process.communicate(more, timeout=120)[0].splitlines()
        assert len(rest) == 2000
        assert all("decision" in json.loads(line) for line in rest[:5] + rest[-5:])
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
