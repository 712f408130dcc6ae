"""The baseline for bench/throughput.py: a bare Flask endpoint that returns fixed JSON."""

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
