"""PLACEHOLDER (replaced by the validation branch)."""

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
def openapi():
    return jsonify({"openapi": "3.1.0", "info": {"title": "Hakam", "version": "0"}, "paths": {}})
