"""Risk workshops (risk.workshop): independent scores, the spread, agreed values written to the event.
Real database, demo region, through the service layer and HTTP."""

import itertools
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samvirke.core.access import AccessLevel, Role, actor_for_user
from samvirke.core.errors import NotFound, PermissionDenied
from samvirke.organisations.models import Membership
from samvirke.risk import selectors, services, workshop
from samvirke.risk.models import (
    AnalysedEvent,
    RiskAnalysis,
    WorkshopAgreement,
    WorkshopScore,
    WorkshopSession,
)


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def rana_hros(demo):
    return RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")


@pytest.fixture
def session(actor_of, rana_hros):
    """A workshop on Rana's two GREEN flood and road events, and one AMBER+STRICT event."""
    titles = [
        "Flom i Ranelva",
        "Stengt E6 og E12 ved uvær og snøskred vinterstid",
        "Langvarig strømbrudd i Mo Industripark",
    ]
    events = [AnalysedEvent.objects.get(analysis=rana_hros, title=t) for t in titles]
    return workshop.session_create(
        actor=actor_of("demo-rana"),
        analysis_id=rana_hros.pk,
        title="ROS-verksted mars",
        event_ids=[e.pk for e in events],
    )


def _event(analysis, title):
    return AnalysedEvent.objects.get(analysis=analysis, title=title)


def _url(session, tail=""):
    return f"/risk/{session.analysis_id}/workshops/{session.pk}/{tail}"


# --- spread (pure) -----------------------------------------------------------------------------------------


def test_dimension_stats():
    stats = workshop.dimension_stats([1, 3, 3, 5, None], codes="ABCDE")
    assert (stats["n"], stats["min"], stats["max"], stats["median"], stats["range"]) == (4, 1, 5, 3, 4)
    assert (stats["min_code"], stats["max_code"]) == ("A", "E")
    assert [c["count"] for c in stats["counts"]] == [1, 0, 2, 0, 1]
    assert [c["width"] for c in stats["counts"]] == [30, 0, 60, 0, 30]
    assert (stats["median_code"]) == "C"
    halfway = workshop.dimension_stats([2, 3], codes="ABCDE")
    assert (halfway["median"], halfway["median_code"]) == (2.5, "B–C")
    assert workshop.dimension_stats([None, None]) is None


def test_event_spread_marks_the_largest_disagreement(rana_hros):
    scale = selectors.scale_of(rana_hros.scale_set)

    def score(participant, likelihood, knowledge="", **consequences):
        return SimpleNamespace(participant_id=participant, likelihood_position=likelihood,
                               consequences=consequences, knowledge_strength=knowledge)  # fmt: skip

    calm = workshop.event_spread(
        [score(1, 3, "strong", dodsfall=2), score(2, 3, "strong", dodsfall=3)], scale
    )
    stormy = workshop.event_spread(
        [score(1, 1, "weak", okonomi=4), score(2, 5, "medium", okonomi=4), score(3, 2, okonomi=4)], scale
    )
    assert calm["participants"] == 2 and stormy["participants"] == 3
    rows = {r["key"]: r for r in stormy["rows"]}
    assert set(rows) == {"likelihood", "okonomi"}
    assert rows["likelihood"]["largest"] and not rows["okonomi"]["largest"]
    assert (rows["likelihood"]["min_code"], rows["likelihood"]["max_code"]) == ("A", "E")
    assert {k["value"]: k["count"] for k in stormy["knowledge"]} == {"strong": 0, "medium": 1, "weak": 1}
    calm_rows = {r["key"]: r for r in calm["rows"]}
    assert calm_rows["dodsfall"]["largest"] and not calm_rows["likelihood"]["largest"]
    spreads = {1: calm, 2: stormy}
    workshop.mark_largest_disagreement(spreads)
    assert stormy["largest_event"] and not calm["largest_event"]


# --- participants ------------------------------------------------------------------------------------------


