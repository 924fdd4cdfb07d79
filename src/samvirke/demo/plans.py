"""Demo document registers: every municipality gets a realistic mix of current, outdated and missing
documents, a few status assessments and "project start" snapshots, and its due items derived from the
default rules (some overdue).

Idempotent: documents are keyed on (owner, title), assessments on the owner, snapshots on (owner, label);
a record is saved only when something changed. Revision dates that must stay "recent" are given in months
before today (rounded to the first of the month), so the mix looks the same whenever the demo is loaded.
Fixed dates are real-looking demo values, not the municipalities' actual decisions.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from samvirke.core.access import AccessLevel
from samvirke.plans.defaults import load_defaults
from samvirke.plans.domain import add_months
from samvirke.plans.due import refresh_due_items
from samvirke.plans.models import GoverningDocument, StatusAssessment, StatusSnapshot
from samvirke.risk.models import RiskAnalysis

C, G, A, S = AccessLevel.CLEAR, AccessLevel.GREEN, AccessLevel.AMBER, AccessLevel.AMBER_STRICT
ADOPTED, OUTDATED, DRAFT = "adopted", "outdated", "draft"
D = datetime.date

#: Municipality number -> the demo user responsible for its documents.
ADVISORS = {
    "1833": "demo-rana", "1832": "demo-hemnes", "1826": "demo-hattfjelldal", "1828": "demo-nesna",
    "1834": "demo-luroy", "1835": "demo-traena", "2421": "demo-storuman", "2462": "demo-vilhelmina",
    "2506": "demo-arjeplog",
}  # fmt: skip


def ago(months: int) -> datetime.date:
    """The first of the month `months` months before today."""
    today = timezone.localdate()
    return add_months(D(today.year, today.month, 1), -months)


def documents() -> list[tuple]:
    """(owner, type code, title, status, adopted on, adopted by, last revised, last exercised, level,
    shared with, risk analysis title, notes). Missing required types are simply absent."""
    ks, kf = "kommunestyret", "kommunfullmäktige"
    return [
        # Rana: all current; the HROS is the one in the risk module.
        ("1833", "hros", "Helhetlig ROS Rana kommune 2024", ADOPTED, D(2024, 6, 20), "Rana kommunestyre",
         None, None, G, [], "Helhetlig ROS Rana kommune 2024", ""),
        ("1833", "overordnet-beredskapsplan", "Overordnet beredskapsplan for Rana kommune", ADOPTED,
         D(2022, 3, 24), ks, ago(4), ago(10), C, [], None,
         "Administrativ del med kriseledelse, varslingsliste og ressursoversikt; operativ del med "
         "tiltakskort."),
        ("1833", "kontinuitetsplan", "Kontinuitetsplan ved høyt personellfravær", ADOPTED, ago(30),
         "kommunedirektøren", ago(8), None, S, [], None, "Etter DSBs veileder i kontinuitetsplanlegging."),
        ("1833", "krisekommunikasjon", "Plan for krisekommunikasjon", ADOPTED, ago(20), "kommunedirektøren",
         None, None, G, [], None, ""),
        ("1833", "samfunnsplan", "Kommuneplanens samfunnsdel 2020–2032", ADOPTED, D(2020, 6, 18), ks, None,
         None, C, [], None, ""),
        ("1833", "arealplan", "Kommuneplanens arealdel 2023–2035", ADOPTED, D(2023, 9, 7), ks, None, None, C,
         [], None, ""),
        # Hemnes: the HROS is still in consultation, the plan is overdue for revision and exercise.
        ("1832", "hros", "Helhetlig ROS Hemnes kommune 2023", DRAFT, None, "", None, None, G, [],
         "Helhetlig ROS Hemnes kommune 2023", "Ute på høring."),
        ("1832", "overordnet-beredskapsplan", "Beredskapsplan Hemnes kommune", ADOPTED, D(2019, 2, 14), ks,
         ago(20), ago(30), G, [], None, ""),
        ("1832", "sektorplan", "Tiltakskort for Røssåga-vassdraget", ADOPTED, ago(15), "kommunedirektøren",
         None, None, A, ["1833"], None, "Delt med Rana: samme vassdrag."),
        ("1832", "samfunnsplan", "Kommuneplanens samfunnsdel 2016–2028", ADOPTED, D(2016, 9, 29), ks, None,
         None, C, [], None, ""),
        # Hattfjelldal: plan about to be due, exercise overdue, continuity plan only a draft.
        ("1826", "hros", "Helhetlig ROS Hattfjelldal kommune", ADOPTED, D(2020, 3, 5), ks, None, None, G, [],
         None, ""),
        ("1826", "overordnet-beredskapsplan", "Overordnet beredskapsplan Hattfjelldal", ADOPTED,
         D(2018, 5, 31), ks, ago(11), ago(26), G, [], None, ""),
        ("1826", "kontinuitetsplan", "Kontinuitetsplan for helse og omsorg", DRAFT, None, "", None, None, G,
         [], None, ""),
        ("1826", "samfunnsplan", "Kommuneplanens samfunnsdel 2019–2031", ADOPTED, D(2019, 6, 20), ks, None,
         None, C, [], None, ""),
        ("1826", "arealplan", "Kommuneplanens arealdel", ADOPTED, D(2015, 12, 10), ks, None, None, C, [],
         None, ""),
        # Nesna: HROS from 2018 (not updated in the current election period), land-use plan outdated.
        ("1828", "hros", "Helhetlig ROS Nesna kommune", ADOPTED, D(2018, 11, 22), ks, None, None, G, [], None,
         ""),
        ("1828", "overordnet-beredskapsplan", "Overordnet beredskapsplan Nesna kommune", ADOPTED,
         D(2020, 1, 30), ks, ago(7), ago(14), C, [], None, "Ferjeberedskap Nesna–Levang i egen del."),
        ("1828", "samfunnsplan", "Kommuneplanens samfunnsdel 2021–2033", ADOPTED, D(2021, 4, 22), ks, None,
         None, C, [], None, ""),
        ("1828", "arealplan", "Kommuneplanens arealdel 2014–2026", OUTDATED, D(2014, 10, 16), ks, None, None,
         C, [], None, "Under revisjon."),
        # Lurøy (host): in good order.
        ("1834", "hros", "Helhetlig ROS Lurøy kommune 2024", ADOPTED, D(2024, 3, 14), ks, None, None, G, [],
         None, ""),
        ("1834", "overordnet-beredskapsplan", "Overordnet beredskapsplan Lurøy kommune", ADOPTED,
         D(2021, 2, 11), ks, ago(2), ago(5), C, [], None, ""),
        ("1834", "kontinuitetsplan", "Kontinuitetsplan Lurøy kommune", ADOPTED, ago(9), "kommunedirektøren",
         None, None, G, [], None, ""),
        ("1834", "evakueringsplan", "Evakuering av øysamfunn", ADOPTED, ago(18), "kommunedirektøren", None,
         None, G, [], None, "Lovund, Onøya og Stokkvågen."),
        ("1834", "samfunnsplan", "Kommuneplanens samfunnsdel 2022–2034", ADOPTED, D(2022, 5, 5), ks, None,
         None, C, [], None, ""),
        ("1834", "arealplan", "Kommuneplanens arealdel 2018–2030", ADOPTED, D(2018, 6, 21), ks, None, None, C,
         [], None, ""),
        # Træna: small and behind.
        ("1835", "hros", "ROS-analyse Træna kommune", ADOPTED, D(2016, 5, 10), ks, None, None, G, [], None,
         ""),
        ("1835", "overordnet-beredskapsplan", "Beredskapsplan Træna kommune", ADOPTED, D(2017, 6, 1), ks,
         ago(30), ago(40), G, [], None, ""),
        ("1835", "arealplan", "Kommuneplanens arealdel Træna", ADOPTED, D(2012, 3, 29), ks, None, None, C, [],
         None, ""),
        # Storuman: RSA in time; the exercise and training plan is behind for the new mandate period.
        ("2421", "rsa", "Risk- och sårbarhetsanalys Storumans kommun 2023–2026", ADOPTED, D(2023, 10, 26),
         "Kommunfullmäktige", None, None, G, [], "Risk- och sårbarhetsanalys Storumans kommun 2023–2026", ""),
        ("2421", "plan-extraordinara-handelser", "Plan för hantering av extraordinära händelser",
         ADOPTED, D(2023, 3, 15), kf, None, None, C, [], None, ""),
        ("2421", "styrdokument-krisberedskap", "Styrdokument för krisberedskap 2023–2026", ADOPTED,
         D(2023, 6, 12), kf, None, None, C, [], None, ""),
        ("2421", "ovnings-utbildningsplan", "Övnings- och utbildningsplan", ADOPTED, D(2020, 2, 24),
         "kommunstyrelsen", None, None, G, [], None, ""),
        ("2421", "krisledningsnamnd-reglemente", "Reglemente för krisledningsnämnden", ADOPTED,
         D(2023, 1, 30), kf, None, None, C, [], None, ""),
        ("2421", "oversiktsplan", "Översiktsplan Storumans kommun", ADOPTED, D(2012, 4, 24), kf, None, None,
         C, [], None, ""),
        # Vilhelmina: RSA missing, plan from the previous mandate period.
        ("2462", "plan-extraordinara-handelser", "Plan för extraordinära händelser 2019–2022", ADOPTED,
         D(2019, 12, 9), kf, None, None, C, [], None, ""),
        ("2462", "ovnings-utbildningsplan", "Övnings- och utbildningsplan (utkast)", DRAFT, None, "", None,
         None, G, [], None, ""),
        ("2462", "krisledningsnamnd-reglemente", "Reglemente för krisledningsnämnden", ADOPTED,
         D(2019, 2, 25), kf, None, None, C, [], None, ""),
        ("2462", "oversiktsplan", "Översiktsplan Vilhelmina kommun", ADOPTED, D(2017, 11, 27), kf, None,
         None, C, [], None, ""),
        # Arjeplog: RSA a few months late, otherwise in order.
        ("2506", "rsa", "Risk- och sårbarhetsanalys Arjeplogs kommun 2023–2026", ADOPTED, D(2024, 2, 20), kf,
         None, None, G, [], None, ""),
        ("2506", "plan-extraordinara-handelser", "Plan för extraordinära händelser 2023–2026", ADOPTED,
         D(2023, 5, 22), kf, None, None, C, [], None, ""),
        ("2506", "styrdokument-krisberedskap", "Styrdokument för säkerhet och krisberedskap", ADOPTED,
         D(2023, 4, 17), kf, None, None, C, [], None, ""),
        ("2506", "ovnings-utbildningsplan", "Övnings- och utbildningsplan 2023–2026", ADOPTED, D(2023, 9, 11),
         "kommunstyrelsen", None, None, G, [], None, ""),
        ("2506", "krisledningsnamnd-reglemente", "Reglemente för krisledningsnämnden", ADOPTED,
         D(2023, 2, 27), kf, None, None, C, [], None, ""),
        ("2506", "oversiktsplan", "Översiktsplan Arjeplogs kommun", ADOPTED, D(2019, 6, 17), kf, None, None,
         C, [], None, ""),
    ]  # fmt: skip


#: owner, assessed (months ago), assessment, needs
ASSESSMENTS = [
    ("1832", 3, "Beredskapsplanen er ikke revidert på over et år og ikke øvd siden før forrige valg. "
     "Helhetlig ROS er på høring.",
     "Vedta helhetlig ROS, revidere planen etter ROS-en og holde en øvelse innen et år."),
    ("1835", 2, "Liten administrasjon (beredskapsansvarlig i 20 % stilling). ROS-analysen er fra 2016 og "
     "beredskapsplanen er ikke revidert på flere år.",
     "Interkommunal bistand til ny helhetlig ROS og revisjon av beredskapsplanen; kontinuitetsplan mangler."),
    ("2462", 4, "Risk- och sårbarhetsanalys för mandatperioden saknas.", "Ta fram RSA och ny plan för "
     "extraordinära händelser för mandatperioden 2026–2030."),
]  # fmt: skip

#: owner, label, taken on, [(type code, state, last revised)]
SNAPSHOTS = [
    ("1833", "Status ved prosjektstart", D(2025, 1, 15), [
        ("hros", "current", None), ("overordnet-beredskapsplan", "outdated", "2023-02-01"),
        ("kontinuitetsplan", "missing", None), ("samfunnsplan", "current", None),
        ("arealplan", "current", None),
    ]),
    ("1832", "Status ved prosjektstart", D(2025, 1, 15), [
        ("hros", "outdated", None), ("overordnet-beredskapsplan", "current", "2024-11-01"),
        ("kontinuitetsplan", "missing", None), ("samfunnsplan", "current", None),
        ("arealplan", "missing", None),
    ]),
]  # fmt: skip


def load_plans_demo(orgs: dict, users: dict) -> dict:
    load_defaults()
    from samvirke.plans.models import DocumentType

    types = {t.code: t for t in DocumentType.objects.all()}
    analyses = {
        (a.owner_id, a.title): a
        for a in RiskAnalysis.objects.filter(owner_id__in=[o.pk for o in orgs.values()]).only(
            "id", "owner_id", "title"
        )
    }
    existing = {
        (d.owner_id, d.title): d
        for d in GoverningDocument.objects.filter(owner_id__in=[orgs[k].pk for k in ADVISORS])
    }
    saved = 0
    for (
        owner_key,
        code,
        title,
        status,
        adopted_on,
        adopted_by,
        revised,
        exercised,
        level,
        shared,
        analysis,
        notes,
    ) in documents():
        owner = orgs[owner_key]
        linked = analyses.get((owner.pk, analysis)) if analysis else None
        fields = {
            "document_type_id": types[code].pk,
            "status": status,
            "adopted_on": adopted_on,
            "adopted_by": adopted_by,
            "last_revised_on": revised,
            "last_exercised_on": exercised,
            "access_level": level,
            "exemption_basis": "" if level in (C, G) else "offl. § 24 tredje ledd",
            "responsible_id": users[ADVISORS[owner_key]].pk,
            "risk_analysis_id": linked.pk if linked else None,
            "notes": notes,
            "version_label": str((revised or adopted_on).year) if (revised or adopted_on) else "",
        }
        document = existing.get((owner.pk, title))
        if document is not None and all(getattr(document, k) == v for k, v in fields.items()):
            continue
        document = document or GoverningDocument(owner=owner, title=title)
        for key, value in fields.items():
            setattr(document, key, value)
        document._change_reason = ""  # the history shows "system" as the author
        document.save()
        document.shared_with.set([orgs[k] for k in shared] if level == A else [])
        saved += 1
    _assessments(orgs)
    _snapshots(orgs, users)
    due = refresh_due_items(organisation_ids=[orgs[k].pk for k in ADVISORS])
    return {"documents": len(documents()), "saved": saved, "due_items": due["items"]}


def _assessments(orgs):
    current = {
        a.owner_id: a
        for a in StatusAssessment.objects.filter(owner_id__in=[orgs[k].pk for k, *_r in ASSESSMENTS])
    }
    for owner_key, months, text, needs in ASSESSMENTS:
        owner = orgs[owner_key]
        assessment = current.get(owner.pk) or StatusAssessment(owner=owner)
        values = {"assessed_on": ago(months), "assessment": text, "needs": needs, "access_level": G}
        if assessment.pk and all(getattr(assessment, k) == v for k, v in values.items()):
            continue
        for key, value in values.items():
            setattr(assessment, key, value)
        assessment._change_reason = ""
        assessment.save()


def _snapshots(orgs, users):
    current = {
        (s.owner_id, s.label)
        for s in StatusSnapshot.objects.filter(owner_id__in=[orgs[k].pk for k, *_r in SNAPSHOTS])
    }
    tz = timezone.get_current_timezone()
    for owner_key, label, taken_on, rows in SNAPSHOTS:
        owner = orgs[owner_key]
        if (owner.pk, label) in current:
            continue
        snapshot = StatusSnapshot(
            owner=owner,
            label=label,
            taken_at=datetime.datetime.combine(taken_on, datetime.time(9, 0), tzinfo=tz),
            taken_by=users["demo-coordinator"],
            matrix=[
                {"type": code, "state": state, "adopted_on": None, "last_revised_on": revised, "due": None}
                for code, state, revised in rows
            ],
            access_level=G,
        )
        snapshot._change_reason = ""
        snapshot.save()
