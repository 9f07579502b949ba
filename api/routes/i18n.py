"""The page's translations, as a script the page loads before its own (``GET /i18n.js``).

The catalog must be there before the page's script draws anything, and the Content Security Policy allows no inline
script, so it comes as a small script of its own: ``window.ORIGINALS_I18N = {"lang": …, "messages": …}`` in the
request's language (:mod:`api.edge` sets it from the switch's cookie, else ``Accept-Language``; the edge also adds
``Content-Language`` and ``Vary: Accept-Language, Cookie``). ``api/web/static/i18n.js`` reads it and offers ``t()``.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Response

from ledger.i18n import language, web_catalog, web_plurals

router = APIRouter(include_in_schema=False)


@router.get("/i18n.js")
def translations() -> Response:
    """The web catalog of the request's language: msgid -> text, and singular msgid -> [singular, plural] forms.

    ``no-cache``: the answer changes with the cookie the switch sets, and caches keyed by ``Vary: Cookie`` are rare;
    the browser revalidates instead of showing yesterday's language.
    """
    code = language()
    messages: dict[str, str | list[str]] = {**web_catalog(code), **web_plurals(code)}
    body = json.dumps({"lang": code, "messages": messages}, ensure_ascii=False, sort_keys=True)
    return Response(
        f"window.ORIGINALS_I18N = {body};\n",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )
