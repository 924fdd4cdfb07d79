"""The lists inside plan parts: crisis-management roles, alert-list entries and resources.

A list is stored on its part as one JSON list (`entries`), so the part stays one content record with one
version number, one access level and one history: adding, changing, verifying or removing an entry is a new
version of the part (core.services.content_update, with the version check), and restoring an earlier version
brings the whole list back as it was. Each entry has a stable `key` (URLs, history) and the fields of its
`EntrySpec`.

This module is pure (no ORM): the field specifications, the one validation used by the entry forms and by
the models (so a restored or imported list passes the same rules), the staleness rule of the alert list and
the readable description of what changed between two versions of a list.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samvirke.core.classification import MESSAGE as CLASSIFIED_MESSAGE
from samvirke.core.classification import find_marking
from samvirke.plans.domain import add_months

TEXT, LONG, CHOICE, DATE, BOOL, EMAIL, PHONE = "text", "long", "choice", "date", "bool", "email", "phone"

KEY_RE = re.compile(r"^[a-z0-9]{4,16}$")
_PHONE_RE = re.compile(r"^\+?[0-9 ()./-]+$")

#: An alert-list entry not verified for this many months is stale.
STALE_AFTER_MONTHS = 12


@dataclass(frozen=True)
class Field:
    name: str
    label: Promise | str
    kind: str = TEXT
    required: bool = False
    choices: tuple = ()
    help_text: Promise | str = ""
    max_length: int = 200
    #: Shown as a column of the list (the rest is shown under the entry's name).
    column: bool = True


@dataclass(frozen=True)
class EntrySpec:
    key: str
    #: "role", "entry", "resource": used in buttons and messages
    singular: Promise | str
    fields: tuple[Field, ...]
    #: The field that names an entry (in lists, messages and the history).
    title_field: str
    #: The heading of the list ("Who to alert").
    list_title: Promise | str = ""
    #: Alert list: entries carry the date they were last verified, and turn stale after 12 months.
    verifiable: bool = False
    max_entries: int = 500
    #: Rules across fields: values -> [(field name or None, message)].
    rules: tuple[Callable[[dict], list[tuple[str | None, str]]], ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def get(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def title_of(self, entry: dict) -> str:
        return str(entry.get(self.title_field) or "–")

    def errors(self, values: dict, *, today: datetime.date | None = None) -> dict[str, list[str]]:
        """What is wrong with one entry's values, per field (None: the entry as a whole). Empty if fine."""
        today = today or timezone.localdate()
        problems: dict[str | None, list[str]] = {}

        def add(name, message):
            problems.setdefault(name, []).append(str(message))

        for f in self.fields:
            value = values.get(f.name)
            if f.kind == BOOL:
                if value not in (None, True, False):
                    add(f.name, _("Choose yes or no."))
                continue
            if value in (None, ""):
                if f.required:
                    add(f.name, _("Fill in this field."))
                continue
            if f.kind == DATE:
                parsed = parse_date(value)
                if parsed is None:
                    add(f.name, _("Give a date as YYYY-MM-DD."))
                elif parsed > today:
                    add(f.name, _("This date is in the future. Give the date it actually happened."))
                continue
            if not isinstance(value, str):
                add(f.name, _("Give this as text."))
                continue
            limit = 2000 if f.kind == LONG else f.max_length
            if len(value) > limit:
                add(f.name, _("Use at most %(limit)d characters.") % {"limit": limit})
            if f.kind == CHOICE and value not in {c[0] for c in f.choices}:
                add(f.name, _("Choose one of the options in the list."))
            elif f.kind == EMAIL:
                try:
                    validate_email(value)
                except ValidationError:
                    add(f.name, _("Give an e-mail address such as name@kommune.no."))
            elif f.kind == PHONE and not phone_ok(value):
                add(
                    f.name,
                    _(
                        "Give a phone number with digits, spaces and an optional + in front, for example "
                        "+47 750 00 000 or 110."
                    ),
                )
            marking = find_marking(value)
            if marking:
                add(f.name, CLASSIFIED_MESSAGE % {"marking": marking})
        for rule in self.rules:
            for name, message in rule(values):
                add(name, message)
        return problems


def phone_ok(value: str) -> bool:
    digits = sum(ch.isdigit() for ch in value)
    return bool(_PHONE_RE.match(value.strip())) and 3 <= digits <= 15


def parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def new_key(existing) -> str:
    """A short random key not used in the list yet."""
    taken = {e.get("key") for e in existing}
    while True:
        key = secrets.token_hex(4)
        if key not in taken:
            return key


