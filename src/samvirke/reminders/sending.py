"""The reminder pass: find the reminders open due items call for today and e-mail them, exactly once.

Run by the background task (reminders.tasks, `manage.py db_worker`) or `manage.py run_reminders`.

Who gets what (reminders.domain for when):

* reminders before and on the due date: the document's responsible person when the item is about a
  document that names one (GoverningDocument.responsible) who is an active member of the organisation with
  an e-mail address; otherwise the organisation's editors (preparedness advisors, regional coordinators and
  administrators of that organisation, core.access.EDITOR_ROLES);
* escalations: the regional coordinators of the organisation's region (an active "regional coordinator"
  membership in any organisation of the region).

Only active people with an e-mail address get mail, and only about items they may see now: each
recipient's actor (their memberships, as after two-factor sign-in) goes through the chokepoint
(plans.selectors.due_items_visible_to, and documents_visible_to for the titles). An item they may not see is
left out of their mail and recorded nowhere, so the next pass looks again (a document shared with them
later is then reminded of). Titles of AMBER and stricter documents sent by mail are written to the access
log (via "email").

Idempotency (the Reminder ledger, one row per due item × kind × recipient, unique):

1. claim: insert the rows in "sending" state with this pass's claim id (a row that exists is skipped), and
   take over rows that failed or whose claim is older than domain.CLAIM_TIMEOUT (a worker that died between
   claim and send); only rows carrying this pass's claim id are then sent;
2. send one e-mail per recipient (a digest of at most domain.MAX_PER_MAIL reminders);
3. mark the rows "sent" (or "failed", retried by the next pass while the reminder is still current).

So a restart never sends a sent reminder again and never loses a claimed one. The one window left is a
crash after the mail server accepted the message and before step 3: the reminder is then sent again after
the timeout, with the same Message-ID (mail clients drop the duplicate).

The pass reads `document.responsible_id` of due items without an actor, only to choose recipients; nothing
of the document reaches a recipient except through the chokepoint as above.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from samvirke.core.access import EDITOR_ROLES, Role, actor_for_user
from samvirke.core.visibility import log_reads
from samvirke.organisations.models import Membership
from samvirke.plans.models import DueItem, Rule
from samvirke.plans.selectors import documents_visible_to, due_items_visible_to
from samvirke.reminders import domain
from samvirke.reminders.models import Reminder

logger = logging.getLogger(__name__)

ID_BATCH = 900  # below SQLite's historic 999-parameter limit


@dataclass
class PassResult:
    """What one pass did (returned by the task, printed by the command)."""

    wanted: int = 0  # (item, kind, recipient) the day calls for, before the ledger and visibility
    not_visible: int = 0  # left out: the recipient may not see the item
    already: int = 0  # sent before, or held by another worker's fresh claim
    sent: int = 0  # reminders sent in this pass
    messages: int = 0  # e-mails sent
    failed: int = 0  # reminders whose e-mail the server refused (retried next pass)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "wanted": self.wanted,
            "not_visible": self.not_visible,
            "already": self.already,
            "sent": self.sent,
            "messages": self.messages,
            "failed": self.failed,
            "errors": self.errors[:20],
        }


@dataclass(frozen=True)
class Wanted:
    item: DueItem
    kind: str


def send_reminders(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> PassResult:
    """One pass over every open due item. Safe to run at any time, as often as wanted, in parallel."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    result = PassResult()

    items = _open_items(today)
    wanted = _wanted(items, today)  # {user id: [Wanted]}
    result.wanted = sum(len(v) for v in wanted.values())
    if not wanted:
        return result
    _drop_handled(wanted, now, result)

    users = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in=list(wanted), is_active=True)
        .exclude(email="")
        .only("pk", "email", "language", "username", "first_name", "last_name", "is_active")
    }
    connection = get_connection()
    try:
        for user_id in sorted(wanted):
            user = users.get(user_id)
            if user is None or not wanted[user_id]:
                continue
            connection = _remind_one(user, wanted[user_id], now, connection, result)
    finally:
        connection.close()
    return result


# --- what today calls for --------------------------------------------------------------------------------


def _open_items(today: datetime.date) -> list[DueItem]:
    """The current obligations (not done, not projected) close enough to their due date, or past it."""
    rules = Rule.objects.filter(active=True, rule_set__active=True)
    lead = domain.longest_lead(rules.values_list("reminder_offsets", flat=True))
    return list(
        DueItem.objects.filter(
            done_on__isnull=True,
            projected=False,
            due_date__lte=today + datetime.timedelta(days=lead),
            rule__in=rules,
        )
        .select_related("rule", "rule__document_type", "organisation")
        .order_by("due_date", "id")
    )


