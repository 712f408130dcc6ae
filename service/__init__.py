"""Hakam service: the Flask app, its Redis store and the `hakam` CLI."""
