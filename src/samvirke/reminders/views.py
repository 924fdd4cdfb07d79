import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_otp import user_has_device

from samvirke.core.errors import NotFound
from samvirke.reminders import feeds, selectors, services
from samvirke.reminders.forms import FeedForm
from samvirke.reminders.models import CalendarFeed

#: last_used_at is written at most this often per feed (calendar clients poll every few hours).
LAST_USED_RESOLUTION = datetime.timedelta(hours=1)


def _feed_urls(request, raw: str) -> dict:
    https = request.build_absolute_uri(reverse("reminders:feed", args=[raw]))
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@login_required
def feed_list(request):
    organisations = list(selectors.feed_organisations(request.actor))
    return render(
        request,
        "reminders/feeds.html",
        {
            "feeds": list(selectors.feeds_manageable_by(request.actor)),
            "form": FeedForm(organisations=organisations),
            "verified": request.actor.is_verified,
        },
    )


@login_required
@require_POST
def feed_create(request):
    # The address reads as its maker without a second factor, like an API token: only from a verified
    # session.
    if not request.actor.is_verified:
        messages.error(request, _("Turn on two-factor authentication before you make a calendar address."))
        return redirect("accounts:mfa_setup" if not user_has_device(request.user) else "accounts:mfa_verify")
    organisations = list(selectors.feed_organisations(request.actor))
    form = FeedForm(request.POST, organisations=organisations)
    if not form.is_valid():
        return render(
            request,
            "reminders/feeds.html",
            {"feeds": list(selectors.feeds_manageable_by(request.actor)), "form": form, "verified": True},
        )
    feed, raw = services.feed_create(
        actor=request.actor,
        user=request.user,
        name=form.cleaned_data["name"],
        organisation=form.organisation(),
    )
    return render(request, "reminders/feed_created.html", {"feed": feed, "urls": _feed_urls(request, raw)})


@login_required
@require_POST
def feed_revoke(request, feed_id):
    feed = services.feed_revoke(actor=request.actor, feed_id=feed_id)
    messages.success(request, _("The calendar address “%(name)s” was revoked.") % {"name": feed.name})
    return redirect("reminders:feeds")


@require_safe
def feed(request, feed_token):
    """The iCalendar file, for calendar clients: no sign-in, the secret address is the key."""
    found = CalendarFeed.find(feed_token)
    actor = feeds.feed_actor(found) if found is not None else None
    if actor is None:
        raise NotFound()
    now = timezone.now()
    if found.last_used_at is None or found.last_used_at < now - LAST_USED_RESOLUTION:
        CalendarFeed.objects.filter(pk=found.pk).update(last_used_at=now)
    body = feeds.render_feed(found, actor, absolute=request.build_absolute_uri)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="samvirke.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