def _wanted(items: list[DueItem], today: datetime.date) -> dict[int, list[Wanted]]:
    """{recipient id: [(item, kind)]} of the reminders due today, before the ledger and visibility."""
    per_item = []
    for item in items:
        stages = domain.current_stages(
            item.due_date, today, item.rule.reminder_offsets, item.rule.escalate_after_days
        )
        if stages:
            per_item.append((item, stages))
    if not per_item:
        return {}
    organisations = {item.organisation_id for item, _s in per_item}
    regions = {item.organisation.region_id for item, _s in per_item}
    editors = defaultdict(set)
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=organisations, role__in=list(EDITOR_ROLES), active=True
    ).values_list("organisation_id", "user_id"):
        editors[org_id].add(user_id)
    coordinators = defaultdict(set)
    for region_id, user_id in Membership.objects.filter(
        organisation__region_id__in=regions, role=Role.REGIONAL_COORDINATOR, active=True
    ).values_list("organisation__region_id", "user_id"):
        coordinators[region_id].add(user_id)
    members = set(
        Membership.objects.filter(organisation_id__in=organisations, active=True).values_list(
            "organisation_id", "user_id"
        )
    )
    responsible = {
        item_id: user_id
        for item_id, (org_id, user_id) in _responsible(
            [item.pk for item, _s in per_item if item.document_id]
        ).items()
        if (org_id, user_id) in members
    }

    wanted = defaultdict(list)
    for item, stages in per_item:
        for stage in stages:
            if stage.audience == domain.COORDINATORS:
                recipients = coordinators.get(item.organisation.region_id, set())
            elif item.pk in responsible:
                recipients = {responsible[item.pk]}
            else:
                recipients = editors.get(item.organisation_id, set())
            for user_id in recipients:
                wanted[user_id].append(Wanted(item, stage.kind))
    return wanted


