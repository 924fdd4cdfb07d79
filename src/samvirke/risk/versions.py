"""Adopted versions of a risk analysis (issue 3, item 7): freeze a snapshot, compare it with today.

Adopting an analysis (its status becoming "adopted", or a new adoption date, body or case number while
adopted) freezes a version in the same transaction as the save (`services.analysis_update`). Editors can
also freeze one explicitly. Freezing is idempotent: if nothing changed since the latest version, that
version is returned and no new one is made.

Who sees what in a comparison (`diff_for`):

* the page itself needs the analysis to be visible (`selectors.get_analysis_for`);
* an event or measure that still exists is shown (added or changed) only if the reader may read it now
  (`selectors.events_visible_to` / `measures_visible_to`, the chokepoint) — whatever it was at freeze;
* an event or measure that was removed has no record left to ask, so the snapshot's own access level,
  sharing and named people (as they were when frozen) decide, by the same rules as
  `ContentQuerySet.visible_to`: CLEAR everyone; GREEN members of the owner's region; AMBER members of the
  owner and of the organisations it was shared with; AMBER+STRICT members of the owner; RED only the
  people named on it (`entry_visible`). A reader who may not see it is not told it existed.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from samvirke.core.access import AccessLevel, Actor
from samvirke.core.errors import NotFound
from samvirke.core.services import ensure_can_edit
from samvirke.core.visibility import get_visible
from samvirke.risk import selectors
from samvirke.risk.models import AnalysisVersion, KnowledgeStrength, Measure, RiskAnalysis, RiskColour
from samvirke.risk.snapshot import build_snapshot

ADOPTED = RiskAnalysis.Status.ADOPTED


# --- writes ------------------------------------------------------------------------------------------------


def freeze(analysis: RiskAnalysis, *, user_id: int | None) -> tuple[AnalysisVersion, bool]:
    """Freeze the analysis as it is now; (version, created). No permission check: callers check.

    Call inside a transaction that holds the analysis row (services do), so numbers cannot collide."""
    snapshot = build_snapshot(analysis)
    latest = AnalysisVersion.objects.filter(analysis=analysis).order_by("-number").first()
    if latest is not None and latest.snapshot == snapshot:
        return latest, False
    version = AnalysisVersion.objects.create(
        analysis=analysis,
        number=latest.number + 1 if latest else 1,
        frozen_by_id=user_id,
        status=analysis.status,
        adopted_on=analysis.adopted_on,
        adopted_by=analysis.adopted_by,
        case_number=analysis.case_number,
        snapshot=snapshot,
    )
    return version, True


def _adoption(record) -> tuple:
    return (record.status, record.adopted_on, record.adopted_by, record.case_number)


def freeze_on_adoption(analysis: RiskAnalysis, *, user_id: int | None) -> AnalysisVersion | None:
    """After a save: freeze if this save adopted the analysis (status became adopted, or the adoption's
    date, body or case number changed while adopted). Saving an adopted analysis again freezes nothing."""
    if analysis.status != ADOPTED:
        return None
    records = list(analysis.history.order_by("-history_date", "-history_id")[:2])
    if len(records) == 2 and _adoption(records[1]) == _adoption(analysis):
        return None
    version, _created = freeze(analysis, user_id=user_id)
    return version


def version_freeze(*, actor: Actor, analysis_id) -> tuple[AnalysisVersion, bool]:
    """Freeze a version on request (editors of the owner). Returns (version, created)."""
    with transaction.atomic():
        analysis = get_visible(
            RiskAnalysis.objects.select_for_update().select_related("scale_set"), actor, analysis_id
        )
        ensure_can_edit(actor, analysis)
        return freeze(analysis, user_id=actor.user_id)


# --- reads -------------------------------------------------------------------------------------------------


def versions_of(analysis: RiskAnalysis):
    """The versions of an analysis the caller has already fetched through the chokepoint, newest first."""
    return (
        AnalysisVersion.objects.filter(analysis=analysis)
        .select_related("frozen_by")
        .defer("snapshot")
        .order_by("-number")
    )


def version_choices(analysis: RiskAnalysis) -> list[AnalysisVersion]:
    """Number and status of every version (for links between comparisons), newest first."""
    return list(
        AnalysisVersion.objects.filter(analysis=analysis).only("id", "number", "status").order_by("-number")
    )


def get_version_for(analysis: RiskAnalysis, number) -> AnalysisVersion:
    """A version of a visible analysis by its number; NotFound if there is none."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise NotFound() from None
    version = AnalysisVersion.objects.filter(analysis=analysis, number=number).first()
    if version is None:
        raise NotFound()
    return version


def latest_adopted(versions) -> AnalysisVersion | None:
    """The newest adopted version in `versions` (newest first), else the newest version."""
    versions = list(versions)
    return next((v for v in versions if v.is_adoption), versions[0] if versions else None)


