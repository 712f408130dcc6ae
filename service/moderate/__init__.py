"""Moderator web page (placeholder blueprint until the moderate branch lands)."""

from flask import Blueprint

bp = Blueprint("moderate", __name__)
