"""Moderator web page."""
