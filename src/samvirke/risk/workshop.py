"""Risk workshops (*ROS-verksted*, issue 3 item 6): participants score events independently, the app shows
the spread, and the facilitator records the agreed values with a rationale.

Rules:

* A workshop belongs to one analysis and is only reached through it: every function starts from
  `selectors.get_analysis_for` (missing and not visible are the same 404), and shows or accepts only the
  session's events the actor may read (`selectors.events_visible_to`).
* Participants are members of an organisation (any role) who can see the analysis and the event; a
  signed-in person without an organisation cannot take part.
* Facilitators are the editors of the analysis' owner (who may change the events anyway). Whoever
  creates a workshop is its facilitator; any editor of the owner may act as one.
* A participant sees the others' scores for an event only after scoring it, or when the facilitator has
  shown the scores to everyone. Facilitators always see the spread; only they see names and comments.
* Scores are positions on the analysis' scale (likelihood class 1–5, consequence level per type);
  anything else is refused with a message saying what the scale allows.
* The agreed values are written to the event through `services.event_update` (conflict check, history,
  stored risk result), with the rationale in front of the likelihood and consequence reasoning, and kept
  as a `WorkshopAgreement`.
"""

from __future__ import annotations

import statistics

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from samvirke.core.access import Actor
from samvirke.core.classification import validate_unclassified
from samvirke.core.errors import NotFound, PermissionDenied
from samvirke.core.services import ensure_can_edit
from samvirke.risk import domain, selectors, services
from samvirke.risk.models import (
    AnalysedEvent,
    ConsequenceAssessment,
    KnowledgeStrength,
    RiskAnalysis,
    WorkshopAgreement,
    WorkshopScore,
    WorkshopSession,
)

# --- who may do what ---------------------------------------------------------------------------------------


def can_participate(actor: Actor) -> bool:
    """Members of any organisation (verified; the Actor of an unverified session has no memberships)."""
    return actor.user_id is not None and actor.is_verified and bool(actor.roles)


def can_facilitate(actor: Actor, analysis: RiskAnalysis) -> bool:
    return actor.can_edit_for(analysis.owner_id)


def _ensure_participant(actor: Actor) -> None:
    if not can_participate(actor):
        raise PermissionDenied(_("Only members of an organisation can take part in a workshop."))


def _check_text(field: str, text: str) -> None:
    try:
        validate_unclassified(text or "")
    except ValidationError as error:
        raise ValidationError({field: error}) from None


# --- reads -------------------------------------------------------------------------------------------------


def sessions_of(analysis: RiskAnalysis):
    """The workshops of an analysis fetched through the chokepoint, newest first."""
    return (
        WorkshopSession.objects.filter(analysis=analysis)
        .select_related("facilitator")
        .order_by("-created_at", "-id")
    )


def get_session_for(actor: Actor, analysis_id, session_id) -> tuple[RiskAnalysis, WorkshopSession]:
    """The analysis (through the chokepoint) and its workshop; NotFound for either missing or hidden."""
    analysis = selectors.get_analysis_for(actor, analysis_id)
    try:
        session_id = int(session_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    session = (
        WorkshopSession.objects.filter(analysis=analysis, pk=session_id).select_related("facilitator").first()
    )
    if session is None:
        raise NotFound()
    return analysis, session


def session_events(actor: Actor, session: WorkshopSession):
    """The session's events the actor may read, in analysis order, with their current assessment."""
    return (
        selectors.events_visible_to(actor)
        .filter(
            analysis_id=session.analysis_id,
            pk__in=WorkshopSession.events.through.objects.filter(workshopsession_id=session.pk).values(
                "analysedevent_id"
            ),
        )
        .select_related("likelihood")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=ConsequenceAssessment.objects.select_related("level", "consequence_type"),
            )
        )
        .order_by("id")
    )


