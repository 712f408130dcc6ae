"""PLACEHOLDER: feedback route (wordpress branch)."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)
