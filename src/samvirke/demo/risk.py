"""Demo risk analyses: a helhetlig ROS or RSA for each of the nine municipalities and a regional ROS owned
by the cooperation's steering group. The content is in risk_data.py.

Idempotent: analyses are keyed on (owner, title), events and measures on (analysis, title); running it again
changes only what differs (a new version with history) and creates nothing twice. A fresh database gets
everything in a few bulk inserts, with history, so the test fixtures stay fast. Risk results are computed by
`risk.services.assessment_result` from the analysis' scale, and assessments written by
`risk.services.assessments_write`, as for any event saved through the services.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from samvirke.core.access import AccessLevel
from samvirke.demo import risk_data
from samvirke.risk import domain, services
from samvirke.risk.defaults import load_defaults
from samvirke.risk.models import (
    AcceptanceBand,
    AnalysedEvent,
    ConsequenceAssessment,
    ConsequenceLevel,
    ConsequenceType,
    CriticalFunction,
    EventType,
    LikelihoodClass,
    Measure,
    Requirement,
    RiskAnalysis,
)

#: Event titles changed since an earlier demo: (analysis key, old title) -> new title. An existing demo
#: database renames the event instead of keeping the old one next to a new one.
RENAMED = {
    (
        "hemnes",
        "Stengt E6 og E12 ved uvær og snøskred vinterstid",
    ): "Stengt E6 gjennom Hemnes ved uvær og snøskred",
}

ANALYSIS_LINKS = ("shared_with", "named_people", "covered_requirements")
EVENT_LINKS = ("shared_with", "named_people", "affected_municipalities", "critical_functions")
MEASURE_LINKS = ("shared_with", "named_people", "events")


def load_risk_demo(orgs: dict, users: dict, *, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    sets = load_defaults()
    region = orgs[risk_data.GROUP].region
    scales = _scales({spec.scale: sets[spec.scale] for spec in risk_data.ANALYSES})
    event_types = _event_types(region)
    functions = {f.name: f.pk for f in CriticalFunction.objects.all()}
    requirements = {(r.country, r.code): r.pk for r in Requirement.objects.all()}

    analyses = _sync(
        RiskAnalysis,
        [_analysis_row(spec, orgs, users, scales, requirements) for spec in risk_data.ANALYSES],
        existing={
            (a.owner_id, a.title): a
            for a in RiskAnalysis.objects.filter(
                owner__in=[orgs[spec.owner] for spec in risk_data.ANALYSES],
                title__in=[spec.title for spec in risk_data.ANALYSES],
            ).prefetch_related(*ANALYSIS_LINKS)
        },
        links=ANALYSIS_LINKS,
    )
    by_key = {spec.key: analyses[(orgs[spec.owner].pk, spec.title)] for spec in risk_data.ANALYSES}
    analysis_specs = {spec.key: spec for spec in risk_data.ANALYSES}

    existing_events = {
        (e.analysis_id, e.title): e
        for e in AnalysedEvent.objects.filter(analysis__in=by_key.values()).prefetch_related(
            *EVENT_LINKS, "assessments"
        )
    }
    for (key, old), new in RENAMED.items():
        analysis_id = by_key[key].pk
        if (analysis_id, old) in existing_events and (analysis_id, new) not in existing_events:
            existing_events[(analysis_id, new)] = existing_events.pop((analysis_id, old))
    event_rows, assessments = [], {}
    for key, event_specs in risk_data.EVENTS.items():
        analysis = by_key[key]
        for spec in event_specs:
            row, assessments[(analysis.pk, spec.title)] = _event_row(
                analysis,
                analysis_specs[key],
                spec,
                orgs,
                users,
                scales[analysis.scale_set_id],
                event_types,
                functions,
            )
            event_rows.append(row)
    events = _sync(AnalysedEvent, event_rows, existing=existing_events, links=EVENT_LINKS)
    created = []
    for event_key, event in events.items():
        rows = assessments[event_key]
        if event_key not in existing_events:
            created.extend((event, row) for row in rows)
        elif {(a.consequence_type_id, a.level_id, a.reasoning) for a in event.assessments.all()} != {
            (ctype.pk, level.pk, reasoning) for ctype, level, reasoning in rows
        }:
            services.assessments_write(event, rows)
    # New events: the rows services.assessment_result checked, in one insert instead of one per event.
    ConsequenceAssessment.objects.bulk_create(
        ConsequenceAssessment(event=event, consequence_type=ctype, level=level, reasoning=reasoning)
        for event, (ctype, level, reasoning) in created
    )

    measure_rows = []
    for key, measure_specs in risk_data.MEASURES.items():
        analysis = by_key[key]
        for spec in measure_specs:
            measure_rows.append(_measure_row(analysis, analysis_specs[key], spec, orgs, users, events, today))
    measures = _sync(
        Measure,
        measure_rows,
        existing={
            (m.analysis_id, m.title): m
            for m in Measure.objects.filter(analysis__in=by_key.values()).prefetch_related(*MEASURE_LINKS)
        },
        links=MEASURE_LINKS,
    )
    return {"analyses": len(analyses), "events": len(events), "measures": len(measures)}


# --- rows --------------------------------------------------------------------------------------------------


class _Scale:
    """One scale set's classes, levels and colour bands, looked up by code and position."""

    def __init__(self, scale_set):
        self.scale_set = scale_set
        self.likelihoods: dict[str, LikelihoodClass] = {}
        self.types: dict[str, ConsequenceType] = {}
        self.levels: dict[tuple[int, int], ConsequenceLevel] = {}
        self.cells: dict = {}