def is_stale(entry: dict, today: datetime.date) -> bool:
    """Never verified, or last verified more than 12 months before today."""
    verified = parse_date(entry.get("verified_on"))
    return verified is None or verified < add_months(today, -STALE_AFTER_MONTHS)


def validate_entries(spec: EntrySpec, value, *, today: datetime.date | None = None) -> None:
    """The model-level check of a whole list: its shape, every entry's fields, and the classification check
    (which the base Content.clean does not apply inside JSON). Raises ValidationError on "entries"."""
    messages: list[str] = []
    if not isinstance(value, list):
        raise ValidationError({"entries": _("The list is damaged. Restore an earlier version.")})
    if len(value) > spec.max_entries:
        messages.append(_("The list can hold at most %(limit)d entries.") % {"limit": spec.max_entries})
    keys = set()
    for entry in value:
        if not isinstance(entry, dict) or not KEY_RE.match(str(entry.get("key", ""))) or entry["key"] in keys:
            raise ValidationError({"entries": _("The list is damaged. Restore an earlier version.")})
        keys.add(entry["key"])
        unknown = set(entry) - {"key", *spec.names}
        if unknown:
            raise ValidationError({"entries": _("The list is damaged. Restore an earlier version.")})
        for name, problems in spec.errors(entry, today=today).items():
            label = spec.get(name).label if name else ""
            for problem in problems:
                where = f"{spec.title_of(entry)} – {label}" if label else spec.title_of(entry)
                messages.append(f"{where}: {problem}")
    if messages:
        raise ValidationError({"entries": messages})


# --- display ---------------------------------------------------------------------------------------------


def display_value(f: Field, value) -> str:
    if f.kind == BOOL:
        return str(_("Yes") if value else _("No"))
    if value in (None, ""):
        return ""
    if f.kind == CHOICE:
        return str(dict(f.choices).get(value, value))
    if f.kind == DATE:
        parsed = parse_date(value)
        return formats.date_format(parsed, "SHORT_DATE_FORMAT") if parsed else str(value)
    return str(value)


def rows(spec: EntrySpec, entries: list, today: datetime.date) -> list[dict]:
    """The entries as the pages and the binder show them: values by field, display text, staleness."""
    result = []
    for entry in entries:
        row = {
            "key": entry.get("key"),
            "title": spec.title_of(entry),
            "values": entry,
            "cells": [(f, display_value(f, entry.get(f.name)), entry.get(f.name)) for f in spec.fields],
        }
        if spec.verifiable:
            row["verified_on"] = parse_date(entry.get("verified_on"))
            row["stale"] = is_stale(entry, today)
        result.append(row)
    return result


def describe_changes(spec: EntrySpec, old, new) -> tuple[str, str]:
    """Two texts for the history page: what the list held before and after a change, entry by entry
    (added, removed, and the fields that changed), instead of two JSON dumps."""
    old = old if isinstance(old, list) else []
    new = new if isinstance(new, list) else []
    old_by = {e.get("key"): e for e in old if isinstance(e, dict)}
    new_by = {e.get("key"): e for e in new if isinstance(e, dict)}
    before, after = [], []
    for key, entry in old_by.items():
        if key not in new_by:
            before.append(spec.title_of(entry))
            after.append(_("Removed: %(title)s") % {"title": spec.title_of(entry)})
    for key, entry in new_by.items():
        if key not in old_by:
            after.append(_("Added: %(title)s") % {"title": _summary(spec, entry)})
            continue
        previous = old_by[key]
        for f in spec.fields:
            if (previous.get(f.name) or "") != (entry.get(f.name) or ""):
                label = f"{spec.title_of(entry)} – {f.label}"
                before.append(f"{label}: {display_value(f, previous.get(f.name)) or '–'}")
                after.append(f"{label}: {display_value(f, entry.get(f.name)) or '–'}")
    if not before and not after and [e.get("key") for e in old] != [e.get("key") for e in new]:
        after.append(_("Order changed"))
    return "\n".join(before), "\n".join(after)


def _summary(spec: EntrySpec, entry: dict) -> str:
    parts = [display_value(f, entry.get(f.name)) for f in spec.fields if f.column and f.kind != BOOL]
    return " · ".join(p for p in parts if p)


# --- the three lists -------------------------------------------------------------------------------------


