"""List endpoints: page-number pagination over the chokepoint, with the count of what the caller may see."""

from django.conf import settings

from samvirke.api.tests.conftest import assert_envelope
from samvirke.core.models import AccessLogEntry
from samvirke.notices.models import Notice
from samvirke.notices.selectors import notices_visible_to


def test_list_has_count_and_items_of_visible_records_only(api_as, actor_of):
    response = api_as("demo-hemnes").get("/api/v1/notices")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    visible = notices_visible_to(actor_of("demo-hemnes"))
    assert body["count"] == visible.count() < Notice.objects.count()
    assert [n["id"] for n in body["items"]] == list(visible.values_list("pk", flat=True))
    assert {"id", "title", "body", "category", "access_level", "version", "owner_id"} <= set(body["items"][0])


def test_page_size_pages_and_page_beyond_the_end(api_as):
    client = api_as("demo-coordinator")
    everything = client.get("/api/v1/notices").json()
    total = everything["count"]
    assert total >= 4
    ids = [n["id"] for n in everything["items"]]

    first = client.get("/api/v1/notices?page_size=3").json()
    second = client.get("/api/v1/notices?page_size=3&page=2").json()
    assert first["count"] == second["count"] == total
    assert [n["id"] for n in first["items"]] == ids[:3]
    assert [n["id"] for n in second["items"]] == ids[3:6]

    beyond = client.get(f"/api/v1/notices?page_size=3&page={total + 10}")
    assert beyond.status_code == 200
    assert beyond.json() == {"items": [], "count": total}


def test_default_and_maximum_page_size(api_as, demo):
    client = api_as("demo-coordinator")
    organisations = client.get("/api/v1/organisations").json()
    assert organisations["count"] > 1
    assert len(organisations["items"]) == min(organisations["count"], settings.NINJA_PAGINATION_PER_PAGE)
    assert len(client.get("/api/v1/organisations?page_size=1").json()["items"]) == 1
    error = assert_envelope(
        client.get(f"/api/v1/notices?page_size={settings.NINJA_PAGINATION_MAX_LIMIT + 1}"),
        422,
        "validation_error",
    )
    assert list(error["details"]) == ["page_size"]


def test_only_the_returned_page_is_written_to_the_access_log(api_as):
    client = api_as("demo-coordinator")
    before = AccessLogEntry.objects.count()
    page = client.get("/api/v1/notices?page_size=2").json()["items"]
    logged = AccessLogEntry.objects.order_by("-pk")[: AccessLogEntry.objects.count() - before]
    assert {entry.object_id for entry in logged} <= {n["id"] for n in page}
    assert all(entry.via == "api" and entry.action == "list" for entry in logged)
