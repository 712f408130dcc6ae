"""Hakam training: data in, model out. Imports hakam.model, never hakam.service."""
