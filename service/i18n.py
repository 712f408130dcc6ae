"""Which language a request is answered in, and the gettext catalogs those answers come from.

Owns the Flask-Babel set-up: the locale selector and the compiled catalogs. It never holds a
translated sentence itself: those live in the gettext catalogs under ``translations/`` (English
msgids in the code, Arabic in ``translations/ar/LC_MESSAGES/messages.po``).

Locale, first that applies:
  1. ``g.hakam_locale`` when a view set it (the moderator page's language switch; a view that sets
     it after something was already translated must call ``flask_babel.refresh()``);
  2. the best match of ``Accept-Language`` among ``SUPPORTED_LOCALES``;
  3. the authenticated site's language (``g.site.language``);
  4. Arabic.

Translations
------------
Source strings are English, wrapped in ``gettext``/``ngettext``/``lazy_gettext`` (``_``/``_l``
aliases are fine) in Python and in ``{{ _("...") }}`` / ``{% trans %}`` in Jinja templates.
From the repository root::

    pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output \
        --project=Hakam -o service/translations/messages.pot .
    pybabel update -i service/translations/messages.pot -d service/translations \
        --ignore-obsolete
    # translate the new entries in service/translations/ar/LC_MESSAGES/messages.po
    # (remove "#, fuzzy" flags you have checked: fuzzy entries are not used)

``babel.cfg`` covers ``service/**.py`` and every ``service/**/templates/**.html``, so the moderator
page's templates feed the same catalog. Arabic has six plural forms; the catalog's Plural-Forms
header is the one from the gettext manual (Babel's own `pybabel init` header orders the last two
forms differently, so never re-init the Arabic catalog: update it). A test checks that every
extracted message has an Arabic translation.

``messages.pot`` and the compiled ``.mo`` files are build output and are not committed. The
``.mo`` files are compiled here, at app start (`compile_catalogs`), into a cache folder keyed by
the hash of the ``.po`` files, so an edited catalog takes effect on the next start.
``pybabel compile -d service/translations --statistics`` is still handy to check a catalog, but
delete its ``.mo`` output afterwards.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from gettext import NullTranslations
from pathlib import Path
from typing import NamedTuple

from babel import Locale
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel

log = logging.getLogger("hakam.i18n")

SUPPORTED_LOCALES = ("ar", "en")
DEFAULT_LOCALE = "ar"
CATALOG_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"
_TRANSLATORS = "hakam.translators"


# Parsed once: Flask-Babel parses whatever the selector returns on every request, unless it is
# a Locale already, and every 201 answer is translated (its reasons), so this is the hot path.
_LOCALES = {code: Locale.parse(code) for code in SUPPORTED_LOCALES}


def select_locale() -> Locale:
    return _LOCALES[_locale_code()]


def _locale_code() -> str:
    chosen = g.get("hakam_locale")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    if has_request_context() and "Accept-Language" in request.headers:
        best = request.accept_languages.best_match(SUPPORTED_LOCALES)
        if best:
            return best
    site = g.get("site")
    if site is not None and getattr(site, "language", None) in SUPPORTED_LOCALES:
        return site.language
    return DEFAULT_LOCALE


class Translator(NamedTuple):
    """gettext, ngettext and list joining bound to one request's catalog and locale."""

    gettext: Callable[..., str]
    ngettext: Callable[..., str]
    spoken_list: Callable[[list[str]], str]


def translator() -> Translator:
    """For code that words several messages per request, as every 201 answer's reasons are:
    gettext, ngettext and list joining for the request's language, from catalogs loaded once
    at start (each flask_babel.gettext call finds the request's catalog anew, through several
    context lookups; on the comment path, run a few times per request, that showed in the
    benchmark). The language is chosen as `select_locale` chooses it, so it follows a switch
    made mid-request. Outside a request it speaks English. Bind the fields to the names gettext
    and ngettext so that `pybabel extract` finds the messages."""
    if not has_request_context():
        return _ENGLISH
    return current_app.extensions[_TRANSLATORS][_locale_code()]


def _translator(catalog, locale: Locale) -> Translator:
    def gettext(message: str, **variables) -> str:
        text = catalog.gettext(message)
        return text % variables if variables else text

    def ngettext(singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return catalog.ngettext(singular, plural, num) % variables

    def spoken_list(items: list[str]) -> str:
        """"a, b and c" in this language (CLDR's list patterns, via Babel)."""
        return format_list(items, locale=locale) if len(items) > 1 else "".join(items)

    return Translator(gettext, ngettext, spoken_list)


_ENGLISH = _translator(NullTranslations(), _LOCALES["en"])


def _catalogs(source: Path) -> list[Path]:
    return sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _cache_roots(app: Flask) -> list[Path]:
    return [Path(app.instance_path) / "cache", Path(tempfile.gettempdir())]


def compile_catalogs(source: Path, cache_root: Path) -> Path:
    """Compile every ``<locale>/LC_MESSAGES/messages.po`` under `source` into a folder below
    `cache_root` named after their hash, and return that folder.

    Each ``.mo`` is written to a temporary file and renamed into place, so gunicorn workers
    starting together never read a half-written catalog; a folder already complete is reused.
    """
    catalogs = _catalogs(source)
    digest = hashlib.sha256()
    for po in catalogs:
        digest.update(str(po.relative_to(source)).encode())
        digest.update(po.read_bytes())
    target = cache_root / f"hakam-translations-{digest.hexdigest()[:16]}"
    for po in catalogs:
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists():
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        locale = po.parent.parent.name
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale, domain=DOMAIN)
        descriptor, scratch = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                write_mo(handle, catalog)
            os.replace(scratch, mo)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
    return target


def init_app(app: Flask) -> None:
    compiled = None
    for root in _cache_roots(app):
        try:
            compiled = compile_catalogs(CATALOG_DIR, root)
            break
        except OSError as error:  # a read-only data dir: the temp dir will do
            log.warning("cannot write compiled translations under %s (%s)", root, error)
    if compiled is None:
        raise RuntimeError("no writable folder for the compiled translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LOCALE
    app.config["BABEL_DOMAIN"] = DOMAIN
    Babel(app, locale_selector=select_locale)
    # the very catalogs Flask-Babel loads from that folder, one per language
    app.extensions[_TRANSLATORS] = {
        code: _translator(Translations.load(str(compiled), [locale], DOMAIN), locale)
        for code, locale in _LOCALES.items()}


__all__ = ["SUPPORTED_LOCALES", "compile_catalogs", "init_app", "select_locale", "translator"]
