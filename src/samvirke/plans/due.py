"""Materialise due items: derive them from the rules and the register, and store them in bulk.

This is a system job (the daily `manage.py derive_due_items`, and the document services after a save), not
a read by a person: it reads documents' dates and statuses without an actor (allowed, with this reason, in
tests/authz/test_model_coverage.py). What it writes is read through `selectors.due_items_visible_to`,
which shows an item about a document only to those who may read the document.

Cost: a fixed number of queries whatever the size (organisations, rules, elections, documents, existing
items), then the new items inserted in chunks (SQLite: one prepared INSERT per item, executemany of 5,000;
PostgreSQL: COPY into a temporary table and one INSERT from it), one UPDATE per
distinct change per 900 items and one DELETE per 900 stale items. Re-running with nothing changed writes
nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from samvirke.plans import domain
from samvirke.plans.models import Activity, DocumentType, DueItem, Election, GoverningDocument, Rule

INSERT_BATCH = 5000  # rows per executemany (SQLite)
ID_BATCH = 900  # below SQLite's historic 999-parameter limit
#: Documents that count as "in force" for a rule; a municipality with only drafts has the type missing.
IN_FORCE = (GoverningDocument.Status.ADOPTED, GoverningDocument.Status.OUTDATED)


def default_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Last year (what was done) to five years ahead (a whole mandate period and the start of the next)."""
    return datetime.date(today.year - 1, 1, 1), datetime.date(today.year + 5, 12, 31)


