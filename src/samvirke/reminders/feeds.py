"""Calendar feeds (iCalendar, RFC 5545): what a feed shows, and the file itself.

What a feed shows is read through the chokepoint, with the actor of the person who made the feed, built
when the calendar client fetches it (memberships lost since then count at once):

* a personal feed: the open deadlines (due items) of the person's organisations that they may see
  (plans.selectors.due_items_visible_to; a document's title only through documents_visible_to);
* an organisation feed: the organisation's open deadlines that are about no particular document (the
  organisation's own obligations, or a required document type it lacks), or about a CLEAR or GREEN document
  — never AMBER or stricter, because the address may be shared with a team calendar. It works only while
  its maker is still a member of the organisation.

Events come from `EVENT_SOURCES`: functions (feed, actor, start, end) -> FeedEvent: deadlines, and
agreements' renewal dates (the same rules: the feed's organisations, CLEAR/GREEN for an organisation feed);
exercises and meetings (not yet in Samvirke) plug in the same way, each reading through its own chokepoint.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import NamedTuple

import icalendar
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from samvirke.core.access import AccessLevel, Actor, actor_for_user
from samvirke.core.visibility import log_reads
from samvirke.plans.selectors import documents_visible_to, due_items_visible_to
from samvirke.reminders.models import CalendarFeed

#: Levels an organisation feed may show (its address can be shared with people without an account).
ORGANISATION_FEED_LEVELS = (AccessLevel.CLEAR, AccessLevel.GREEN)
#: The window of a feed: deadlines from this far back (older ones only while still owed), future ones this far
#: ahead.
PAST_DAYS = 366
FUTURE_DAYS = 3 * 366
#: How often calendar clients should fetch the feed again (REFRESH-INTERVAL, RFC 7986).
REFRESH = datetime.timedelta(hours=6)


class FeedEvent(NamedTuple):
    """One all-day event of a feed."""

    uid: str  # stable across fetches and re-derivations
    date: datetime.date
    summary: str
    description: str
    url: str  # path; made absolute with the request
    category: str


def feed_actor(feed: CalendarFeed) -> Actor | None:
    """The actor a feed reads as, or None when the feed no longer works (maker inactive, or no longer a
    member of the feed's organisation)."""
    if not feed.user.is_active:
        return None
    actor = actor_for_user(feed.user, verified=True)
    if feed.organisation_id is not None and feed.organisation_id not in actor.organisation_ids:
        return None
    return actor


def _uid_domain() -> str:
    host = settings.SAMVIRKE_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "samvirke"


def deadline_events(feed: CalendarFeed, actor: Actor, start: datetime.date, end: datetime.date):
    """Open due items (deadlines) the feed may show, as events. Three queries, whatever the number."""
    # Within the window, and a deadline still owed from before it (an overdue current obligation stays in
    # the feed, however old, until it is done: leaving it out would make the duty look on track).
    items = due_items_visible_to(actor).filter(
        Q(due_date__gte=start) | Q(projected=False), done_on__isnull=True, due_date__lte=end
    )
    if feed.organisation_id is None:
        items = items.filter(organisation_id__in=list(actor.organisation_ids))
    else:
        items = items.filter(organisation_id=feed.organisation_id).filter(
            Q(document__isnull=True)
            | Q(
                document_id__in=documents_visible_to(actor)
                .filter(owner_id=feed.organisation_id, access_level__in=ORGANISATION_FEED_LEVELS)
                .values("pk")
            )
        )
    items = list(
        items.select_related("rule", "rule__document_type", "organisation").order_by("due_date", "id")
    )
    documents = {
        d.pk: d
        for d in documents_visible_to(actor)
        .filter(pk__in={i.document_id for i in items if i.document_id})
        .only("pk", "title", "access_level")
    }
    if feed.organisation_id is not None:
        documents = {pk: d for pk, d in documents.items() if d.access_level in ORGANISATION_FEED_LEVELS}
    log_reads(actor, list(documents.values()), action="list", via="feed")
    today = timezone.localdate()
    domain = _uid_domain()
    for item in items:
        document = documents.get(item.document_id) if item.document_id else None
        if item.document_id and document is None:
            continue  # not shown: the chokepoint above already dropped it; never fall back to the type
        doc_type = item.rule.document_type
        if document is not None:
            what = document.title
            url = reverse("plans:document_detail", args=[document.pk])
        else:
            what = doc_type.name if doc_type else item.organisation.name
            url = reverse("plans:status", args=[item.organisation_id])
        summary = f"{item.rule.title}: {what}"
        if item.due_date < today:
            summary = _("Overdue: %(summary)s") % {"summary": summary}
        lines = [
            _("Organisation: %(name)s") % {"name": item.organisation.name},
            _("Obligation: %(rule)s") % {"rule": item.rule.title},
        ]
        if item.subject.startswith("type:"):
            lines.append(_("The document is not in the register."))
        if item.rule.legal_reference:
            lines.append(_("Legal basis: %(reference)s") % {"reference": item.rule.legal_reference})
        subject = item.subject.replace(":", "-")
        yield FeedEvent(
            uid=f"due-{item.organisation_id}-{item.rule_id}-{subject}-{item.due_date:%Y%m%d}@{domain}",
            date=item.due_date,
            summary=summary,
            description="\n".join(lines),
            url=url,
            category=_("Deadline"),
        )


def renewal_events(feed: CalendarFeed, actor: Actor, start: datetime.date, end: datetime.date):
    """Agreements in force whose renewal (or notice) date is before the window's end, from the agreements'
    own chokepoint (agreements.selectors.upcoming_renewals: readable by the actor, one query), owned by the
    feed's organisations. An overdue renewal stays in the feed until the agreement ends or is renewed."""
    from samvirke.agreements.selectors import upcoming_renewals

    owners = actor.organisation_ids if feed.organisation_id is None else {feed.organisation_id}
    shown = [
        (agreement, due)
        for agreement, due in upcoming_renewals(actor, end)
        if agreement.owner_id in owners
        and (feed.organisation_id is None or agreement.access_level in ORGANISATION_FEED_LEVELS)
    ]
    log_reads(actor, [agreement for agreement, _due in shown], action="list", via="feed")
    domain = _uid_domain()
    for agreement, due in shown:
        lines = [
            _("Organisation: %(name)s") % {"name": agreement.owner.name},
            _("The agreement ends %(date)s.") % {"date": formats.date_format(agreement.valid_to)},
        ]
        yield FeedEvent(
            uid=f"agreement-renewal-{agreement.pk}-{due:%Y%m%d}@{domain}",
            date=due,
            summary=_("Renew or give notice: %(title)s") % {"title": agreement.title},
            description="\n".join(lines),
            url=reverse("agreements:detail", args=[agreement.pk]),
            category=_("Agreement"),
        )


#: Where a feed's events come from. Exercises and meetings go here when those modules exist: each source
#: reads through its own chokepoint with the actor it is given, and for an organisation feed keeps to
#: ORGANISATION_FEED_LEVELS.
EVENT_SOURCES: list[Callable[[CalendarFeed, Actor, datetime.date, datetime.date], Iterable[FeedEvent]]] = [
    deadline_events,
    renewal_events,
]


def feed_events(feed: CalendarFeed, actor: Actor, *, today: datetime.date | None = None) -> list[FeedEvent]:
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=PAST_DAYS)
    end = today + datetime.timedelta(days=FUTURE_DAYS)
    events = [event for source in EVENT_SOURCES for event in source(feed, actor, start, end)]
    return sorted(events, key=lambda e: (e.date, e.uid))