def entry_visible(actor: Actor, owner, entry: dict) -> bool:
    """May `actor` see a snapshot entry of `owner`'s analysis whose record no longer exists?

    The rules of ContentQuerySet.visible_to, applied to the level, sharing and naming frozen in the
    entry (tests: risk/tests/test_versions.py::test_entry_visible_agrees_with_the_chokepoint)."""
    level = entry.get("access_level")
    if level == AccessLevel.CLEAR:
        return True
    if actor.user_id is None or not actor.is_verified:
        return False
    if level == AccessLevel.RED:
        return actor.user_id in entry.get("named_people", ())
    if not actor.roles:
        return False
    if level == AccessLevel.GREEN:
        return owner.region_id in actor.region_ids
    if level == AccessLevel.AMBER:
        return owner.pk in actor.organisation_ids or bool(
            set(entry.get("shared_with", ())) & actor.organisation_ids
        )
    if level == AccessLevel.AMBER_STRICT:
        return owner.pk in actor.organisation_ids
    return False  # an unknown level: show nothing


# --- comparing ---------------------------------------------------------------------------------------------

ANALYSIS_FIELDS = ("title", "status", "adopted_on", "adopted_by", "case_number", "scale_set", "access_level")


def _consequences(entry) -> dict:
    return {c["type"]: c for c in entry.get("consequences", ())}


def _likelihood_text(entry) -> str | None:
    if entry.get("likelihood_position") is None:
        return None
    code = entry.get("likelihood_code") or str(entry["likelihood_position"])
    label = entry.get("likelihood_label")
    return f"{code} – {label}" if label else code


def _risk_text(entry) -> dict | None:
    if not entry.get("risk_colour"):
        return None
    return {"colour": entry["risk_colour"], "score": entry.get("risk_score")}


def _direction(old, new) -> str:
    if old is None or new is None or old == new:
        return ""
    return "up" if new > old else "down"


def compare_events(old: dict, new: dict) -> list[dict]:
    """What moved in one event between two snapshots: [{"what", "type", "old", "new", "direction"}]."""
    changes = []
    if old["title"] != new["title"]:
        changes.append({"what": "title", "old": old["title"], "new": new["title"], "direction": ""})
    if old.get("likelihood_position") != new.get("likelihood_position"):
        changes.append(
            {
                "what": "likelihood",
                "old": _likelihood_text(old),
                "new": _likelihood_text(new),
                "direction": _direction(old.get("likelihood_position"), new.get("likelihood_position")),
            }
        )
    before, after = _consequences(old), _consequences(new)
    for code in [*before, *(c for c in after if c not in before)]:
        was, now = before.get(code), after.get(code)
        if (was or {}).get("position") == (now or {}).get("position"):
            continue
        changes.append(
            {
                "what": "consequence",
                "type": (now or was)["type_name"],
                "old": f"{was['code']} – {was['label']}" if was else None,
                "new": f"{now['code']} – {now['label']}" if now else None,
                "direction": _direction((was or {}).get("position"), (now or {}).get("position")),
            }
        )
    if (old.get("risk_colour"), old.get("risk_score")) != (new.get("risk_colour"), new.get("risk_score")):
        changes.append(
            {
                "what": "risk",
                "old": _risk_text(old),
                "new": _risk_text(new),
                "direction": _direction(old.get("risk_score"), new.get("risk_score")),
            }
        )
    if old.get("knowledge_strength") != new.get("knowledge_strength"):
        changes.append(
            {
                "what": "knowledge_strength",
                "old": old.get("knowledge_strength") or None,
                "new": new.get("knowledge_strength") or None,
                "direction": "",
            }
        )
    return changes


def compare_measures(old: dict, new: dict) -> list[dict]:
    changes = []
    for what in ("title", "status", "deadline", "likelihood_reduction", "consequence_reduction"):
        if old.get(what) != new.get(what):
            changes.append({"what": what, "old": old.get(what), "new": new.get(what)})
    return changes


def compare(old: dict, new: dict) -> dict:
    """The whole difference between two snapshots, nothing filtered (pure; no database)."""
    result = {
        "analysis": [
            {"what": f, "old": old["analysis"].get(f), "new": new["analysis"].get(f)}
            for f in ANALYSIS_FIELDS
            if old["analysis"].get(f) != new["analysis"].get(f)
        ]
    }
    for kind, compare_one in (("events", compare_events), ("measures", compare_measures)):
        before = {e["id"]: e for e in old.get(kind, ())}
        after = {e["id"]: e for e in new.get(kind, ())}
        changed, unchanged = [], []
        for pk in sorted(before.keys() & after.keys()):
            changes = compare_one(before[pk], after[pk])
            if changes:
                changed.append({"old": before[pk], "new": after[pk], "changes": changes})
            else:
                unchanged.append(after[pk])
        result[kind] = {
            "added": [after[pk] for pk in sorted(after.keys() - before.keys())],
            "removed": [before[pk] for pk in sorted(before.keys() - after.keys())],
            "changed": changed,
            "unchanged": unchanged,
        }
    return result