def get_session_event(actor: Actor, session: WorkshopSession, event_id) -> AnalysedEvent:
    try:
        event_id = int(event_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    event = session_events(actor, session).filter(pk=event_id).first()
    if event is None:
        raise NotFound()
    return event


# --- spread (pure) -----------------------------------------------------------------------------------------


def dimension_stats(values, codes=None, size: int = domain.SCALE_SIZE) -> dict | None:
    """min / median / max / range and the count per scale position for one dimension; None if unscored.
    `codes` are the scale's codes by position (A–E, 1–5), for the page."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    codes = list(codes or [str(p) for p in range(1, size + 1)])
    counts = [values.count(position) for position in range(1, size + 1)]
    most = max(counts)
    median = statistics.median(values)

    def code(position):
        return codes[position - 1] if position <= len(codes) else str(position)

    return {
        "n": len(values),
        "min": values[0],
        "max": values[-1],
        "min_code": code(values[0]),
        "max_code": code(values[-1]),
        "median": median,
        # The median as the scale's codes: "C", or "B–C" halfway between two classes.
        "median_code": code(int(median))
        if median == int(median)
        else f"{code(int(median))}–{code(int(median) + 1)}",
        "range": values[-1] - values[0],
        "counts": [
            # width: of a 60-unit bar (an SVG drawing, no styles needed)
            {"position": p, "code": code(p), "count": c, "width": round(60 * c / most)}
            for p, c in enumerate(counts, start=1)
        ],
    }


def event_spread(scores, scale) -> dict:
    """The spread of one event's scores: likelihood, each consequence type scored, knowledge strength.

    `scale` is selectors.scale_of(...); the rows with the largest range are marked."""
    rows = []
    stats = dimension_stats([s.likelihood_position for s in scores], [c.code for c in scale["likelihoods"]])
    if stats:
        rows.append({"key": "likelihood", "label": _("Likelihood"), **stats})
    for ctype in scale["types"]:
        stats = dimension_stats(
            [s.consequences.get(ctype.code) for s in scores], [lvl.code for lvl in ctype.levels.all()]
        )
        if stats:
            rows.append({"key": ctype.code, "label": ctype.name, **stats})
    largest = max((r["range"] for r in rows), default=0)
    for row in rows:
        row["largest"] = largest > 0 and row["range"] == largest
    knowledge = dict.fromkeys(KnowledgeStrength.values, 0)
    for score in scores:
        if score.knowledge_strength in knowledge:
            knowledge[score.knowledge_strength] += 1
    return {
        "participants": len({s.participant_id for s in scores}),
        "rows": rows,
        "largest_range": largest,
        "knowledge": [
            {"value": value, "label": label, "count": knowledge[value]}
            for value, label in KnowledgeStrength.choices
        ],
    }


def mark_largest_disagreement(spreads: dict) -> None:
    """Mark the event(s) whose scores disagree most (the largest range on any dimension, if above 0)."""
    largest = max((s["largest_range"] for s in spreads.values()), default=0)
    for spread in spreads.values():
        spread["largest_event"] = largest > 0 and spread["largest_range"] == largest


# --- pages -------------------------------------------------------------------------------------------------


def session_overview(actor: Actor, analysis: RiskAnalysis, session: WorkshopSession) -> dict:
    """Everything the workshop page needs, in a fixed number of queries whatever the number of events,
    participants and scores. Spreads are included only where the actor may see them (module rules)."""
    scale = selectors.scale_of(analysis.scale_set)
    events = list(session_events(actor, session))
    ids = [e.pk for e in events]
    scores = list(
        WorkshopScore.objects.filter(session=session, event_id__in=ids)
        .select_related("participant")
        .order_by("event_id", "participant__first_name", "participant__last_name", "id")
    )
    agreements = {}
    for agreement in (
        WorkshopAgreement.objects.filter(session=session, event_id__in=ids)
        .select_related("agreed_by")
        .order_by("event_id", "agreed_at", "id")
    ):
        agreements[agreement.event_id] = agreement  # the latest wins
    by_event: dict[int, list] = {pk: [] for pk in ids}
    for score in scores:
        by_event[score.event_id].append(score)
    facilitator = can_facilitate(actor, analysis)
    if facilitator:
        likelihood_codes = {c.position: c.code for c in scale["likelihoods"]}
        level_codes = {t.code: (t.name, {v.position: v.code for v in t.levels.all()}) for t in scale["types"]}
        for score in scores:
            score.likelihood_code = likelihood_codes.get(score.likelihood_position, "")
            score.consequence_codes = [
                (level_codes[code][0], level_codes[code][1].get(position, position))
                for code, position in score.consequences.items()
                if code in level_codes
            ]
    spreads = {pk: event_spread(by_event[pk], scale) for pk in ids}
    mark_largest_disagreement(spreads)
    rows = []
    for event in events:
        mine = next((s for s in by_event[event.pk] if s.participant_id == actor.user_id), None)
        may_see = facilitator or session.revealed or mine is not None
        rows.append(
            {
                "event": event,
                "mine": mine,
                "spread": spreads[event.pk] if may_see else None,
                "scores": by_event[event.pk] if facilitator else [],
                "agreement": agreements.get(event.pk),
                "count": len(by_event[event.pk]),
            }
        )
    return {
        "scale": scale,
        "rows": rows,
        "is_facilitator": facilitator,
        "can_participate": can_participate(actor),
        "unscored": [r["event"] for r in rows if r["mine"] is None],
    }


# --- writes ------------------------------------------------------------------------------------------------


def session_create(*, actor: Actor, analysis_id, title: str, event_ids) -> WorkshopSession:
    """A new workshop on an analysis; the creator (an editor of the owner) is its facilitator."""
    analysis = selectors.get_analysis_for(actor, analysis_id)
    ensure_can_edit(actor, analysis)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the workshop a title.")})
    _check_text("title", title)
    try:
        wanted = {int(pk) for pk in event_ids}
    except (TypeError, ValueError):
        wanted = set()
    events = list(selectors.events_visible_to(actor).filter(analysis=analysis, pk__in=wanted))
    if not wanted or len(events) != len(wanted):  # also: an event the actor may not read
        raise ValidationError({"events": _("Choose one or more events of this analysis to score.")})
    with transaction.atomic():
        session = WorkshopSession.objects.create(analysis=analysis, title=title, facilitator_id=actor.user_id)
        session.events.set(events)
    return session


def session_change(
    *, actor: Actor, analysis_id, session_id, status: str | None = None, revealed: bool | None = None
) -> WorkshopSession:
    """Close or reopen a workshop, or show everyone's scores to all participants (facilitators)."""
    analysis, session = get_session_for(actor, analysis_id, session_id)
    ensure_can_edit(actor, analysis)
    if status is not None:
        if status not in WorkshopSession.Status.values:
            raise ValidationError({"status": _("Unknown workshop status.")})
        session.status = status
    if revealed is not None:
        session.revealed = revealed
    session.save(update_fields=["status", "revealed"])
    return session


def check_score(scale: dict, *, likelihood, consequences: dict) -> None:
    """Refuse positions outside the analysis' scale, with a message that says what the scale allows."""
    errors: dict[str, list] = {}
    likelihoods = scale["likelihoods"]
    if likelihood is not None:
        try:
            domain.check_position(likelihood, len(likelihoods))
        except domain.ScaleError:
            errors.setdefault("likelihood", []).append(
                _(
                    "%(value)s is not a likelihood class on this analysis' scale. Choose a class from "
                    "%(first)s to %(last)s."
                )
                % {"value": likelihood, "first": likelihoods[0].code, "last": likelihoods[-1].code}
            )
    types = {t.code: t for t in scale["types"]}
    for code, position in consequences.items():
        ctype = types.get(code)
        if ctype is None:
            errors.setdefault("__all__", []).append(
                _("“%(code)s” is not a consequence type on this analysis' scale.") % {"code": code}
            )
            continue
        if position is None:
            continue
        levels = list(ctype.levels.all())
        try:
            domain.check_position(position, len(levels))
        except domain.ScaleError:
            errors.setdefault(f"consequence_{code}", []).append(
                _(
                    "%(value)s is not a level of “%(type)s” on this analysis' scale. Choose a level from "
                    "%(first)s to %(last)s."
                )
                % {"value": position, "type": ctype.name, "first": levels[0].code, "last": levels[-1].code}
            )
    if likelihood is None and not any(p is not None for p in consequences.values()):
        errors.setdefault("__all__", []).append(
            _("Score the likelihood or at least one consequence before you submit.")
        )
    if errors:
        raise ValidationError(errors)


def score_submit(
    *, actor: Actor, analysis_id, session_id, event_id, likelihood=None, consequences=None,
    knowledge_strength: str = "", comment: str = "",
) -> WorkshopScore:  # fmt: skip
    """Save the actor's own score of one event in an open workshop (replacing an earlier one)."""
    analysis, session = get_session_for(actor, analysis_id, session_id)
    _ensure_participant(actor)
    event = get_session_event(actor, session, event_id)
    if not session.is_open:
        raise PermissionDenied(_("This workshop is closed: scores can no longer be changed."))
    consequences = {code: pos for code, pos in (consequences or {}).items() if pos is not None}
    check_score(selectors.scale_of(analysis.scale_set), likelihood=likelihood, consequences=consequences)
    if knowledge_strength and knowledge_strength not in KnowledgeStrength.values:
        raise ValidationError({"knowledge_strength": _("Choose strong, medium or weak.")})
    _check_text("comment", comment)
    score, _created = WorkshopScore.objects.update_or_create(
        session=session,
        event=event,
        participant_id=actor.user_id,
        defaults={
            "likelihood_position": likelihood,
            "consequences": consequences,
            "knowledge_strength": knowledge_strength or "",
            "comment": (comment or "").strip(),
        },
    )
    return score


def agree(
    *, actor: Actor, analysis_id, session_id, event_id, expected_version: int, likelihood=None,
    consequences=None, knowledge_strength: str = "", rationale: str = "",
) -> AnalysedEvent:  # fmt: skip
    """Record the agreed values for an event (facilitators), as positions on the analysis' scale like a
    score: `likelihood` 1–5 or None, `consequences` {type code: level position or None (not assessed)};
    types left out keep their assessment. The rationale goes in front of the reasoning of every value
    agreed. Raises Conflict if the event changed since `expected_version`; nothing is written then."""
    analysis, session = get_session_for(actor, analysis_id, session_id)
    ensure_can_edit(actor, analysis)
    event = get_session_event(actor, session, event_id)
    consequences = dict(consequences or {})
    scale = selectors.scale_of(analysis.scale_set)
    check_score(scale, likelihood=likelihood, consequences=consequences)
    if knowledge_strength and knowledge_strength not in KnowledgeStrength.values:
        raise ValidationError({"knowledge_strength": _("Choose strong, medium or weak.")})
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError({"rationale": _("Give the rationale for the agreed values.")})
    _check_text("rationale", rationale)
    note = _("Agreed in the workshop “%(title)s” (%(date)s): %(rationale)s") % {
        "title": session.title,
        "date": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
        "rationale": rationale,
    }
    types = {t.code: t for t in scale["types"]}
    current = {a.consequence_type_id: a for a in event.assessments.all()}
    by_type = {}
    for code, ctype in types.items():
        assessment = current.get(ctype.pk)
        if code not in consequences:
            if assessment is not None:
                by_type[ctype] = (assessment.level, assessment.reasoning)
            continue
        position = consequences[code]
        if position is None:
            continue  # not assessed (any earlier assessment of this type is removed)
        level = {lvl.position: lvl for lvl in ctype.levels.all()}[position]
        by_type[ctype] = (level, _with_note(note, assessment.reasoning if assessment else ""))
    data = {"knowledge_strength": knowledge_strength or ""}
    if likelihood is None:
        data.update(likelihood=None, likelihood_reasoning=event.likelihood_reasoning)
    else:
        data.update(
            likelihood={c.position: c for c in scale["likelihoods"]}[likelihood],
            likelihood_reasoning=_with_note(note, event.likelihood_reasoning),
        )
    with transaction.atomic():
        updated = services.event_update(
            actor=actor,
            analysis_id=analysis.pk,
            event_id=event.pk,
            expected_version=expected_version,
            data=data,
            consequences=by_type,
            reason=_("Agreed in a workshop"),
        )
        WorkshopAgreement.objects.create(
            session=session,
            event=updated,
            agreed_by_id=actor.user_id,
            likelihood_position=likelihood,
            consequences={code: pos for code, pos in consequences.items() if pos is not None},
            knowledge_strength=knowledge_strength or "",
            rationale=rationale,
            event_version=updated.version,
        )
    return updated


def _with_note(note: str, earlier: str) -> str:
    """The rationale first, then what was written before (nothing already saved is lost)."""
    earlier = (earlier or "").strip()
    return f"{note}\n\n{earlier}" if earlier else note