def test_participants_see_others_only_after_scoring(signed_in, actor_of, rana_hros, session):
    flood = _event(rana_hros, "Flom i Ranelva")
    reader = english(signed_in("demo-rana-reader"))
    response = reader.post(
        _url(session, "score/"),
        {"event": flood.pk, "likelihood": 5, "consequence_okonomi": 4, "knowledge_strength": "weak",
         "comment": "qzkommentar-leser"},
    )  # fmt: skip
    assert response.status_code == 302
    crisis = english(signed_in("demo-rana-crisis"))
    body = crisis.get(_url(session)).content.decode()
    assert "Score this event first" in body and "Spread of" not in body
    assert "qzkommentar" not in body  # comments are for the facilitator only
    crisis_actor = actor_of("demo-rana-crisis")
    workshop.score_submit(
        actor=crisis_actor, analysis_id=rana_hros.pk, session_id=session.pk, event_id=flood.pk, likelihood=2
    )
    body = crisis.get(_url(session)).content.decode()

    def part(title):
        start = body.index(title)
        return body[start : body.index("</section>", start)]

    assert "Spread of 2 participants" in part("Flom i Ranelva")
    assert "Score this event first" in part("Stengt E6 og E12")  # not scored yet
    assert "qzkommentar" not in body
    # The facilitator sees everything, with names and comments; revealing shows it to all participants.
    facilitator = english(signed_in("demo-rana"))
    body = facilitator.get(_url(session)).content.decode()
    assert "qzkommentar-leser" in body and "Record the agreed values" in body
    assert facilitator.post(_url(session), {"action": "reveal"}).status_code == 302
    body = crisis.get(_url(session)).content.decode()
    assert "Score this event first" not in body
    # Only the owner's editors change the workshop.
    assert crisis.post(_url(session), {"action": "hide"}).status_code == 403
    assert WorkshopSession.objects.get(pk=session.pk).revealed


def test_scores_are_one_per_participant_and_event(actor_of, rana_hros, session):
    actor = actor_of("demo-rana-reader")
    flood = _event(rana_hros, "Flom i Ranelva")
    for likelihood in (2, 4):
        workshop.score_submit(
            actor=actor, analysis_id=rana_hros.pk, session_id=session.pk, event_id=flood.pk,
            likelihood=likelihood, consequences={"okonomi": 3},
        )  # fmt: skip
    (score,) = WorkshopScore.objects.filter(session=session, event=flood)
    assert (score.likelihood_position, score.consequences) == (4, {"okonomi": 3})


