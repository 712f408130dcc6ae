"""Other services' protocols, spoken by Hakam so that their clients switch by changing a URL:
Perspective's comment analyser (`perspective`, under /v1alpha1) and Akismet's spam check
(`akismet`, under /1.1 and /1.2).

Each protocol answers its errors in its own shape (`errors.speak`), scores through the same
`scoring` path as POST /v1/comments and keeps its verdicts as training labels in the site's
stream, never with a reader's email or IP.
"""

from __future__ import annotations

from flask import Flask

from .. import errors
from . import akismet, perspective
from .akismet_protocol import AkismetErrors
from .google import GoogleErrors

PERSPECTIVE_PREFIX = "/v1alpha1"


def init_app(app: Flask, max_body_bytes: int) -> None:
    app.register_blueprint(perspective.bp, url_prefix=PERSPECTIVE_PREFIX)
    errors.speak(app, (PERSPECTIVE_PREFIX + "/",), GoogleErrors(max_body_bytes))
    app.register_blueprint(akismet.bp)  # its routes name their versions, /1.1 and /1.2
    errors.speak(app, ("/1.1/", "/1.2/"), AkismetErrors())
