"""Snapshots of a whole analysis: the analysis, every event and every measure, as plain JSON data.

A snapshot is a system record of the *whole* analysis (an adopted version must not depend on who froze
it), so this module reads the analysis' events and measures without an actor. It never hands records
to a page: its only caller is `risk.versions`, which freezes snapshots for editors of the owner and shows
each entry of a comparison only if the reader may see it (`versions.entry_visible`). That is why this
file is on the source-scan allow-list in tests/authz/test_model_coverage.py; keep it this small.

Values are copied, not referenced: the stored risk result (positions, score, colour) and the scale's
codes and labels at freeze time, so a later edit of a scale set never changes an adopted version.
"""

from __future__ import annotations

from django.db.models import Prefetch

from samvirke.organisations.models import Organisation
from samvirke.risk.models import AnalysedEvent, ConsequenceAssessment, Measure, RiskAnalysis

FORMAT = 1


def _ids(related) -> list[int]:
    return sorted(obj.pk for obj in related.all())


def _sharing(obj) -> dict:
    return {
        "access_level": obj.access_level,
        "shared_with": _ids(obj.shared_with),
        "named_people": _ids(obj.named_people),
    }


def _sharing_prefetches():
    from django.contrib.auth import get_user_model

    return (
        Prefetch("shared_with", queryset=Organisation.objects.only("id")),
        Prefetch("named_people", queryset=get_user_model().objects.only("id")),
    )


def build_snapshot(analysis: RiskAnalysis) -> dict:
    """The analysis as it is now. A fixed number of queries (eight) whatever its size."""
    events = (
        AnalysedEvent.objects.filter(analysis_id=analysis.pk)
        .select_related("likelihood", "event_type")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=ConsequenceAssessment.objects.select_related("consequence_type", "level").order_by(
                    "consequence_type__position", "consequence_type_id"
                ),
            ),
            *_sharing_prefetches(),
        )
        .order_by("id")
    )
    measures = (
        Measure.objects.filter(analysis_id=analysis.pk)
        .prefetch_related(
            # The measure → event links, ids only (the events themselves are in "events").
            Prefetch("events", queryset=AnalysedEvent.objects.only("id")),
            *_sharing_prefetches(),
        )
        .order_by("id")
    )
    return {
        "format": FORMAT,
        "analysis": {
            "id": analysis.pk,
            "version": analysis.version,
            "title": analysis.title,
            "status": analysis.status,
            "adopted_on": analysis.adopted_on.isoformat() if analysis.adopted_on else None,
            "adopted_by": analysis.adopted_by,
            "case_number": analysis.case_number,
            "scale_set": analysis.scale_set.name,
            "access_level": analysis.access_level,
        },
        "events": [_event(e) for e in events],
        "measures": [_measure(m) for m in measures],
    }


def _event(event: AnalysedEvent) -> dict:
    likelihood = event.likelihood
    return {
        "id": event.pk,
        "version": event.version,
        "title": event.title,
        "event_type": event.event_type.name if event.event_type else "",
        "likelihood_position": event.likelihood_position,
        "likelihood_code": likelihood.code if likelihood else "",
        "likelihood_label": likelihood.label if likelihood else "",
        "consequences": [
            {
                "type": a.consequence_type.code,
                "type_name": a.consequence_type.name,
                "position": a.level.position,
                "code": a.level.code,
                "label": a.level.label,
            }
            for a in event.assessments.all()
        ],
        "consequence_position": event.consequence_position,
        "risk_score": event.risk_score,
        "risk_colour": event.risk_colour,
        "knowledge_strength": event.knowledge_strength,
        **_sharing(event),
    }


def _measure(measure: Measure) -> dict:
    return {
        "id": measure.pk,
        "version": measure.version,
        "title": measure.title,
        "status": measure.status,
        "deadline": measure.deadline.isoformat() if measure.deadline else None,
        "likelihood_reduction": measure.likelihood_reduction,
        "consequence_reduction": measure.consequence_reduction,
        "events": _ids(measure.events),
        **_sharing(measure),
    }
