"""Loads the model once per worker and hands it to the views; the service never knows how
scores are made, only that the object has `score()`, `version` and `thresholds`."""

from __future__ import annotations

from flask import Flask, current_app

from hakam.model import Scorer


def init_app(app: Flask, model_path: str | None, scorer=None) -> None:
    app.extensions["hakam.scorer"] = scorer or Scorer.load(model_path)


def get_scorer():
    return current_app.extensions["hakam.scorer"]
