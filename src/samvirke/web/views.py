from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST

from samvirke.accounts.middleware import session_language_cookie
from samvirke.core.access import AccessLevel
from samvirke.core.views import url_for_each
from samvirke.core.visibility import log_reads
from samvirke.notices.selectors import notices_visible_to
from samvirke.organisations import selectors as org_selectors
from samvirke.plans.selectors import plan_picture
from samvirke.risk.selectors import risk_picture


def home(request):
    """Members go to their region's overview; everyone else sees the public front page."""
    if request.actor.region_ids:
        return redirect("web:overview")
    # Public (CLEAR) only: a verified user without memberships may be named on a RED notice, which
    # must not be listed as public information (nor read without a log entry).
    public = notices_visible_to(request.actor).filter(access_level=AccessLevel.CLEAR)[:10]
    return render(request, "web/home.html", {"public_notices": public})


def overview(request, region_id=None):
    """The region overview: municipalities, contacts and (later) risk, plans, due items, incidents."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    regions = list(org_selectors.regions_visible_to(request.actor))
    if not regions:
        return render(request, "web/no_region.html")
    region = org_selectors.get_region_for(request.actor, region_id) if region_id else regions[0]
    context = org_selectors.region_overview(request.actor, region, page=request.GET.get("page"))
    context["regions"] = regions
    context["risk"] = risk_picture(request.actor, region)
    context["plans"] = plan_picture(request.actor, region, organisations=context["municipalities"])
    # Used by the cards above the table as well as by its rows.
    context["risk_list_url"] = reverse("risk:list")
    context["risk_measures_url"] = reverse("risk:measures")
    # Each row ready to print: links from one reverse() per kind, figures and labels on the row itself (the
    # template looked the figures up three times a row, built the country choices and reversed URLs).
    detail_url = url_for_each("organisations:detail")
    status_url = url_for_each("plans:status")
    followup_url = url_for_each("followup:organisation")
    countries = {}  # get_country_display builds the choices again on every call
    for municipality in context["municipalities"]:
        if municipality.country not in countries:
            countries[municipality.country] = municipality.get_country_display()
        municipality.country_label = countries[municipality.country]
        municipality.detail_url = detail_url(municipality.pk)
        municipality.status_url = status_url(municipality.pk)
        municipality.followup_url = followup_url(municipality.pk)
        municipality.risk = context["risk"]["by_owner"].get(municipality.pk)
        municipality.plan = context["plans"]["by_owner"].get(municipality.pk)
        municipality.population_text = (
            "–"
            if municipality.population is None
            else formats.number_format(municipality.population, force_grouping=True)
        )
    context["latest_notices"] = list(notices_visible_to(request.actor)[:5])
    log_reads(request.actor, context["latest_notices"], action="list")
    return render(request, "web/overview.html", context)


def healthz(request):
    """Liveness check for load balancers and the benchmarks' baseline: plain "ok", no database access."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def accessibility(request):
    return render(request, "web/accessibility.html")


@require_POST
def set_language(request):
    """Language switcher that works without JavaScript and remembers the choice for signed-in users."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if language and check_for_language(language) and language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        session_language_cookie(response, language)
    return response