def _scales(sets: dict) -> dict[int, _Scale]:
    """The scales used by the demo, in four queries whatever their number."""
    scales = {s.pk: _Scale(s) for s in sets.values()}
    for lc in LikelihoodClass.objects.filter(scale_set_id__in=scales):
        scales[lc.scale_set_id].likelihoods[lc.code] = lc
    types = {}
    for ctype in ConsequenceType.objects.filter(scale_set_id__in=scales):
        scales[ctype.scale_set_id].types[ctype.code] = types[ctype.pk] = ctype
    for level in ConsequenceLevel.objects.filter(consequence_type_id__in=types):
        ctype = types[level.consequence_type_id]
        scales[ctype.scale_set_id].levels[(ctype.pk, level.position)] = level
    bands: dict[int, dict] = {pk: {} for pk in scales}
    rows = AcceptanceBand.objects.filter(scale_set_id__in=scales).values_list(
        "scale_set_id", "colour", "cells"
    )
    for scale_set_id, colour, cells in rows:
        bands[scale_set_id][colour] = cells
    for pk, scale in scales.items():
        scale.cells = domain.band_map(bands[pk])
    return scales


def _event_types(region) -> dict[str, EventType]:
    """The shared library plus the region's own types (risk_data.REGIONAL_EVENT_TYPES), by name; the
    region's types are created or updated here."""
    current = {
        (t.region_id, t.name): t for t in EventType.objects.filter(Q(region__isnull=True) | Q(region=region))
    }
    missing, changed = [], []
    for category, name, description in risk_data.REGIONAL_EVENT_TYPES:
        existing = current.get((region.pk, name))
        if existing is None:
            missing.append(EventType(region=region, category=category, name=name, description=description))
        elif (existing.category, existing.description) != (category, description):
            existing.category, existing.description = category, description
            changed.append(existing)
    for event_type in EventType.objects.bulk_create(missing):
        current[(region.pk, event_type.name)] = event_type
    if changed:
        EventType.objects.bulk_update(changed, ["category", "description"])
    # A region's own type of the same name wins over the shared one.
    return {name: t for (_region, name), t in sorted(current.items(), key=lambda i: i[0][0] is not None)}


def _access(level, spec, orgs, users, kind, analysis_spec=None) -> tuple[str, dict]:
    """Exemption basis and sharing for a record: a legal basis for AMBER and stricter, sharing only for
    AMBER, named people only for RED. An event or measure at its analysis' level shares like it."""
    basis = "" if level in (AccessLevel.CLEAR, AccessLevel.GREEN) else _basis(kind)
    shared = spec.shared
    if not shared and analysis_spec is not None and level == analysis_spec.level:
        shared = analysis_spec.shared
    return basis, {
        "shared_with": [orgs[k].pk for k in shared] if level == AccessLevel.AMBER else [],
        "named_people": [users[u].pk for u in spec.named] if level == AccessLevel.RED else [],
    }


def _basis(kind: str) -> str:
    return risk_data.SE_BASIS if kind == RiskAnalysis.Kind.RSA else risk_data.NO_BASIS


