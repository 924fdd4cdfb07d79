"""Adopted versions (risk.versions): adoption freezes a snapshot; the comparison with today shows what was
added, removed and moved, and only what the reader may see. Real database, demo region."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.core.access import AccessLevel
from samvirke.core.errors import PermissionDenied
from samvirke.risk import services, versions
from samvirke.risk.models import (
    AnalysedEvent,
    AnalysisVersion,
    ConsequenceLevel,
    ConsequenceType,
    LikelihoodClass,
    Measure,
    RiskAnalysis,
)
from samvirke.risk.snapshot import build_snapshot


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def rana_hros(demo):
    return RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")


@pytest.fixture
def hemnes_hros(demo):
    return RiskAnalysis.objects.get(title__startswith="Helhetlig ROS Hemnes")


def _consequences(analysis, **levels):
    types = {t.code: t for t in ConsequenceType.objects.filter(scale_set=analysis.scale_set)}
    return {
        types[code]: (types[code].levels.get(position=position), "Grunngitt.")
        for code, position in levels.items()
    }


def _new_event(actor, analysis, title, *, likelihood="C", level=AccessLevel.GREEN, dagligliv=3, **extra):
    return services.event_create(
        actor=actor,
        analysis_id=analysis.pk,
        data={
            "title": title,
            "likelihood": analysis.scale_set.likelihood_classes.get(code=likelihood),
            "likelihood_reasoning": "Erfaring.",
            "access_level": level,
            "exemption_basis": "" if level == AccessLevel.CLEAR else "offl. § 24 tredje ledd",
        },
        consequences=_consequences(analysis, dagligliv=dagligliv),
        **extra,
    )


def _adopt(actor, analysis, **data):
    return services.analysis_update(
        actor=actor,
        analysis_id=analysis.pk,
        expected_version=analysis.version,
        data={"status": "adopted", "adopted_on": datetime.date(2025, 3, 1), "adopted_by": "Kommunestyret",
              "case_number": "25/100", **data},
    )  # fmt: skip


# --- freezing ----------------------------------------------------------------------------------------------


def test_adoption_freezes_a_version_once(actor_of, hemnes_hros):
    actor = actor_of("demo-hemnes")
    assert not AnalysisVersion.objects.filter(analysis=hemnes_hros).exists()
    analysis = _adopt(actor, hemnes_hros)
    version = AnalysisVersion.objects.get(analysis=analysis)
    assert (version.number, version.status, version.adopted_on, version.case_number) == (
        1, "adopted", datetime.date(2025, 3, 1), "25/100",
    )  # fmt: skip
    assert version.frozen_by_id == actor.user_id
    events = AnalysedEvent.objects.filter(analysis=analysis)
    assert {e["id"] for e in version.snapshot["events"]} == {e.pk for e in events}
    assert version.snapshot["analysis"]["status"] == "adopted"
    # Saving the adopted analysis again is not a new adoption...
    analysis = services.analysis_update(
        actor=actor, analysis_id=analysis.pk, expected_version=analysis.version, data={"title": "Ny tittel"}
    )
    assert AnalysisVersion.objects.filter(analysis=analysis).count() == 1
    # ...and freezing by hand right after a freeze with nothing changed makes nothing new.
    analysis = _adopt(actor, analysis, adopted_on=datetime.date(2025, 4, 1))  # a new adoption date
    assert AnalysisVersion.objects.filter(analysis=analysis).count() == 2
    again, created = versions.version_freeze(actor=actor, analysis_id=analysis.pk)
    assert not created and again.number == 2
    # A change, then a freeze by hand: a new version.
    _new_event(actor, analysis, "Nytt skred", level=AccessLevel.AMBER)
    third, created = versions.version_freeze(actor=actor, analysis_id=analysis.pk)
    assert (
        created
        and third.number == 3
        and len(third.snapshot["events"]) == AnalysedEvent.objects.filter(analysis=analysis).count()
    )


def test_only_editors_freeze(actor_of, rana_hros):
    with pytest.raises(PermissionDenied):
        versions.version_freeze(actor=actor_of("demo-rana-reader"), analysis_id=rana_hros.pk)
    assert not AnalysisVersion.objects.exists()


def test_a_later_scale_edit_does_not_change_the_snapshot(actor_of, rana_hros):
    actor = actor_of("demo-rana")
    version, _created = versions.version_freeze(actor=actor, analysis_id=rana_hros.pk)
    frozen = AnalysisVersion.objects.get(pk=version.pk).snapshot
    event = next(e for e in frozen["events"] if e["likelihood_code"] == "E")
    # Someone edits the (shared) scale: codes, labels, a level's label.
    LikelihoodClass.objects.filter(scale_set=rana_hros.scale_set, code="E").update(code="X", label="Endret")
    ConsequenceLevel.objects.filter(consequence_type__scale_set=rana_hros.scale_set).update(label="Omdøpt")
    stored = AnalysisVersion.objects.get(pk=version.pk).snapshot
    assert stored == frozen
    again = next(e for e in stored["events"] if e["id"] == event["id"])
    assert (again["likelihood_code"], again["risk_colour"]) == ("E", event["risk_colour"])
    assert all(c["label"] != "Omdøpt" for c in again["consequences"])
    # The comparison sees a relabelled scale as no movement: positions did not change.
    now = versions.compare(stored, build_snapshot(rana_hros))
    assert now["events"]["changed"] == [] and now["events"]["added"] == []


# --- comparing ---------------------------------------------------------------------------------------------


def test_compare_is_a_pure_difference():
    def event(pk, title, likelihood, consequences, colour, score, **extra):
        return {"id": pk, "title": title, "likelihood_position": likelihood,
                "likelihood_code": "ABCDE"[likelihood - 1], "likelihood_label": "",
                "consequences": consequences, "risk_colour": colour, "risk_score": score,
                "knowledge_strength": "medium", "access_level": "green", **extra}  # fmt: skip

    life = {"type": "dodsfall", "type_name": "Dødsfall", "position": 2, "code": "2", "label": "Få"}
    old = {
        "analysis": {"title": "A", "status": "adopted"},
        "events": [event(1, "Flom", 2, [life], "yellow", 4), event(2, "Skred", 1, [], "green", 1)],
        "measures": [{"id": 7, "title": "Voll", "status": "planned", "deadline": "2026-01-01"}],
    }
    new = {
        "analysis": {"title": "A", "status": "draft"},
        "events": [
            event(1, "Flom", 4, [{**life, "position": 3, "code": "3", "label": "Flere"}], "red", 12),
            event(3, "Brann", 3, [], "", None),
        ],
        "measures": [{"id": 7, "title": "Voll", "status": "done", "deadline": "2026-01-01"}],
    }
    result = versions.compare(old, new)
    assert [c["what"] for c in result["analysis"]] == ["status"]
    assert [e["id"] for e in result["events"]["added"]] == [3]
    assert [e["id"] for e in result["events"]["removed"]] == [2]
    (moved,) = result["events"]["changed"]
    changes = {c["what"]: c for c in moved["changes"]}
    assert changes["likelihood"]["old"] == "B" and changes["likelihood"]["new"] == "D"
    assert changes["likelihood"]["direction"] == "up"
    assert (changes["consequence"]["old"], changes["consequence"]["new"]) == ("2 – Få", "3 – Flere")
    assert changes["risk"]["old"] == {"colour": "yellow", "score": 4}
    assert changes["risk"]["new"] == {"colour": "red", "score": 12}
    (measure,) = result["measures"]["changed"]
    assert measure["changes"] == [{"what": "status", "old": "planned", "new": "done"}]


def test_diff_page_shows_added_removed_and_moved(signed_in, actor_of, rana_hros):
    actor = actor_of("demo-rana")
    flood = AnalysedEvent.objects.get(analysis=rana_hros, title="Flom i Ranelva")  # D, yellow
    gone = AnalysedEvent.objects.get(analysis=rana_hros, title="Kvikkleireskred i boligområde")
    measure = Measure.objects.get(analysis=rana_hros, title__startswith="Flomvoll")
    dropped = Measure.objects.get(analysis=rana_hros, title__startswith="Oppdatere kvikkleirekartlegging")
    version, _created = versions.version_freeze(actor=actor, analysis_id=rana_hros.pk)
    _new_event(actor, rana_hros, "Skogbrann ved Mo", likelihood="D", dagligliv=4)
    services.event_update(
        actor=actor, analysis_id=rana_hros.pk, event_id=flood.pk, expected_version=flood.version,
        data={"likelihood": rana_hros.scale_set.likelihood_classes.get(code="E"),
              "likelihood_reasoning": "Oftere flom."},
        consequences=_consequences(rana_hros, okonomi=5),
    )  # fmt: skip
    gone.delete()
    dropped.delete()
    services.measure_update(
        actor=actor, analysis_id=rana_hros.pk, measure_id=measure.pk, expected_version=measure.version,
        data={"status": "done"},
    )  # fmt: skip
    services.measure_create(actor=actor, analysis_id=rana_hros.pk, data={"title": "Nytt varslingsanlegg"})
    client = english(signed_in("demo-rana"))
    body = client.get(f"/risk/{rana_hros.pk}/versions/{version.number}/diff/").content.decode()
    assert "1 event added" in body and "Skogbrann ved Mo" in body
    assert "1 event removed" in body and gone.title in body
    assert "1 event changed" in body
    flood_card = body[body.index("Flom i Ranelva") :]
    assert "D – " in flood_card and "E – " in flood_card and "(up)" in flood_card
    assert "Red – measures necessary (25)" in flood_card
    assert "1 measure added" in body and "Nytt varslingsanlegg" in body
    assert "1 measure removed" in body and dropped.title in body
    assert "Planned" in body and "Done" in body
    # The list of versions links to the comparison.
    listing = client.get(f"/risk/{rana_hros.pk}/versions/").content.decode()
    assert f"/risk/{rana_hros.pk}/versions/{version.number}/diff/" in listing


def test_diff_never_shows_what_the_reader_may_not_see(signed_in, actor_of, rana_hros):
    """RED only to the people named on it; AMBER+STRICT only to the owner's members — added, changed and
    removed alike."""
    rana = actor_of("demo-rana")
    red_removed = _new_event(rana, rana_hros, "qzred-fjernet hendelse", level=AccessLevel.RED)
    red_changed = _new_event(rana, rana_hros, "qzred-endret hendelse", level=AccessLevel.RED)
    strict = AnalysedEvent.objects.get(analysis=rana_hros, title="Langvarig strømbrudd i Mo Industripark")
    assert strict.access_level == AccessLevel.AMBER_STRICT
    version, _created = versions.version_freeze(actor=rana, analysis_id=rana_hros.pk)
    assert {red_removed.pk, red_changed.pk, strict.pk} <= {e["id"] for e in version.snapshot["events"]}
    red_removed.delete()
    strict.delete()
    services.event_update(
        actor=rana, analysis_id=rana_hros.pk, event_id=red_changed.pk, expected_version=1,
        data={"likelihood": rana_hros.scale_set.likelihood_classes.get(code="A"),
              "likelihood_reasoning": "Sjelden."},
    )  # fmt: skip
    _new_event(rana, rana_hros, "qzred-ny hendelse", level=AccessLevel.RED)
    url = f"/risk/{rana_hros.pk}/versions/{version.number}/diff/"

    def page(username):
        response = signed_in(username).get(url)
        assert response.status_code == 200, username
        return response.content.decode()

    named = page("demo-rana")
    assert "qzred-fjernet" in named and "qzred-endret" in named and "qzred-ny" in named
    assert strict.title in named

    reader = page("demo-rana-reader")  # member of Rana, not named
    assert "qzred" not in reader
    assert strict.title in reader  # AMBER+STRICT: the owner's members

    neighbour = page("demo-hemnes")  # region member, not Rana
    assert "qzred" not in neighbour and strict.title not in neighbour
    assert rana_hros.title in neighbour


@pytest.mark.parametrize("level", [lvl.value for lvl in AccessLevel])
def test_entry_visible_agrees_with_the_chokepoint(actor_of, rana_hros, level):
    """versions.entry_visible (for removed records) gives the same answer as ContentQuerySet.visible_to
    on the same level, sharing and naming, for members of the owner, of a sharee, of the region, named
    people and people without an organisation."""
    from django.contrib.auth import get_user_model

    from samvirke.organisations.models import Organisation

    rana = actor_of("demo-rana")
    nesna = Organisation.objects.get(municipality_number="1828")
    storuman = get_user_model().objects.get(username="demo-storuman")
    event = _new_event(rana, rana_hros, f"Paritet {level}", level=level,
                       shared_with=[nesna] if level == AccessLevel.AMBER else [],
                       named_people=[storuman] if level == AccessLevel.RED else [])  # fmt: skip
    entry = next(e for e in build_snapshot(rana_hros)["events"] if e["id"] == event.pk)
    for username in ("demo-rana", "demo-rana-reader", "demo-nesna", "demo-hemnes", "demo-storuman",
                     "demo-visitor", "demo-industripark", "demo-coordinator"):  # fmt: skip
        actor = actor_of(username)
        expected = AnalysedEvent.objects.visible_to(actor).filter(pk=event.pk).exists()
        assert versions.entry_visible(actor, rana_hros.owner, entry) == expected, (level, username)


def test_freeze_by_post_and_pages(signed_in, rana_hros):
    client = english(signed_in("demo-rana"))
    body = client.get(f"/risk/{rana_hros.pk}/versions/").content.decode()
    assert "No version has been frozen yet" in body and "Freeze a version now" in body
    response = client.post(f"/risk/{rana_hros.pk}/versions/freeze/")
    assert response.status_code == 302
    assert AnalysisVersion.objects.filter(analysis=rana_hros, number=1).exists()
    assert client.get(f"/risk/{rana_hros.pk}/versions/freeze/").status_code == 405
    body = client.get(f"/risk/{rana_hros.pk}/versions/1/diff/").content.decode()
    assert "Nothing you may read has changed since this version." in body
    assert client.get(f"/risk/{rana_hros.pk}/versions/2/diff/").status_code == 404
    reader = signed_in("demo-rana-reader")
    assert reader.post(f"/risk/{rana_hros.pk}/versions/freeze/").status_code == 403
    assert "Freeze a version now" not in reader.get(f"/risk/{rana_hros.pk}/versions/").content.decode()
    assert f"/risk/{rana_hros.pk}/versions/" in client.get(f"/risk/{rana_hros.pk}/").content.decode()


def test_outsiders_get_404_on_every_version_url(signed_in, actor_of, rana_hros):
    rana = actor_of("demo-rana")
    strict = services.analysis_create(
        actor=rana,
        owner_id=rana_hros.owner_id,
        data={"title": "qzstrict-analyse", "kind": "hros", "scale_set": rana_hros.scale_set,
              "access_level": AccessLevel.AMBER_STRICT, "exemption_basis": "offl. § 24 tredje ledd"},
    )  # fmt: skip
    versions.version_freeze(actor=rana, analysis_id=strict.pk)
    client = signed_in("demo-hemnes")
    for url in (f"/risk/{strict.pk}/versions/", f"/risk/{strict.pk}/versions/1/diff/",
                f"/risk/{strict.pk}/versions/freeze/"):  # fmt: skip
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), (method, url, response.status_code)
            if url.endswith("freeze/"):
                assert response.status_code == (405 if method == "get" else 404)
            else:
                assert response.status_code == 404
            assert "qzstrict" not in response.content.decode()
    assert AnalysisVersion.objects.filter(analysis=strict).count() == 1


_numbers = itertools.count(1)


def _change_everything(actor, analysis, n):
    """n new events and measures (GREEN and AMBER+STRICT), then a freeze, then every one of them moved
    and one more added, so the comparison has n changed and one added of each."""
    for i in range(n):
        number = next(_numbers)
        level = AccessLevel.GREEN if i % 2 else AccessLevel.AMBER_STRICT
        _new_event(actor, analysis, f"Vekst {number}", level=level)
        services.measure_create(
            actor=actor, analysis_id=analysis.pk,
            data={"title": f"Tiltak {number}", "access_level": level,
                  "exemption_basis": "offl. § 24 tredje ledd"},
        )  # fmt: skip
    version, _created = versions.version_freeze(actor=actor, analysis_id=analysis.pk)
    for event in AnalysedEvent.objects.filter(analysis=analysis):
        services.event_update(
            actor=actor, analysis_id=analysis.pk, event_id=event.pk, expected_version=event.version,
            data={"likelihood": analysis.scale_set.likelihood_classes.get(code="E"),
                  "likelihood_reasoning": "Flyttet."},
        )  # fmt: skip
    for measure in Measure.objects.filter(analysis=analysis):
        services.measure_update(
            actor=actor, analysis_id=analysis.pk, measure_id=measure.pk, expected_version=measure.version,
            data={"status": "done"},
        )  # fmt: skip
    _new_event(actor, analysis, f"Ekstra {next(_numbers)}")
    return version


def test_diff_page_has_a_flat_query_count(signed_in, actor_of, demo):
    actor = actor_of("demo-rana")
    owner = next(iter(actor.editable_organisation_ids()))
    client = english(signed_in("demo-rana"))

    def measure(n):
        analysis = services.analysis_create(
            actor=actor, owner_id=owner,
            data={"title": f"Vekstanalyse {n}", "kind": "hros",
                  "scale_set": RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024").scale_set,
                  "access_level": AccessLevel.GREEN},
        )  # fmt: skip
        version = _change_everything(actor, analysis, n)
        url = f"/risk/{analysis.pk}/versions/{version.number}/diff/"
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        return len(ctx.captured_queries), body

    small, body_small = measure(3)
    large, body_large = measure(12)
    assert "3 events changed" in body_small and "12 events changed" in body_large
    assert body_large.count("Vekst ") > body_small.count("Vekst ")
    assert small == large, f"{small} queries with 3 events, {large} with 12"
