"""The agreement lists keep a constant number of queries as agreements and parties grow."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.agreements.models import Agreement
from samvirke.core.access import AccessLevel
from samvirke.organisations.models import Organisation

_numbers = itertools.count(1)


def add_agreements(owner, n, *, parties):
    """n agreements at several levels (AMBER shared with the parties), each with parties and an end date."""
    levels = [AccessLevel.GREEN, AccessLevel.AMBER, AccessLevel.AMBER_STRICT, AccessLevel.CLEAR]
    for i in range(n):
        number = next(_numbers)
        level = levels[i % len(levels)]
        agreement = Agreement(
            owner=owner,
            title=f"Vekstavtale {number}",
            status="active",
            valid_from=datetime.date(2024, 1, 1),
            valid_to=datetime.date(2031, 1, 1) + datetime.timedelta(days=40 * i),
            access_level=level,
            exemption_basis=""
            if level in (AccessLevel.GREEN, AccessLevel.CLEAR)
            else "offl. § 24 tredje ledd",
            parties=[
                {"organisation": p.pk, "name": p.name, "kind": "municipality", "country": p.country}
                for p in parties
            ]
            + [{"organisation": None, "name": f"Firma {number}", "kind": "business", "country": "SE"}],
        )
        agreement.save()
        agreement.party_organisations.set(parties)
        agreement.shared_with.set(parties)


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("where", ["region", "organisation", "filtered"])
def test_lists_are_flat(signed_in, demo, where):
    orgs = {o.municipality_number: o for o in Organisation.objects.filter(kind="municipality")}
    hemnes, rana = orgs["1832"], orgs["1833"]
    url = {
        "region": f"/agreements/regions/{hemnes.region_id}/",
        "organisation": f"/agreements/organisations/{hemnes.pk}/",
        "filtered": f"/agreements/regions/{hemnes.region_id}/"
        "?party_kind=business&cross_border=1&state=active",
    }[where]
    client = signed_in("demo-hemnes")
    add_agreements(rana, 4, parties=[hemnes])
    add_agreements(hemnes, 4, parties=[rana])
    client.get(url)  # warm the per-process caches (content types of the access log)
    first, response = count(client, url)
    shown = len(response.context["agreements"])
    add_agreements(rana, 12, parties=[hemnes])
    add_agreements(hemnes, 12, parties=[rana])
    second, response = count(client, url)
    assert len(response.context["agreements"]) > shown
    assert first == second, f"{where}: {first} queries, then {second} with more agreements"
