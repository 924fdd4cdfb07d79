"""Refuse security-classified information (sikkerhetsloven / Swedish säkerhetsskyddslagen).

Samvirke is not approved for classified information. Markings are stamped in capitals, so we match
the capitalised forms only: the lower-case word "begrenset" is ordinary Norwegian.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MARKINGS = [
    "STRENGT HEMMELIG",
    "HEMMELIG",
    "KONFIDENSIELT",
    "BEGRENSET",
    "KVALIFICERAT HEMLIG",
    "HEMLIG/TOP SECRET",
    "HEMLIG",
    "KONFIDENTIELL",
    "BEGRÄNSAT HEMLIG",
    "TOP SECRET",
    "NATO SECRET",
    "NATO CONFIDENTIAL",
    "NATO RESTRICTED",
]
_MARKING_RE = re.compile(r"(?<![\w])(" + "|".join(re.escape(m) for m in _MARKINGS) + r")(?![\w])")
_LEGAL_RE = re.compile(r"sikkerhetsloven\s*§+\s*5-[34]|säkerhetsskyddslag", re.IGNORECASE)

MESSAGE = _(
    "The text contains the security classification marking “%(marking)s”. Samvirke is not approved "
    "for security-classified information (sikkerhetsloven / säkerhetsskyddslagen). Remove the "
    "classified content and handle it in an approved system. Information that is only exempt from "
    "public access (for example offentleglova § 24) can be stored here with a suitable access level."
)


def find_marking(text: str) -> str | None:
    if not text:
        return None
    match = _MARKING_RE.search(text)
    if match:
        return match.group(1)
    match = _LEGAL_RE.search(text)
    if match:
        return match.group(0)
    return None


def validate_unclassified(text: str) -> None:
    marking = find_marking(text)
    if marking:
        raise ValidationError(MESSAGE, code="classified", params={"marking": marking})