def _analysis_row(spec, orgs, users, scales, requirements):
    owner = orgs[spec.owner]
    scale_set = next(s.scale_set for s in scales.values() if s.scale_set.slug == spec.scale)
    basis, links = _access(spec.level, spec, orgs, users, spec.kind)
    country = "SE" if spec.kind == RiskAnalysis.Kind.RSA else "NO"
    adopted_on, adopted_by, case_number = spec.adopted or (None, "", "")
    fields = {
        "owner_id": owner.pk,
        "title": spec.title,
        "kind": spec.kind,
        "status": spec.status,
        "scale_set_id": scale_set.pk,
        "scope": spec.scope,
        "body": spec.summary,
        "method": spec.method,
        "period_start": datetime.date(spec.period[0], 1, 1),
        "period_end": datetime.date(spec.period[1], 12, 31),
        "adopted_on": adopted_on,
        "adopted_by": adopted_by,
        "case_number": case_number,
        "access_level": spec.level,
        "exemption_basis": basis,
    }
    links["covered_requirements"] = [requirements[(country, code)] for code in spec.requirements]
    return (owner.pk, spec.title), fields, links


def _event_row(analysis, analysis_spec, spec, orgs, users, scale, event_types, functions):
    level = spec.level or analysis.access_level
    basis, links = _access(level, spec, orgs, users, analysis.kind, analysis_spec)
    data = {
        "likelihood": scale.likelihoods[spec.likelihood],
        "likelihood_reasoning": spec.likelihood_reasoning,
    }
    consequences = {}
    for code, (position, reasoning) in spec.consequences.items():
        ctype = scale.types[code]
        consequences[ctype] = (scale.levels[(ctype.pk, position)], reasoning)
    computed, rows = services.assessment_result(analysis, data, consequences, scale.cells)
    affected = [orgs[k] for k in spec.affected]
    fields = {
        "analysis_id": analysis.pk,
        "owner_id": analysis.owner_id,
        "title": spec.title,
        "event_type_id": event_types[spec.type].pk,
        "scenario": spec.scenario,
        "comparable_events": spec.comparable,
        "causes": spec.causes,
        "barriers": spec.barriers,
        "likelihood_id": data["likelihood"].pk,
        "likelihood_reasoning": spec.likelihood_reasoning,
        "vulnerability": spec.vulnerability,
        "knowledge_strength": spec.knowledge,
        "sensitivity": spec.sensitivity,
        "sources": spec.sources,
        "cross_municipal": bool(affected),
        "cross_border": any(o.country != analysis.country for o in affected),
        "access_level": level,
        "exemption_basis": basis,
        **computed,
    }
    links["affected_municipalities"] = [o.pk for o in affected]
    links["critical_functions"] = [functions[name] for name in spec.functions]
    return ((analysis.pk, spec.title), fields, links), rows


def _measure_row(analysis, analysis_spec, spec, orgs, users, events, today):
    level = spec.level or analysis.access_level
    basis, links = _access(level, spec, orgs, users, analysis.kind, analysis_spec)
    fields = {
        "analysis_id": analysis.pk,
        "owner_id": analysis.owner_id,
        "title": spec.title,
        "description": spec.description,
        "responsible": spec.responsible,
        "deadline": today + datetime.timedelta(days=spec.days),
        "cost_estimate": spec.cost,
        "status": spec.status,
        "likelihood_reduction": spec.likelihood_reduction,
        "consequence_reduction": spec.consequence_reduction,
        "access_level": level,
        "exemption_basis": basis,
    }
    links["events"] = [events[(analysis.pk, title)].pk for title in spec.events]
    return (analysis.pk, spec.title), fields, links


# --- writes ------------------------------------------------------------------------------------------------


def _sync(model, rows, *, existing: dict, links) -> dict:
    """Make the records match `rows` ([(key, fields, {link: [ids]})]).

    New records: one bulk insert with their history (a "created" version by the system) and one insert
    per link table. Existing records: saved only if a field differs (the version goes up, so an editor
    with the old version open gets a conflict, not a silent overwrite); links set only if they differ."""
    result, new = {}, []
    for key, fields, wanted in rows:
        obj = existing.get(key)
        if obj is None:
            obj = model(**fields)
            new.append((obj, wanted))
        else:
            if any(getattr(obj, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(obj, name, value)
                obj.version += 1
                obj._change_reason = ""  # the history shows "system" as the author
                obj.save()
            for name in links:
                if {o.pk for o in getattr(obj, name).all()} != set(wanted[name]):
                    getattr(obj, name).set(wanted[name])
        result[key] = obj
    if new:
        bulk_create_with_history([obj for obj, _ in new], model, default_change_reason="")
        for name in links:
            field = model._meta.get_field(name)
            through = field.remote_field.through
            source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            through.objects.bulk_create(
                through(**{source: obj.pk, target: pk}) for obj, wanted in new for pk in wanted[name]
            )
    return result