def _reachable(values: dict) -> list:
    if any(values.get(name) for name in ("phone", "phone_alt", "email", "fallback")):
        return []
    return [
        (
            None,
            _(
                "Give at least one way to reach them: a phone number, an e-mail address or a fallback "
                "channel."
            ),
        )
    ]


def _owner_named(values: dict) -> list:
    if (
        values.get("owner_kind")
        and values.get("owner_kind") != "municipality"
        and not values.get("owner_name")
    ):
        return [("owner_name", _("Name the business, volunteer organisation or other owner."))]
    return []


FALLBACK_CHANNELS = (
    ("nodnett", _("Nødnett (emergency radio, Norway)")),
    ("rakel", _("Rakel (emergency radio, Sweden)")),
    ("satellite", _("Satellite phone")),
    ("vhf", _("Maritime VHF radio")),
    ("messenger", _("Messenger or meeting in person")),
    ("other", _("Other")),
)

RESOURCE_CATEGORIES = (
    ("generator", _("Generator")),
    ("vehicle", _("Vehicle")),
    ("boat", _("Boat")),
    ("shelter", _("Shelter or emergency accommodation")),
    ("eps", _("Evacuee and next-of-kin centre (EPS/EPN)")),
    ("equipment", _("Other equipment")),
    ("other", _("Other")),
)

OWNER_KINDS = (
    ("municipality", _("The municipality")),
    ("business", _("Business")),
    ("volunteer", _("Volunteer organisation")),
    ("public", _("Other public body")),
    ("private", _("Private person")),
)

ROLES = EntrySpec(
    key="roles",
    singular=_("role"),
    title_field="role",
    list_title=_("Roles and deputies"),
    fields=(
        Field("role", _("Role"), required=True, help_text=_("For example “Crisis manager” or “Log keeper”.")),
        Field(
            "holder",
            _("Held by"),
            required=True,
            help_text=_("A position rather than a name, such as “Mayor”."),
        ),
        Field("deputy", _("Deputy"), help_text=_("Who steps in when the holder cannot be reached.")),
        Field("authority", _("Authority and tasks"), LONG, help_text=_("What the role may decide and do.")),
    ),
)

ALERT = EntrySpec(
    key="alert",
    singular=_("entry"),
    title_field="name",
    list_title=_("Who to alert"),
    verifiable=True,
    rules=(_reachable,),
    fields=(
        Field(
            "name",
            _("Name"),
            required=True,
            help_text=_("A person, or a duty function such as “Duty officer”."),
        ),
        Field("organisation", _("Organisation"), column=False),
        Field("crisis_role", _("Role in a crisis"), column=False),
        Field("phone", _("Phone"), PHONE, max_length=40),
        Field("phone_alt", _("Other phone"), PHONE, max_length=40),
        Field("email", _("E-mail"), EMAIL, max_length=254),
        Field(
            "fallback",
            _("Fallback channel"),
            CHOICE,
            choices=FALLBACK_CHANNELS,
            help_text=_("How to reach them when phones and the internet are down."),
        ),
        Field(
            "fallback_detail",
            _("Fallback details"),
            help_text=_("Talk group, satellite phone number or where to find them."),
            column=False,
        ),
        Field(
            "verified_on",
            _("Last verified"),
            DATE,
            help_text=_("The date someone last checked that the details are right."),
        ),
        Field("notes", _("Notes"), LONG, column=False),
    ),
)

RESOURCES = EntrySpec(
    key="resources",
    singular=_("resource"),
    title_field="name",
    list_title=_("Resources"),
    rules=(_owner_named,),
    fields=(
        Field("name", _("Resource"), required=True, help_text=_("For example “Generator 100 kVA”.")),
        Field("category", _("Kind"), CHOICE, required=True, choices=RESOURCE_CATEGORIES),
        Field("location", _("Location")),
        Field("capacity", _("Capacity"), help_text=_("For example “100 kVA”, “12 seats” or “150 people”.")),
        Field("owner_kind", _("Owned by"), CHOICE, required=True, choices=OWNER_KINDS),
        Field("owner_name", _("Owner"), help_text=_("Required when the municipality does not own it.")),
        Field("contact", _("Contact"), column=False),
        Field(
            "agreement",
            _("Agreement"),
            help_text=_("For example “Framework agreement 2024”. Empty if none."),
            column=False,
        ),
        Field("lendable", _("Can be lent to another municipality"), BOOL),
        Field("notes", _("Notes"), LONG, column=False),
    ),
)

SPECS = {spec.key: spec for spec in (ROLES, ALERT, RESOURCES)}
