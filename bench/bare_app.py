"""The baseline for bench/throughput.py: a bare Flask endpoint that returns fixed JSON, served
by gunicorn with the very settings `hakam serve` uses (workers aside, which the caller picks).

    python bench/bare_app.py --port 8001 --workers 2
"""

import argparse

from flask import Flask, jsonify

app = Flask(__name__)
ANSWER = {"id": "0" * 32, "status": "approved", "scores": {"spam": 0.01, "abuse": 0.01},
          "reasons": [], "model_version": "bare"}


@app.post("/v1/comments")
def comments():
    return jsonify(ANSWER), 201


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


if __name__ == "__main__":
    from hakam.service.server import run_wsgi, server_options

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args()
    run_wsgi(app, server_options(args.host, args.port, args.workers))
