"""History and restore of analyses, events and measures (risk.history over core.services)."""

import datetime

import pytest

from samvirke.core.access import AccessLevel
from samvirke.core.models import AccessLogEntry
from samvirke.risk import services
from samvirke.risk.models import AnalysedEvent, AnalysisVersion, Measure, RiskAnalysis


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def rana_hros(demo):
    return RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")


def _oldest(record):
    return record.history.order_by("history_date", "history_id").first()


def test_analysis_history_and_restore(signed_in, actor_of, demo):
    actor = actor_of("demo-hemnes")
    analysis = RiskAnalysis.objects.get(title__startswith="Helhetlig ROS Hemnes")  # in consultation
    services.analysis_update(
        actor=actor, analysis_id=analysis.pk, expected_version=analysis.version,
        data={"title": "Hemnes ROS, ny tittel", "status": "draft"},
    )  # fmt: skip
    client = english(signed_in("demo-hemnes"))
    url = f"/risk/{analysis.pk}/history/"
    body = client.get(url).content.decode()
    assert "Hemnes ROS, ny tittel" in body and "Helhetlig ROS Hemnes" in body
    assert "In consultation" in body and "Draft" in body  # the status by name, not its code
    assert "Restore this version" in body
    # Restore the first version: a new version with the old title and status.
    first = _oldest(analysis)
    response = client.post(f"/risk/{analysis.pk}/history/{first.history_id}/restore/")
    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.title.startswith("Helhetlig ROS Hemnes") and analysis.status == "consultation"
    assert analysis.history.first().history_change_reason.startswith("Restored version from")
    # Readers see the history but cannot restore.
    reader = english(signed_in("demo-rana"))  # Hemnes' analysis is AMBER, shared with Rana
    body = reader.get(url).content.decode()
    assert "Hemnes ROS, ny tittel" in body and "Restore this version" not in body
    assert reader.post(f"/risk/{analysis.pk}/history/{first.history_id}/restore/").status_code == 403
    # Viewing the history of an AMBER record is logged as such.
    assert AccessLogEntry.objects.filter(object_id=analysis.pk, action="history").exists()


def test_restoring_an_adopted_version_freezes_a_version(actor_of, demo):
    from samvirke.risk.history import analysis_restore

    actor = actor_of("demo-hemnes")
    analysis = RiskAnalysis.objects.get(title__startswith="Helhetlig ROS Hemnes")
    analysis = services.analysis_update(
        actor=actor, analysis_id=analysis.pk, expected_version=analysis.version,
        data={"status": "adopted", "adopted_on": datetime.date(2025, 2, 1)},
    )  # fmt: skip
    adopted = analysis.history.first()
    analysis = services.analysis_update(
        actor=actor, analysis_id=analysis.pk, expected_version=analysis.version,
        data={"status": "draft", "adopted_on": None},
    )  # fmt: skip
    assert AnalysisVersion.objects.filter(analysis=analysis).count() == 1
    analysis_restore(actor=actor, analysis_id=analysis.pk, history_id=adopted.history_id)
    assert AnalysisVersion.objects.filter(analysis=analysis).count() == 2


def test_event_history_shows_classes_and_restore_recomputes_the_risk(signed_in, actor_of, rana_hros):
    actor = actor_of("demo-rana")
    flood = AnalysedEvent.objects.get(analysis=rana_hros, title="Flom i Ranelva")  # D × 3: yellow (12)
    before = (flood.likelihood_id, flood.risk_score, flood.risk_colour)
    services.event_update(
        actor=actor, analysis_id=rana_hros.pk, event_id=flood.pk, expected_version=flood.version,
        data={"likelihood": rana_hros.scale_set.likelihood_classes.get(code="E"),
              "likelihood_reasoning": "Oftere flom."},
    )  # fmt: skip
    flood.refresh_from_db()
    assert flood.risk_score == 15
    client = english(signed_in("demo-rana"))
    body = client.get(f"/risk/{rana_hros.pk}/events/{flood.pk}/history/").content.decode()
    assert "D – " in body and "E – " in body  # the classes by code and label, not by id
    assert "Oftere flom." in body
    assert "Consequence assessments are not kept per version" in body
    first = _oldest(flood)
    response = client.post(f"/risk/{rana_hros.pk}/events/{flood.pk}/history/{first.history_id}/restore/")
    assert response.status_code == 302
    flood.refresh_from_db()
    assert (flood.likelihood_id, flood.risk_score, flood.risk_colour) == before
    assert flood.likelihood_position == 4 and flood.version == 3
    assert (
        f"/risk/{rana_hros.pk}/events/{flood.pk}/history/"
        in client.get(f"/risk/{rana_hros.pk}/events/{flood.pk}/").content.decode()
    )


def test_measure_history_and_restore(signed_in, actor_of, rana_hros):
    actor = actor_of("demo-rana")
    measure = Measure.objects.get(analysis=rana_hros, title__startswith="Flomvoll")
    services.measure_update(
        actor=actor, analysis_id=rana_hros.pk, measure_id=measure.pk, expected_version=measure.version,
        data={"status": "cancelled", "responsible": "Ny ansvarlig"},
    )  # fmt: skip
    client = english(signed_in("demo-rana"))
    url = f"/risk/{rana_hros.pk}/measures/{measure.pk}/history/"
    body = client.get(url).content.decode()
    assert "Cancelled" in body and "Planned" in body and "Ny ansvarlig" in body
    assert url in client.get(f"/risk/{rana_hros.pk}/").content.decode()
    first = _oldest(measure)
    assert client.post(f"{url}{first.history_id}/restore/").status_code == 302
    measure.refresh_from_db()
    assert measure.status == "planned" and measure.version == 3


def test_outsiders_and_foreign_versions_get_404(signed_in, actor_of, rana_hros):
    rana = actor_of("demo-rana")
    strict = AnalysedEvent.objects.get(analysis=rana_hros, title="Langvarig strømbrudd i Mo Industripark")
    assert strict.access_level == AccessLevel.AMBER_STRICT
    measure = services.measure_create(
        actor=rana, analysis_id=rana_hros.pk,
        data={"title": "qzstrict-tiltak", "access_level": AccessLevel.AMBER_STRICT,
              "exemption_basis": "offl. § 24 tredje ledd"},
    )  # fmt: skip
    client = signed_in("demo-hemnes")  # sees the GREEN analysis, not the AMBER+STRICT event and measure
    for base, record in (
        (f"/risk/{rana_hros.pk}/events/{strict.pk}/history/", strict),
        (f"/risk/{rana_hros.pk}/measures/{measure.pk}/history/", measure),
    ):
        response = client.get(base)
        assert response.status_code == 404 and record.title not in response.content.decode()
        restore = f"{base}{_oldest(record).history_id}/restore/"
        assert client.post(restore).status_code == 404
    # A version of another record, under a record the editor may restore, is not found.
    hemnes = RiskAnalysis.objects.get(title__startswith="Helhetlig ROS Hemnes")
    version = hemnes.version
    foreign = _oldest(rana_hros).history_id
    assert client.post(f"/risk/{hemnes.pk}/history/{foreign}/restore/").status_code == 404
    hemnes.refresh_from_db()
    assert hemnes.version == version and hemnes.title.startswith("Helhetlig ROS Hemnes")
    # An event under another analysis' id is not found either.
    reader = signed_in("demo-rana-reader")  # may read both analyses and the event
    assert reader.get(f"/risk/{rana_hros.pk}/events/{strict.pk}/history/").status_code == 200
    assert reader.get(f"/risk/{hemnes.pk}/events/{strict.pk}/history/").status_code == 404