def feed_language(feed: CalendarFeed) -> str:
    language = feed.organisation.language if feed.organisation_id else feed.user.language
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_feed(feed: CalendarFeed, actor: Actor, *, absolute: Callable[[str], str]) -> bytes:
    """The feed as an iCalendar file: all-day VEVENTs with stable UIDs, DTSTAMP, SUMMARY and URL."""
    language = feed_language(feed)
    with translation.override(language):
        events = feed_events(feed, actor)
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Samvirke//Deadlines//" + language.upper())
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        name = (
            _("Samvirke deadlines: %(name)s") % {"name": feed.organisation.name}
            if feed.organisation_id
            else _("Samvirke deadlines: %(name)s") % {"name": feed.user.get_full_name() or feed.user.username}
        )
        calendar.add("name", name)  # RFC 7986
        calendar.add("x-wr-calname", name)  # what most clients read
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH).to_ical().decode())  # "PT6H"
        stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
        for item in events:
            event = icalendar.Event()
            event.add("uid", item.uid)
            event.add("dtstamp", stamp)
            event.add("dtstart", item.date)
            event.add("dtend", item.date + datetime.timedelta(days=1))
            event.add("summary", item.summary)
            event.add("description", item.description)
            event.add("url", absolute(item.url), parameters={"VALUE": "URI"})
            event.add("categories", [item.category])
            event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
            calendar.add_component(event)
    return calendar.to_ical()
