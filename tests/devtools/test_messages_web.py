"""``make messages`` finds every text of the page's scripts, wherever the call is (issue 14).

The page builds its HTML in template literals; a ``t("…")`` inside one's ``${…}`` next to an HTML attribute's quotes or
an object literal's braces is a text like any other, and must reach the catalog (and the missing-translation test).
"""

from __future__ import annotations

from pathlib import Path

from devtools import messages


def test_texts_inside_template_literals_attributes_and_object_literals_are_extracted(tmp_path: Path) -> None:
    script = tmp_path / "page.js"
    script.write_text(
        "const a = `<img alt=\"${esc(t('A picture'))}\">`;\n"
        "const b = `<p>${html(t('Issued by {who}'), { who: `<b>${esc(name)}</b>` })}</p>${t(\"Don't\")}`;\n"
        "const c = tn('{count} vote', '{count} votes', n, { x: 1 });\n"
        "split('not a text'); obj.t('also a text'); const d = t(variable); // t('in a comment too')\n",
        encoding="utf-8",
    )
    found = list(messages._calls(script))
    assert found == [
        (1, "A picture"),
        (2, "Issued by {who}"),
        (2, "Don't"),
        (3, ("{count} vote", "{count} votes")),
        (4, "also a text"),
        (4, "in a comment too"),
    ]