def refresh_due_items(
    *,
    organisation_ids=None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> dict:
    """Bring the stored due items of the municipalities (all, or `organisation_ids`) in line with the rules
    and the register for the window. Idempotent; returns counts of what changed."""
    from samvirke.organisations.models import Organisation

    today = today or timezone.localdate()
    default_start, default_end = default_window(today)
    start, end = start or default_start, end or default_end

    orgs = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    if organisation_ids is not None:
        orgs = orgs.filter(pk__in=list(organisation_ids))
    org_rows = list(orgs.values_list("pk", "country", "region_id"))
    in_scope = orgs.values("pk")

    rules = list(
        Rule.objects.filter(active=True, rule_set__active=True).select_related("rule_set", "document_type")
    )
    specs = {rule.pk: rule.spec() for rule in rules}
    elections: dict[str, list[int]] = defaultdict(list)
    for country, year in Election.objects.values_list("country", "year"):
        elections[country].append(year)
    types = {t.pk: t for t in DocumentType.objects.all()}

    documents = defaultdict(list)
    for row in GoverningDocument.objects.filter(owner_id__in=in_scope, status__in=IN_FORCE).values_list(
        "pk", "owner_id", "document_type_id", "adopted_on", "last_revised_on", "last_exercised_on"
    ):
        documents[(row[1], row[2])].append(row)

    # Stored items keyed like derived ones, with dates as ISO text (see _existing_rows).
    existing = {}
    history = defaultdict(set)  # (org, rule, subject) -> completion dates (ISO text) the items recorded
    for row in _existing_rows(in_scope, start, end):
        existing[row[1:5]] = row
        if row[7] or row[8]:
            history[row[1:4]].update(d for d in (row[7], row[8]) if d)

    subjects = list(_subjects(org_rows, rules, types, documents, history))
    derived = {
        (*item[:3], item.due_date.isoformat()): item
        for item in domain.derive(specs, subjects, elections=elections, start=start, end=end, today=today)
    }

    to_create, changes = [], defaultdict(list)
    for key, item in derived.items():
        row = existing.get(key)
        if row is None:
            to_create.append(item)
            continue
        state, document_id, anchor, done_on, projected, escalated = item[4:]
        stored = (state, document_id, _iso(anchor), _iso(done_on), projected, escalated)
        if stored != row[5:]:
            changes[item[4:]].append(row[0])
    to_delete = [row[0] for key, row in existing.items() if key not in derived]

    with transaction.atomic():
        for ids in _chunks(to_delete, ID_BATCH):
            DueItem.objects.filter(pk__in=ids).delete()
        for values, ids in changes.items():
            fields = dict(zip(CHANGING, values, strict=True))
            for chunk in _chunks(ids, ID_BATCH):
                DueItem.objects.filter(pk__in=chunk).update(**fields)
        _insert(to_create)
    return {
        "items": len(derived),
        "created": len(to_create),
        "updated": sum(len(ids) for ids in changes.values()),
        "deleted": len(to_delete),
    }


#: The columns re-derivation may change on an existing item, in DueItemSpec order after the due date.
CHANGING = ("state", "document_id", "anchor_date", "done_on", "projected", "escalated")
_COLUMNS = ("organisation_id", "rule_id", "subject", "due_date", *CHANGING)


def _existing_rows(in_scope, start, end):
    """The stored items the window holds (see domain.in_window): (id, *_COLUMNS) tuples with the dates as ISO
    text, straight from the cursor. At national scale this is 130,000 rows: model instances, or SQLite's
    date converter (a Python function per value), would cost seconds. PostgreSQL gives the same text."""
    scope = DueItem.objects.filter(organisation_id__in=in_scope, due_date__lte=end).filter(
        Q(due_date__gte=start) | Q(done_on__isnull=True) | Q(done_on__gte=start)
    )
    as_text = {f"{name}_text": Cast(name, CharField()) for name in ("due_date", "anchor_date", "done_on")}
    columns = [f"{name}_text" if f"{name}_text" in as_text else name for name in _COLUMNS]
    sql, params = scope.annotate(**as_text).order_by().values_list("pk", *columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _iso(value):
    return value.isoformat() if value is not None else None


def _insert(items) -> None:
    """INSERT the new items without the ORM, whose bulk_create spends most of its time building and
    compiling model instances: on SQLite one prepared statement (executemany), on PostgreSQL COPY. A row
    another run inserted meanwhile is skipped (ON CONFLICT DO NOTHING, SQLite 3.24+ and PostgreSQL), like
    bulk_create(ignore_conflicts=True)."""
    if not items:
        return
    table = connection.ops.quote_name(DueItem._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608 - fixed names
    if connection.vendor == "sqlite":
        # Dates as ISO text, as the backend's adapt_datefield_value would give them, inline (no call per
        # value: this runs 130,000 times).
        rows = [
            (i.organisation_id, i.rule_id, i.subject, i.due_date.isoformat(), i.state, i.document_id,
             i.anchor_date.isoformat() if i.anchor_date else None,
             i.done_on.isoformat() if i.done_on else None, i.projected, i.escalated)
            for i in items
        ]  # fmt: skip
        with connection.cursor() as cursor:
            for chunk in _chunks(rows, INSERT_BATCH):
                cursor.executemany(sql, chunk)
        return
    # PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT. A statement per row
    # (executemany) took 9 s for 110,000 items and arrays as parameters 3 s, mostly quoting them as text
    # (bench/revision.py). Called inside the caller's transaction, so the table goes with it.
    rows = [
        (i.organisation_id, i.rule_id, i.subject, i.due_date, i.state, i.document_id, i.anchor_date,
         i.done_on, i.projected, i.escalated)
        for i in items
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE samvirke_new_due_items ON COMMIT DROP AS SELECT {columns} FROM {table} "  # noqa: S608
            "WITH NO DATA"
        )
        with cursor.copy(f"COPY samvirke_new_due_items ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM samvirke_new_due_items "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute("DROP TABLE samvirke_new_due_items")


def _subjects(org_rows, rules, types, documents, history):
    """What each rule is about in each municipality: every document in force of the rule's type, or the
    type itself when a required document is missing, or the organisation for rules without a type."""
    for org_id, country, region_id in org_rows:
        for rule in rules:
            rule_set = rule.rule_set
            if rule_set.country not in (country, "both"):
                continue
            if rule_set.region_id is not None and rule_set.region_id != region_id:
                continue
            doc_type = types.get(rule.document_type_id) if rule.document_type_id else None
            if doc_type is None:
                yield _subject(org_id, rule, "org", country, None, None, history)
                continue
            if not doc_type.applies_to(country):
                continue
            in_force = documents.get((org_id, doc_type.pk), ())
            if in_force:
                for doc_id, _owner, _type, adopted_on, revised_on, exercised_on in in_force:
                    if rule.activity == Activity.EXERCISE:
                        latest = exercised_on
                    elif rule.activity == Activity.REVISION:
                        latest = max((d for d in (adopted_on, revised_on) if d), default=None)
                    else:
                        latest = None
                    yield _subject(org_id, rule, f"doc:{doc_id}", country, doc_id, latest, history)
            elif doc_type.is_required_in(country):
                yield _subject(org_id, rule, f"type:{doc_type.code}", country, None, None, history)


def _subject(org_id, rule, key, country, document_id, latest, history) -> domain.Subject:
    # The latest completion comes from the register; earlier ones from the items already stored (so a
    # revision turns the item it answered into "done" instead of dropping it). Nothing recorded after the
    # register's date counts: a corrected (earlier) date wins.
    completions: tuple = ()
    if latest is not None:
        limit = latest.isoformat()
        earlier = sorted(d for d in history.get((org_id, rule.pk, key), ()) if d < limit)
        completions = (*map(datetime.date.fromisoformat, earlier), latest)
    return domain.Subject(org_id, rule.pk, key, country, document_id, completions)


def _chunks(items, size):
    for index in range(0, len(items), size):
        yield items[index : index + size]