def test_out_of_scale_scores_are_refused(signed_in, actor_of, rana_hros, session):
    actor = actor_of("demo-rana-reader")
    flood = _event(rana_hros, "Flom i Ranelva")
    common = {"actor": actor, "analysis_id": rana_hros.pk, "session_id": session.pk, "event_id": flood.pk}
    with pytest.raises(ValidationError) as error:
        workshop.score_submit(**common, likelihood=7)
    assert "Choose a class from A to E" in error.value.message_dict["likelihood"][0]
    with pytest.raises(ValidationError) as error:
        workshop.score_submit(**common, likelihood=3, consequences={"okonomi": 6})
    assert "consequence_okonomi" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        workshop.score_submit(**common, likelihood=3, consequences={"not-a-type": 2})
    assert "not a consequence type" in error.value.messages[0]
    with pytest.raises(ValidationError):
        workshop.score_submit(**common)  # nothing scored
    assert not WorkshopScore.objects.exists()
    client = english(signed_in("demo-rana-reader"))
    response = client.post(
        _url(session, "score/"), {"event": flood.pk, "likelihood": 9, "comment": "Min begrunnelse"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "9 is not a likelihood class on this analysis" in body and "from A to E" in body
    assert "Min begrunnelse" in body  # what was typed is kept
    assert not WorkshopScore.objects.exists()


def test_only_members_who_can_see_the_event_take_part(signed_in, actor_of, rana_hros, session):
    strict = _event(rana_hros, "Langvarig strømbrudd i Mo Industripark")
    # A member of another municipality reads the GREEN analysis but not the AMBER+STRICT event.
    hemnes = actor_of("demo-hemnes")
    with pytest.raises(NotFound):
        workshop.score_submit(
            actor=hemnes, analysis_id=rana_hros.pk, session_id=session.pk, event_id=strict.pk, likelihood=3
        )
    client = signed_in("demo-hemnes")
    assert strict.title not in client.get(_url(session)).content.decode()
    assert client.get(_url(session, f"score/?event={strict.pk}")).status_code == 404
    response = client.post(_url(session, "score/"), {"event": strict.pk, "likelihood": 3})
    assert response.status_code == 404
    assert not WorkshopScore.objects.exists()


def test_visitor_cannot_take_part(signed_in, actor_of, rana_hros):
    rana = actor_of("demo-rana")
    public = services.analysis_create(
        actor=rana, owner_id=rana_hros.owner_id,
        data={"title": "Offentlig ROS", "kind": "hros", "scale_set": rana_hros.scale_set,
              "access_level": AccessLevel.CLEAR},
    )  # fmt: skip
    event = services.event_create(
        actor=rana, analysis_id=public.pk, data={"title": "Offentlig hendelse", "access_level": "clear"}
    )
    session = workshop.session_create(
        actor=rana, analysis_id=public.pk, title="Åpent verksted", event_ids=[event.pk]
    )
    visitor = actor_of("demo-visitor")
    with pytest.raises(PermissionDenied):
        workshop.score_submit(
            actor=visitor, analysis_id=public.pk, session_id=session.pk, event_id=event.pk, likelihood=2
        )
    client = english(signed_in("demo-visitor"))
    body = client.get(_url(session)).content.decode()
    assert "Only members of an organisation can take part" in body
    assert client.get(_url(session, "score/")).status_code == 403
    assert client.post(_url(session, "score/"), {"event": event.pk, "likelihood": 2}).status_code == 403
    assert not WorkshopScore.objects.exists()


def test_closed_workshop_takes_no_scores(actor_of, rana_hros, session):
    workshop.session_change(
        actor=actor_of("demo-rana"), analysis_id=rana_hros.pk, session_id=session.pk, status="closed"
    )
    with pytest.raises(PermissionDenied):
        workshop.score_submit(
            actor=actor_of("demo-rana-reader"), analysis_id=rana_hros.pk, session_id=session.pk,
            event_id=_event(rana_hros, "Flom i Ranelva").pk, likelihood=2,
        )  # fmt: skip


def test_creating_a_workshop(signed_in, actor_of, rana_hros):
    client = english(signed_in("demo-rana"))
    flood = _event(rana_hros, "Flom i Ranelva")
    response = client.post(
        f"/risk/{rana_hros.pk}/workshops/new/", {"title": "Vårverksted", "events": [flood.pk]}
    )
    assert response.status_code == 302
    created = WorkshopSession.objects.get(title="Vårverksted")
    assert list(created.events.all()) == [flood]
    assert created.facilitator.username == "demo-rana"
    body = client.get(f"/risk/{rana_hros.pk}/workshops/").content.decode()
    assert "Vårverksted" in body
    response = client.post(f"/risk/{rana_hros.pk}/workshops/new/", {"title": "Tomt", "events": []})
    assert response.status_code == 200 and not WorkshopSession.objects.filter(title="Tomt").exists()
    # Only the owner's editors create workshops.
    reader = signed_in("demo-rana-reader")
    assert reader.get(f"/risk/{rana_hros.pk}/workshops/new/").status_code == 403
    with pytest.raises(PermissionDenied):
        workshop.session_create(
            actor=actor_of("demo-rana-reader"), analysis_id=rana_hros.pk, title="x", event_ids=[flood.pk]
        )


# --- agreeing ----------------------------------------------------------------------------------------------


def test_agree_updates_the_event_and_records_the_rationale(signed_in, actor_of, rana_hros, session):
    flood = _event(rana_hros, "Flom i Ranelva")  # D, økonomi 3 / dagligliv 2: yellow
    before_reasoning = flood.likelihood_reasoning
    okonomi_before = flood.assessments.get(consequence_type__code="okonomi").reasoning
    workshop.score_submit(
        actor=actor_of("demo-rana-reader"), analysis_id=rana_hros.pk, session_id=session.pk,
        event_id=flood.pk, likelihood=5, consequences={"okonomi": 5},
    )  # fmt: skip
    client = english(signed_in("demo-rana"))
    url = _url(session, f"events/{flood.pk}/agree/")
    page = client.get(url)
    assert page.status_code == 200 and "Spread of 1 participant" in page.content.decode()
    response = client.post(
        url,
        {"version": flood.version, "likelihood": 5, "consequence_okonomi": 5, "consequence_dagligliv": 2,
         "knowledge_strength": "medium", "rationale": "Flommen i 2023 viste at kjellerne går fulle."},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    flood.refresh_from_db()
    assert flood.version == 2
    assert (flood.likelihood.code, flood.likelihood_position) == ("E", 5)
    assert (flood.consequence_position, flood.risk_score, flood.risk_colour) == (5, 25, "red")
    assert flood.likelihood_reasoning.startswith("Agreed in the workshop “ROS-verksted mars”")
    assert "kjellerne går fulle" in flood.likelihood_reasoning
    assert before_reasoning in flood.likelihood_reasoning  # nothing already written is lost
    okonomi = flood.assessments.get(consequence_type__code="okonomi")
    assert okonomi.level.position == 5 and "kjellerne går fulle" in okonomi.reasoning
    assert okonomi_before in okonomi.reasoning
    agreement = WorkshopAgreement.objects.get(session=session, event=flood)
    assert (agreement.likelihood_position, agreement.consequences) == (5, {"okonomi": 5, "dagligliv": 2})
    assert agreement.event_version == 2 and "kjellerne" in agreement.rationale
    assert flood.history.first().history_change_reason == "Agreed in a workshop"
    # The matrix follows the stored result.
    grid = selectors.matrix(actor_of("demo-rana"), rana_hros)["before"]["rows"]
    placed = {e.pk: (row["likelihood"].position, cell["consequence"])
              for row in grid for cell in row["cells"] for e in cell["events"]}  # fmt: skip
    assert placed[flood.pk] == (5, 5)


def test_agree_needs_a_rationale_and_an_editor(signed_in, actor_of, rana_hros, session):
    flood = _event(rana_hros, "Flom i Ranelva")
    common = {"analysis_id": rana_hros.pk, "session_id": session.pk, "event_id": flood.pk,
              "expected_version": flood.version, "likelihood": 4}  # fmt: skip
    with pytest.raises(ValidationError) as error:
        workshop.agree(actor=actor_of("demo-rana"), **common, rationale="  ")
    assert "rationale" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        workshop.agree(actor=actor_of("demo-rana"), **common, rationale="Se HEMMELIG rapport")
    assert "rationale" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        workshop.agree(actor=actor_of("demo-rana-reader"), **common, rationale="Enige.")
    assert signed_in("demo-rana-reader").get(_url(session, f"events/{flood.pk}/agree/")).status_code == 403
    flood.refresh_from_db()
    assert flood.version == 1 and not WorkshopAgreement.objects.exists()


def test_agree_conflicts_when_the_event_changed_meanwhile(signed_in, actor_of, rana_hros, session):
    flood = _event(rana_hros, "Flom i Ranelva")
    client = english(signed_in("demo-rana"))
    url = _url(session, f"events/{flood.pk}/agree/")
    assert client.get(url).status_code == 200
    services.event_update(
        actor=actor_of("demo-rana"), analysis_id=rana_hros.pk, event_id=flood.pk,
        expected_version=flood.version, data={"title": "Flom i Ranelva (endret)"},
    )  # fmt: skip
    response = client.post(
        url, {"version": 1, "likelihood": 1, "rationale": "qzmin-begrunnelse for klasse A"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this event" in body and "qzmin-begrunnelse for klasse A" in body
    assert 'name="version" value="2"' in body  # the next save is based on the saved version
    flood.refresh_from_db()
    assert flood.version == 2 and flood.likelihood.code == "D"
    assert not WorkshopAgreement.objects.exists()
    response = client.post(url, {"version": 2, "likelihood": 1, "rationale": "Etter ny vurdering."})
    assert response.status_code == 302
    flood.refresh_from_db()
    assert flood.likelihood.code == "A"


# --- chokepoint --------------------------------------------------------------------------------------------


def test_outsiders_get_404_on_every_workshop_url(signed_in, actor_of, rana_hros):
    rana = actor_of("demo-rana")
    strict = services.analysis_create(
        actor=rana, owner_id=rana_hros.owner_id,
        data={"title": "qzstrict-verkstedanalyse", "kind": "hros", "scale_set": rana_hros.scale_set,
              "access_level": AccessLevel.AMBER_STRICT, "exemption_basis": "offl. § 24 tredje ledd"},
    )  # fmt: skip
    event = services.event_create(actor=rana, analysis_id=strict.pk, data={"title": "qzstrict-hendelse"})
    session = workshop.session_create(
        actor=rana, analysis_id=strict.pk, title="qzstrict-verksted", event_ids=[event.pk]
    )
    client = signed_in("demo-hemnes")
    urls = [
        f"/risk/{strict.pk}/workshops/",
        f"/risk/{strict.pk}/workshops/new/",
        _url(session),
        _url(session, "score/"),
        _url(session, f"events/{event.pk}/agree/"),
    ]
    for url in urls:
        for method, data in (("get", {}), ("post", {"action": "reveal", "event": event.pk, "likelihood": 2})):
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (method, url, response.status_code)
            assert "qzstrict" not in response.content.decode()
    assert not WorkshopScore.objects.exists()
    assert not WorkshopSession.objects.get(pk=session.pk).revealed
    # A session id under another (visible) analysis is not found either.
    assert client.get(f"/risk/{rana_hros.pk}/workshops/{session.pk}/").status_code == 404


# --- query counts ------------------------------------------------------------------------------------------

_numbers = itertools.count(1)


def _grow(rana, analysis, n):
    """A workshop with n events (GREEN and AMBER+STRICT) and n participants who scored every event."""
    events = []
    for i in range(n):
        level = AccessLevel.GREEN if i % 2 else AccessLevel.AMBER_STRICT
        event = services.event_create(
            actor=rana, analysis_id=analysis.pk,
            data={"title": f"Vekst {next(_numbers)}", "access_level": level,
                  "exemption_basis": "offl. § 24 tredje ledd"},
        )  # fmt: skip
        events.append(event)
    session = workshop.session_create(
        actor=rana, analysis_id=analysis.pk, title=f"Verksted {n}", event_ids=[e.pk for e in events]
    )
    users = get_user_model().objects
    scores = []
    for p in range(n):
        person = users.create_user(username=f"deltaker-{n}-{p}", first_name="Deltaker", last_name=str(p))
        Membership.objects.create(user=person, organisation_id=analysis.owner_id, role=Role.READER)
        for i, event in enumerate(events):
            scores.append(
                WorkshopScore(
                    session=session,
                    event=event,
                    participant=person,
                    likelihood_position=(p + i) % 5 + 1,
                    consequences={"okonomi": p % 5 + 1},
                    knowledge_strength="medium",
                    comment=f"Kommentar {p}",
                )
            )
    WorkshopScore.objects.bulk_create(scores)
    return session


def test_facilitator_page_has_a_flat_query_count(signed_in, actor_of, rana_hros):
    rana = actor_of("demo-rana")
    client = english(signed_in("demo-rana"))
    counts = {}
    for n in (3, 12):
        session = _grow(rana, rana_hros, n)
        url = _url(session)
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert body.count("Spread of") == n and body.count("Kommentar ") == n * n
        counts[n] = len(ctx.captured_queries)
    assert counts[3] == counts[12], counts
    # ...and a participant's page too.
    participant = actor_for_user(get_user_model().objects.get(username="deltaker-12-0"), verified=True)
    assert workshop.can_participate(participant)