def diff_for(actor: Actor, analysis: RiskAnalysis, version: AnalysisVersion) -> dict:
    """The comparison of `version` with the analysis now, as `actor` may see it (rules: module docstring),
    ready for the page: every value as text. `analysis` must come from selectors.get_analysis_for.
    A fixed number of queries whatever the number of events and measures."""
    full = compare(version.snapshot, build_snapshot(analysis))
    visible = {
        "events": {
            e.pk: e
            for e in selectors.events_visible_to(actor)
            .filter(analysis=analysis)
            .only("id", "access_level", "owner_id")
        },
        "measures": {
            m.pk: m
            for m in selectors.measures_visible_to(actor)
            .filter(analysis=analysis)
            .only("id", "access_level", "owner_id")
        },
    }
    owner = analysis.owner
    result = {"analysis": [_change_row("analysis", c) for c in full["analysis"]]}
    shown: list = []
    for kind, row in (("events", _event_row), ("measures", _measure_row)):
        part, readable = full[kind], visible[kind]
        added = [e for e in part["added"] if e["id"] in readable]
        changed = [c for c in part["changed"] if c["new"]["id"] in readable]
        removed = [e for e in part["removed"] if entry_visible(actor, owner, e)]
        result[kind] = {
            "added": [row(e) for e in added],
            "removed": [row(e) for e in removed],
            "changed": [
                {**row(c["new"]), "changes": [_change_row(kind, ch) for ch in c["changes"]]} for c in changed
            ],
            "unchanged_count": sum(1 for e in part["unchanged"] if e["id"] in readable),
        }
        shown += [readable[e["id"]] for e in added] + [readable[c["new"]["id"]] for c in changed]
    result["shown_records"] = shown
    result["has_changes"] = bool(
        result["analysis"]
        or any(result[k][p] for k in ("events", "measures") for p in ("added", "removed", "changed"))
    )
    return result


# --- as text for the page ----------------------------------------------------------------------------------

LABELS = {
    "title": _("Title"),
    "status": _("Status"),
    "adopted_on": _("Adopted on"),
    "adopted_by": _("Adopted by"),
    "case_number": _("Case number"),
    "scale_set": _("Scale set"),
    "access_level": _("Access level"),
    "likelihood": _("Likelihood"),
    "risk": _("Risk"),
    "knowledge_strength": _("Strength of knowledge"),
    "deadline": _("Deadline"),
    "likelihood_reduction": _("Likelihood reduction (classes)"),
    "consequence_reduction": _("Consequence reduction (levels)"),
}


def _date(value) -> str | None:
    if not value:
        return None
    return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")


def _choice(choices, value) -> str | None:
    if value in (None, ""):
        return None
    return str(choices(value).label) if value in choices.values else str(value)


def _value(kind: str, what: str, value) -> str | None:
    if value is None or value == "":
        return None
    if what == "status":
        return _choice(Measure.Status if kind == "measures" else RiskAnalysis.Status, value)
    if what == "access_level":
        return _choice(AccessLevel, value)
    if what in ("adopted_on", "deadline"):
        return _date(value)
    if what == "knowledge_strength":
        return _choice(KnowledgeStrength, value)
    if what == "risk":
        return f"{_choice(RiskColour, value['colour'])} ({value['score']})"
    return str(value)


def _change_row(kind: str, change: dict) -> dict:
    what = change["what"]
    if what == "consequence":
        label = _("Consequence: %(type)s") % {"type": change["type"]}
    else:
        label = LABELS.get(what, what)
    return {
        "label": label,
        "old": _value(kind, what, change["old"]),
        "new": _value(kind, what, change["new"]),
        "direction": change.get("direction", ""),
        "colours": (
            (change["old"] or {}).get("colour", ""),
            (change["new"] or {}).get("colour", ""),
        )
        if what == "risk"
        else None,
    }


def _event_row(entry: dict) -> dict:
    return {
        "id": entry["id"],
        "title": entry["title"],
        "likelihood": _likelihood_text(entry),
        "consequence_position": entry.get("consequence_position"),
        "risk": _value("events", "risk", _risk_text(entry)),
        "risk_colour": entry.get("risk_colour") or "",
        "access_level": entry.get("access_level"),
    }


def _measure_row(entry: dict) -> dict:
    return {
        "id": entry["id"],
        "title": entry["title"],
        "status": _value("measures", "status", entry.get("status")),
        "deadline": _date(entry.get("deadline")),
        "access_level": entry.get("access_level"),
    }
