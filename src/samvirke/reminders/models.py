"""Reminders by e-mail (the ledger that makes them idempotent) and calendar feeds.

Neither is content (tests/authz/test_model_coverage.py): a Reminder is the worker's record of what it sent
to whom, and is never shown to anyone but through the admin; a CalendarFeed belongs to the person who made
it (and, for an organisation feed, may be revoked by the organisation's editors), and what a feed shows is
read through the chokepoint (reminders.feeds).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samvirke.reminders import domain


class Reminder(models.Model):
    """One reminder (a due item, a kind, a recipient): claimed before the e-mail is sent, marked sent after.

    The unique constraint makes the claim: two workers (or a restarted one) cannot both hold the same
    reminder. A claim left in "sending" by a worker that died is taken over after `domain.CLAIM_TIMEOUT`;
    a "sent" reminder is never sent again; a "failed" one (the mail server refused) is retried by the next
    pass while the reminder is still current (reminders.domain).
    """

    class State(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    due_item = models.ForeignKey("plans.DueItem", on_delete=models.CASCADE, related_name="+")
    #: "before-30", "due" or "escalation" (reminders.domain)
    kind = models.CharField(_("kind"), max_length=20)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.SENDING)
    #: Which pass holds the claim (a random id per pass and recipient).
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("claimed"))
    attempts = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    email = models.EmailField(_("sent to"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["due_item", "kind", "recipient"], name="reminders_reminder_once")
        ]
        indexes = [models.Index(fields=["claim"], name="reminders_reminder_claim_idx")]

    def __str__(self):
        return f"{self.due_item_id} {self.kind} {self.recipient_id} {self.state}"

    @property
    def days_before(self) -> int | None:
        return domain.days_before(self.kind)


FEED_TOKEN_PREFIX = "smvcal_"
#: Characters of the raw token kept in clear to find the row (not secret; the rest is compared by hash).
FEED_LOOKUP_LENGTH = 16


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A secret calendar address (iCalendar) of deadlines: a person's own, or an organisation's.

    The raw token is shown once when the feed is made; only its SHA-256 is stored, with its first
    characters to find the row. A person's feed shows what that person may see now (their actor, built when
    the feed is read); an organisation's feed shows the organisation's CLEAR and GREEN deadlines only, and
    only while the person who made it is still a member (reminders.feeds).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("made by"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Empty for a personal feed."),
    )
    name = models.CharField(_("name"), max_length=100)
    lookup = models.CharField(max_length=FEED_LOOKUP_LENGTH, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @classmethod
    def issue(cls, *, user, name: str, organisation=None) -> tuple[CalendarFeed, str]:
        raw = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
        feed = cls.objects.create(
            user=user,
            organisation=organisation,
            name=name,
            lookup=raw[:FEED_LOOKUP_LENGTH],
            token_hash=hash_feed_token(raw),
        )
        return feed, raw

    @classmethod
    def find(cls, raw: str) -> CalendarFeed | None:
        """The unrevoked feed of a raw token, or None. The hash is compared in constant time."""
        if not isinstance(raw, str) or not raw.startswith(FEED_TOKEN_PREFIX) or len(raw) > 100:
            return None
        digest = hash_feed_token(raw)
        found = None
        for feed in cls.objects.filter(
            lookup=raw[:FEED_LOOKUP_LENGTH], revoked_at__isnull=True
        ).select_related("user", "organisation"):
            if hmac.compare_digest(feed.token_hash, digest):
                found = feed
        return found

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def is_personal(self) -> bool:
        return self.organisation_id is None
