"""The overview's plan column: the region's totals, counted in SQL, equal the sums of the per-municipality
verdicts of domain.document_state, for readers who see different parts of the register."""

import datetime

import pytest
from django.utils import timezone

from samvirke.core.access import AccessLevel
from samvirke.organisations.models import Organisation
from samvirke.plans.due import refresh_due_items
from samvirke.plans.models import GoverningDocument
from samvirke.plans.selectors import plan_picture

READERS = ["demo-coordinator", "demo-rana", "demo-rana-reader", "demo-hemnes", "demo-storuman", "demo-nesna"]


def _sums(picture):
    counts = picture["by_owner"].values()
    return tuple(sum(c[key] for c in counts) for key in ("missing", "outdated", "overdue"))


def _totals(picture):
    return picture["missing_total"], picture["outdated_total"], picture["overdue_total"]


def _mixed_register():
    """Cases the demo alone does not have: two documents of one type (one adopted and past its decided
    revision date, one outdated), a type with only a draft, a document only its owner's members read, and an
    overdue revision whose document the reader may not read, a document past its decided revision date."""
    today = timezone.localdate()
    by_number = {o.municipality_number: o for o in Organisation.objects.filter(kind="municipality")}
    hemnes_plan = GoverningDocument.objects.filter(
        owner=by_number["1832"], document_type__code="overordnet-beredskapsplan"
    ).first()
    yesterday = today - datetime.timedelta(1)
    GoverningDocument.objects.filter(pk=hemnes_plan.pk).update(next_revision_due=yesterday)
    GoverningDocument.objects.create(
        owner=by_number["1832"], document_type=hemnes_plan.document_type, title="Gammel plan",
        status="outdated", adopted_on=datetime.date(2015, 3, 1), access_level=AccessLevel.GREEN,
    )  # fmt: skip
    nesna_hros = GoverningDocument.objects.filter(owner=by_number["1828"], document_type__code="hros")
    nesna_hros.update(status="draft")
    GoverningDocument.objects.filter(owner=by_number["1833"], document_type__code="hros").update(
        access_level=AccessLevel.AMBER_STRICT, exemption_basis="offl. § 24 tredje ledd",
        last_revised_on=datetime.date(2010, 1, 1),
    )  # fmt: skip
    refresh_due_items()
    # Past its decided revision date with no overdue item (yet): Arjeplog's plan, otherwise in order.
    GoverningDocument.objects.filter(
        owner=by_number["2506"], document_type__code__in=["overordnet-beredskapsplan", "rsa"]
    ).update(next_revision_due=yesterday)


@pytest.mark.parametrize("mixed", [False, True], ids=["demo", "mixed register"])
def test_totals_equal_the_sums_of_the_verdicts(demo, actor_of, mixed):
    if mixed:
        _mixed_register()
    region = demo["region"]
    seen = set()
    for username in READERS:
        picture = plan_picture(actor_of(username), region)
        assert len(picture["by_owner"]) == 9
        assert _totals(picture) == _sums(picture), username
        seen.add(_totals(picture))
    assert len(seen) > 1, "every reader saw the same totals: the readers do not exercise the visibility"


def test_a_page_gets_its_municipalities_and_the_whole_region_s_totals(demo, actor_of):
    actor = actor_of("demo-coordinator")
    whole = plan_picture(actor, demo["region"])
    page = list(Organisation.objects.filter(region=demo["region"], kind="municipality").order_by("name")[:3])
    part = plan_picture(actor, demo["region"], organisations=page)
    assert set(part["by_owner"]) == {org.pk for org in page}
    assert all(part["by_owner"][org.pk] == whole["by_owner"][org.pk] for org in page)
    assert _totals(part) == _totals(whole)
