"""pydantic's validation messages in the request's language, for the 422 problem's ``detail`` and ``errors[].msg``.

pydantic writes its messages in English only. Each error also carries a ``type`` (``missing``, ``less_than_equal``...)
and a ``ctx`` with the values in the message (``{"le": 500}``); :func:`message` translates the common types from
those, with texts of ours. In English, and for any type not in the table, the answer is pydantic's own ``msg``
unchanged, so that English answers stay exactly what they were (recorded answers and schemathesis rely on them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.i18n import DEFAULT, N_, language
from ledger.i18n import gettext as _

TEXTS: dict[str, str] = {
    "missing": N_("Field required"),
    "string_too_short": N_("String should have at least {min_length} characters"),
    "string_too_long": N_("String should have at most {max_length} characters"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
    "string_type": N_("Input should be a valid string"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_type": N_("Input should be a valid integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "float_type": N_("Input should be a valid number"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "bool_type": N_("Input should be a valid boolean"),
    "json_invalid": N_("JSON decode error"),
    "json_type": N_("JSON input should be string, bytes or bytearray"),
    "model_attributes_type": N_("Input should be a valid dictionary or object to extract fields from"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary"),
    "list_type": N_("Input should be a valid list"),
    "too_short": N_("Should have at least {min_length} items, not {actual_length}"),
    "too_long": N_("Should have at most {max_length} items, not {actual_length}"),
    "literal_error": N_("Input should be {expected}"),
    "enum": N_("Input should be {expected}"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "value_error": N_("Value error, {error}"),
    "url_parsing": N_("Input should be a valid URL"),
    "url_type": N_("Input should be a valid URL"),
    "url_scheme": N_("URL scheme should be {expected_schemes}"),
    "url_too_long": N_("URL should have at most {max_length} characters"),
}
"""A text of ours for each pydantic error type a client of this API can meet (its ``ctx`` fills the placeholders)."""

OR = N_("or")
"""The word between the last two allowed values of a literal or an enum (``'index' or 'chain'``)."""


def _value(name: str, value: Any) -> str:
    if name in ("expected", "expected_schemes") and isinstance(value, str):
        return value.replace(" or ", f" {_(OR)} ")  # pydantic's "'a', 'b' or 'c'": quoted values, one English word
    return str(value)


def message(error: Mapping[str, Any]) -> str:
    """The message of one pydantic error in the request's language (pydantic's own in English or if unknown)."""
    english = str(error.get("msg"))
    text = TEXTS.get(str(error.get("type")))
    if language() == DEFAULT or text is None:
        return english
    context = error.get("ctx") or {}
    try:  # formatted here even without values: a ctx lacking a value the text names means pydantic's words
        return _(text).format(**{name: _value(name, value) for name, value in context.items()})
    except (KeyError, IndexError, ValueError):
        return english