def _responsible(item_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{due item id: (organisation id, the responsible person of its document)}, for documents that name
    an active person with an e-mail address (no content is read: the id only chooses the recipient)."""
    found = {}
    for chunk in _chunks(item_ids, ID_BATCH):
        for item_id, org_id, user_id in (
            DueItem.objects.filter(
                pk__in=chunk, document__responsible__isnull=False, document__responsible__is_active=True
            )
            .exclude(document__responsible__email="")
            .values_list("pk", "organisation_id", "document__responsible_id")
        ):
            found[item_id] = (org_id, user_id)
    return found


def _drop_handled(wanted: dict[int, list[Wanted]], now, result: PassResult) -> None:
    """Leave out what the ledger says is sent, or claimed by another worker that may still be sending."""
    item_ids = sorted({w.item.pk for entries in wanted.values() for w in entries})
    fresh = now - domain.CLAIM_TIMEOUT
    handled = set()
    for chunk in _chunks(item_ids, ID_BATCH):
        handled.update(
            Reminder.objects.filter(due_item_id__in=chunk)
            .filter(Q(state=Reminder.State.SENT) | Q(state=Reminder.State.SENDING, claimed_at__gte=fresh))
            .values_list("due_item_id", "kind", "recipient_id")
        )
    for user_id, entries in wanted.items():
        kept = [w for w in entries if (w.item.pk, w.kind, user_id) not in handled]
        result.already += len(entries) - len(kept)
        wanted[user_id] = kept


# --- one recipient ---------------------------------------------------------------------------------------


def _remind_one(user, entries: list[Wanted], now, connection, result: PassResult):
    actor = actor_for_user(user, verified=True)
    visible = set()
    for chunk in _chunks(sorted({w.item.pk for w in entries}), ID_BATCH):
        visible.update(due_items_visible_to(actor).filter(pk__in=chunk).values_list("pk", flat=True))
    shown = [w for w in entries if w.item.pk in visible]
    result.not_visible += len(entries) - len(shown)
    if not shown:
        return connection
    documents = {}
    for chunk in _chunks(sorted({w.item.document_id for w in shown if w.item.document_id}), ID_BATCH):
        documents.update(
            (d.pk, d)
            for d in documents_visible_to(actor)
            .filter(pk__in=chunk)
            .only("pk", "title", "access_level", "owner_id", "document_type_id")
        )
    for batch in _chunks(shown, domain.MAX_PER_MAIL):
        claimed = _claim(user, batch, now)
        result.already += len(batch) - len(claimed)
        if not claimed:
            continue
        rows = [w for w in batch if (w.item.pk, w.kind) in claimed]
        message = _message(user, rows, documents, claimed)
        try:
            message.connection = connection
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            _mark_failed(claimed.values(), error)
            result.failed += len(claimed)
            result.errors.append(f"{user.pk}: {error}"[:300])
            logger.warning("reminders: mail to user %s failed: %s", user.pk, error)
            connection.close()
            connection = get_connection()
            continue
        _mark_sent(claimed.values(), user)
        log_reads(
            actor,
            [documents[w.item.document_id] for w in rows if w.item.document_id in documents],
            action="read",
            via="email",
        )
        result.sent += len(claimed)
        result.messages += 1
    return connection


def _claim(user, batch: list[Wanted], now) -> dict[tuple[int, str], int]:
    """Claim the batch's reminders for this pass: {(item id, kind): reminder id} of those it now holds."""
    claim = secrets.token_hex(16)
    stale = now - domain.CLAIM_TIMEOUT
    keys = {(w.item.pk, w.kind) for w in batch}
    item_ids = sorted({key[0] for key in keys})
    with transaction.atomic():
        Reminder.objects.bulk_create(
            [
                Reminder(
                    due_item_id=item_id,
                    kind=kind,
                    recipient_id=user.pk,
                    state=Reminder.State.SENDING,
                    claim=claim,
                    claimed_at=now,
                    email=user.email,
                    language=user.language,
                )
                for item_id, kind in sorted(keys)
            ],
            ignore_conflicts=True,
        )
        # Take over what failed, and what a worker that died left claimed.
        Reminder.objects.filter(recipient_id=user.pk, due_item_id__in=item_ids).filter(
            Q(state=Reminder.State.FAILED) | Q(state=Reminder.State.SENDING, claimed_at__lt=stale)
        ).exclude(claim=claim).update(
            state=Reminder.State.SENDING, claim=claim, claimed_at=now, attempts=F("attempts") + 1
        )
        held = Reminder.objects.filter(
            claim=claim, recipient_id=user.pk, state=Reminder.State.SENDING
        ).values_list("due_item_id", "kind", "pk")
        return {(item_id, kind): pk for item_id, kind, pk in held if (item_id, kind) in keys}


def _mark_sent(ids, user) -> None:
    with transaction.atomic():
        Reminder.objects.filter(pk__in=list(ids), state=Reminder.State.SENDING).update(
            state=Reminder.State.SENT,
            sent_at=timezone.now(),
            email=user.email,
            language=user.language,
            last_error="",
        )


def _mark_failed(ids, error) -> None:
    with transaction.atomic():
        Reminder.objects.filter(pk__in=list(ids), state=Reminder.State.SENDING).update(
            state=Reminder.State.FAILED, last_error=str(error)[:300]
        )


# --- the e-mail ------------------------------------------------------------------------------------------


SECTIONS = (domain.ESCALATION, domain.DUE, "before")


def _message(user, rows: list[Wanted], documents: dict, claimed: dict) -> EmailMessage:
    language = user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        entries = [_entry(w, documents) for w in rows]
        entries.sort(key=lambda e: (SECTIONS.index(e["section"]), e["due_date"], e["organisation"]))
        context = {
            "user": user,
            "entries": entries,
            "escalations": [e for e in entries if e["section"] == domain.ESCALATION],
            "due": [e for e in entries if e["section"] == domain.DUE],
            "before": [e for e in entries if e["section"] == "before"],
            "base_url": settings.SAMVIRKE_BASE_URL,
            "feeds_url": settings.SAMVIRKE_BASE_URL + reverse("reminders:feeds"),
        }
        subject = " ".join(render_to_string("reminders/email/subject.txt", context).split())
        body = render_to_string("reminders/email/body.txt", context)
    digest = hashlib.sha256(",".join(str(pk) for pk in sorted(claimed.values())).encode()).hexdigest()[:24]
    host = settings.SAMVIRKE_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "samvirke"
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "Message-ID": f"<reminders.{digest}@{host}>",
            "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies
            "Content-Language": language,
        },
    )


def _entry(wanted: Wanted, documents: dict) -> dict:
    item = wanted.item
    document = documents.get(item.document_id) if item.document_id else None
    doc_type = item.rule.document_type
    if document is not None:
        what = document.title
        url = reverse("plans:document_detail", args=[document.pk])
    else:
        what = doc_type.name if doc_type else ""  # the organisation's own obligation: the rule says it all
        url = reverse("plans:status", args=[item.organisation_id])
    days = domain.days_before(wanted.kind)
    return {
        "section": "before" if days is not None else wanted.kind,
        "kind": wanted.kind,
        "days_before": days,
        "label": f"{item.rule.title} – {what}" if what else item.rule.title,
        "missing": item.subject.startswith("type:"),
        "organisation": item.organisation.name,
        "due_date": item.due_date,
        "url": settings.SAMVIRKE_BASE_URL + url,
        "legal_reference": item.rule.legal_reference,
    }


def _chunks(items, size):
    items = list(items)
    for index in range(0, len(items), size):
        yield items[index : index + size]
