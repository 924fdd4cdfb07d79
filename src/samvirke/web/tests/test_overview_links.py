"""Every link on the region overview leads somewhere real (a walk found the overdue-measures card linking
to the overview itself: its URL variable was set further down the template)."""

import re
from html import unescape


def test_every_link_on_the_overview_answers(signed_in, demo):
    client = signed_in("demo-coordinator")
    body = client.get("/overview/").content.decode()
    links = {unescape(href) for href in re.findall(r'href="([^"#]*)"', body)}
    internal = sorted(h for h in links if h and not h.startswith(("http", "mailto:", "/static/")))
    assert any(h.startswith("/risk/measures/?") and "overdue=1" in h for h in internal), internal
    for href in internal:
        assert href.startswith("/"), f"a relative link on the overview: {href!r}"
        response = client.get(href, follow=True)
        assert response.status_code == 200, f"{href}: {response.status_code}"


def test_the_overview_says_when_its_risk_totals_include_groups_and_partners(signed_in, demo):
    """Found in a walk: 9 analyses and 10 overdue measures in the cards, 8 and 9 in the rows; the
    difference is the steering group's regional analysis, which has no row."""
    from samvirke.organisations.models import Organisation
    from samvirke.risk.models import AnalysedEvent, Measure, RiskAnalysis

    client = signed_in("demo-coordinator")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    note = "The risk totals include groups and partners, which have no row below."
    groups = Organisation.objects.exclude(kind=Organisation.Kind.MUNICIPALITY)
    assert RiskAnalysis.objects.filter(owner__in=groups).exists()  # the demo's regional ROS
    assert note in client.get("/overview/").content.decode()
    host = Organisation.objects.get(municipality_number="1834")
    for model in (RiskAnalysis, AnalysedEvent, Measure):
        model.objects.filter(owner__in=groups).update(owner=host)
    assert note not in client.get("/overview/").content.decode()
