"""Demo follow-up plans and annual evaluations: every municipality gets a follow-up plan for the current
year, filled from the rules (the plans demo's due items) like services.plan_generate does, with the
standard activities and a few activities of its own (training, cooperation, reporting) — some done, some
overdue, one postponed — and a responsibility matrix. Rana, Nesna and Storuman also get last year's plan
and a submitted annual evaluation of last year. Swedish municipalities in Swedish.

Idempotent: a plan is keyed on (owner, year) and an evaluation on (owner, year); one that exists is left
alone, so re-loading creates nothing twice and never undoes what someone changed in the demo. A fresh
database gets everything in a few bulk inserts with history (a "created" version by the system).
Dates of the municipalities' own activities are fractions of the time before and after today within the
year, so the mix of done, overdue and upcoming looks the same whenever the demo is loaded.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from samvirke.core.access import AccessLevel, actor_for_user
from samvirke.followup import domain
from samvirke.followup.models import Activity, ActivityStatus, AnnualEvaluation, FollowUpPlan, Responsibility
from samvirke.followup.services import LEVEL_ORDER, wanted_activities
from samvirke.plans.models import GoverningDocument

G = AccessLevel.GREEN
D = datetime.date

#: Municipality number -> (advisor username, accountable body, informed body, county partner consulted)
PEOPLE = {
    "1833": ("demo-rana", "kommunedirektøren", "kommunestyret", "Statsforvalteren i Nordland"),
    "1832": ("demo-hemnes", "kommunedirektøren", "kommunestyret", "Statsforvalteren i Nordland"),
    "1826": ("demo-hattfjelldal", "kommunedirektøren", "kommunestyret", "Statsforvalteren i Nordland"),
    "1828": ("demo-nesna", "kommunedirektøren", "kommunestyret", "Statsforvalteren i Nordland"),
    "1834": ("demo-luroy", "kommunedirektøren", "kommunestyret", "Statsforvalteren i Nordland"),
    "1835": ("demo-traena", "kommunedirektøren", "kommunestyret", "Statsforvalteren i Nordland"),
    "2421": ("demo-storuman", "kommundirektören", "kommunstyrelsen", "Länsstyrelsen Västerbotten"),
    "2462": ("demo-vilhelmina", "kommundirektören", "kommunstyrelsen", "Länsstyrelsen Västerbotten"),
    "2506": ("demo-arjeplog", "kommundirektören", "kommunstyrelsen", "Länsstyrelsen Norrbotten"),
}

#: The municipalities' own activities: (kind, title, description, when, state, external partner or None).
#: `when` is ("past", f) or ("future", f): a fraction of the year's time before or after today.
#: `state`: "done", "open" (overdue when in the past), "postponed" (moved ahead with a reason).
OWN_NO = [
    ("training", "Opplæring i kriseledelse for kommunens kriseledelse",
     "Roller, fullmakter og loggføring; gjennomgang av tiltakskortene.", ("past", 0.3), "done", None),
    ("cooperation", "Møte i kommunalt beredskapsråd",
     "Nødetatene, frivillige, næringsliv og nabokommuner: risikobildet og årets øvelser.", ("past", 0.6),
     "open", "110 Nordland"),
    ("exercise", "Varslingsøvelse for kriseledelsen",
     "Test av varslingslista og oppmøte i kriseledelsens lokaler.", ("past", 0.8), "postponed", None),
    ("reporting", "Oppdatere varslingslista og ressursoversikten",
     "Navn, telefonnummer og avtaler med frivillige organisasjoner.", ("future", 0.3), "open", None),
    ("cooperation", "Samvirkeøvelse med Nordland politidistrikt og nabokommunene",
     "Felles scenario fra helhetlig ROS; evaluering etterpå.", ("future", 0.7), "open",
     "Nordland politidistrikt"),
]  # fmt: skip
OWN_SE = [
    ("training", "Utbildning i krisledning för krisledningsgruppen",
     "Roller, mandat och loggföring enligt planen för extraordinära händelser.", ("past", 0.3), "done",
     None),
    ("cooperation", "Samverkansmöte med räddningstjänst och länsstyrelsen",
     "Gemensam lägesbild och årets övningar.", ("past", 0.6), "open", "SOS Alarm"),
    ("exercise", "Larmövning för krisledningsnämnden",
     "Test av larmlistan och samling i krisledningsplatsen.", ("past", 0.8), "postponed", None),
    ("reporting", "Uppdatera larmlistan och resursförteckningen", "Namn, telefonnummer och avtal.",
     ("future", 0.3), "open", None),
    ("cooperation", "Gränsöverskridande övning med norska grannkommuner",
     "Samverkan över gränsen med Rakel och Nødnett (NOSE-talgrupper).", ("future", 0.7), "open",
     "Nordland politidistrikt"),
]  # fmt: skip
POSTPONE_REASON = {
    "NO": "Øvingsleder har vært i permisjon; flyttet etter avtale med kommunedirektøren.",
    "SE": "Övningsledaren har varit tjänstledig; flyttad efter beslut av kommundirektören.",
}

#: Last year's submitted evaluation: owner -> answers (domain.EVALUATION_FIELDS).
EVALUATIONS = {
    "1833": {
        "hros_current": "yes",
        "hros_comment": "Helhetlig ROS vedtatt juni 2024, dekker forskriftens § 2 a–f.",
        "plan_current": "yes",
        "plan_comment": "Revidert i løpet av året; varslingslista oppdatert to ganger.",
        "exercises_current": "partly",
        "exercises_comment": "Diskusjonsøvelse holdt; den planlagte fullskalaøvelsen med Mo Industripark ble "
        "utsatt til i år.",
        "training_current": "partly",
        "training_comment": "Nye medlemmer av kriseledelsen har ikke fått opplæring ennå.",
        "followup_current": "yes",
        "followup_comment": "",
        "lessons_learned": "Strømbruddet i industriparken viste at reservestrøm på rådhuset må testes "
        "jevnlig, og at varsling til næringslivet går for sakte.",
        "changes_planned": "Kvartalsvis test av reservestrøm; Mo Industripark inn i varslingslista; "
        "opplæring av nye i kriseledelsen før sommeren.",
        "measures_status": "De fleste tiltakene fra ROS-en er i rute; reservestrøm for sykehjemmene er "
        "forsinket.",
        "cooperation": "God kontakt med 110 Nordland og politiet; beredskapsrådet møttes to ganger.",
        "summary": "Beredskapsarbeidet er i hovedsak i rute. Øvelsen med industriparken og opplæringen av "
        "nye i kriseledelsen prioriteres.",
    },
    "1828": {
        "hros_current": "no",
        "hros_comment": "Helhetlig ROS er fra 2018 og ikke oppdatert i denne valgperioden.",
        "plan_current": "yes",
        "plan_comment": "Revidert med egen del om ferjeberedskap Nesna–Levang.",
        "exercises_current": "partly",
        "exercises_comment": "Ferjebortfall ble øvd som diskusjonsøvelse; ingen fullskalaøvelse.",
        "training_current": "no",
        "training_comment": "Ingen opplæring i år på grunn av vakanser.",
        "followup_current": "partly",
        "followup_comment": "Flere aktiviteter ble utsatt til høsten.",
        "lessons_learned": "Øysamfunnene trenger egne tiltakskort og en reserveplan for ferjebortfall.",
        "changes_planned": "Ny helhetlig ROS med interkommunal bistand; tiltakskort for øyene.",
        "measures_status": "Tiltak for ferjeberedskap er i gang; nødstrøm på Tomma gjenstår.",
        "cooperation": "Samarbeid med Lurøy om øysamfunn og med Nord universitet om kursing.",
        "summary": "Helhetlig ROS må oppdateres først; planen og ferjeberedskapen er i orden.",
    },
    "2421": {
        "hros_current": "yes",
        "hros_comment": "RSA 2023–2026 redovisad i tid.",
        "plan_current": "yes",
        "plan_comment": "Planen för extraordinära händelser fastställd 2023.",
        "exercises_current": "partly",
        "exercises_comment": "Larmövning genomförd; den gemensamma övningen med Rana flyttades.",
        "training_current": "yes",
        "training_comment": "",
        "followup_current": "yes",
        "followup_comment": "",
        "lessons_learned": "Samverkan över gränsen kräver gemensamma talgrupper och en kontaktlista som "
        "hålls aktuell.",
        "changes_planned": "Övnings- och utbildningsplanen för nästa mandatperiod tas fram under året.",
        "measures_status": "Åtgärderna för E12 vid vinterstängning är genomförda.",
        "cooperation": "Goda kontakter med Länsstyrelsen Västerbotten och Rana kommune.",
        "summary": "Krisberedskapen är i stort sett i fas; övnings- och utbildningsplanen är nästa steg.",
    },
}
#: Owners who also get last year's plan (their evaluation then marks its annual-evaluation activity done).
LAST_YEAR_PLANS = tuple(EVALUATIONS)


def _on(fraction_of, today: datetime.date) -> datetime.date:
    """A date between the start of the year and today ("past") or today and the end of it ("future")."""
    side, fraction = fraction_of
    start, end = D(today.year, 1, 1), D(today.year, 12, 31)
    if side == "past":
        return start + datetime.timedelta(days=int((today - start).days * fraction))
    return today + datetime.timedelta(days=max(1, int((end - today).days * fraction)))


def _plan_title(org, year) -> str:
    if org.country == "SE":
        return f"Uppföljningsplan för {org.name} {year}"
    return f"Oppfølgingsplan for {org.name} {year}"


def _goals(org) -> str:
    if org.country == "SE":
        return (
            "Hålla risk- och sårbarhetsanalysen och planen för extraordinära händelser aktuella, öva och "
            "utbilda alla med en roll i krisledningen, och samverka över kommun- och riksgränsen."
        )
    return (
        "Holde helhetlig ROS og beredskapsplanen oppdatert, øve planen minst hvert annet år, gi alle med en "
        "rolle i kriseledelsen opplæring, og samarbeide med nabokommuner og nødetatene."
    )


def load_followup_demo(orgs: dict, users: dict) -> dict:
    """Create what is missing (see the module docstring). Returns counts of what was created."""
    today = timezone.localdate()
    numbers = list(PEOPLE)
    owners = [orgs[n] for n in numbers]
    existing = {
        (p.owner_id, p.year)
        for p in FollowUpPlan.objects.filter(owner_id__in=[o.pk for o in owners]).only("owner_id", "year")
    }
    wanted_plans = [(n, today.year) for n in numbers] + [(n, today.year - 1) for n in LAST_YEAR_PLANS]
    new_plans = [
        FollowUpPlan(
            owner=orgs[n],
            year=year,
            title=_plan_title(orgs[n], year),
            goals=_goals(orgs[n]),
            access_level=G,
            created_by=users[PEOPLE[n][0]],
        )
        for n, year in wanted_plans
        if (orgs[n].pk, year) not in existing
    ]
    if new_plans:
        bulk_create_with_history(new_plans, FollowUpPlan, default_change_reason="")
    submitted = _new_evaluation_owners(orgs, today)
    activities, raci = _activities(orgs, users, new_plans, today, submitted)
    if activities:
        bulk_create_with_history(activities, Activity, default_change_reason="")
        Responsibility.objects.bulk_create(
            Responsibility(activity=activity, role=role, user_id=u, organisation_id=o, name=name)
            for activity, rows in zip(activities, raci, strict=True)
            for role, u, o, name in rows
        )
    evaluations = _evaluations(orgs, users, today)
    return {"plans": len(new_plans), "activities": len(activities), "evaluations": evaluations}


def _submitted_on(today: datetime.date) -> datetime.date:
    """When the demo's evaluations of last year were submitted: 20 January, or today early in January."""
    return min(D(today.year, 1, 20), today)


def _new_evaluation_owners(orgs, today) -> set[int]:
    """Owners whose evaluation of last year the demo is about to create."""
    owners = {orgs[n].pk for n in EVALUATIONS}
    present = set(
        AnnualEvaluation.objects.filter(owner_id__in=list(owners), year=today.year - 1).values_list(
            "owner_id", flat=True
        )
    )
    return owners - present


def _activities(orgs, users, plans, today, submitted):
    """The activities of the new plans (in bulk, not yet saved) and each one's RACI rows. Last year's
    standard activities are done; its annual evaluation on the day the evaluation was submitted."""
    documents = {
        d.pk: d
        for d in GoverningDocument.objects.filter(owner_id__in=[p.owner_id for p in plans]).only(
            "id", "access_level", "exemption_basis"
        )
    }
    coordinator = users["demo-coordinator"]
    result, raci = [], []
    actors = {}
    for plan in plans:
        org = plan.owner
        number = org.municipality_number
        username, accountable, informed, county = PEOPLE[number]
        advisor = users[username]
        if username not in actors:
            actors[username] = actor_for_user(advisor, verified=True)
        county_org = orgs[county].pk
        wanted = wanted_activities(actors[username], plan, today=today)
        for index, item in enumerate(wanted):
            document = documents.get(item.document_id)
            level = plan.access_level
            if document is not None and LEVEL_ORDER.index(document.access_level) > LEVEL_ORDER.index(level):
                level = document.access_level  # the demo's stricter documents are AMBER+STRICT at most
            result.append(
                Activity(
                    plan=plan, owner=org, kind=item.kind, title=item.title[:200],
                    description=item.description, planned_date=item.planned_date, done_on=item.done_on,
                    source_key=item.key, rule_id=item.rule_id, access_level=level, created_by=advisor,
                    status=ActivityStatus.DONE if item.done_on else ActivityStatus.PLANNED,
                )
            )  # fmt: skip
            if plan.year < today.year and item.key.startswith("std:"):
                done_on = item.planned_date
                if item.key == domain.ANNUAL_EVALUATION_KEY and org.pk in submitted:
                    done_on = _submitted_on(today)
                result[-1].status, result[-1].done_on, result[-1].edited = ActivityStatus.DONE, done_on, True
            rows = [("R", advisor.pk, None, ""), ("I", None, None, informed)]
            if index % 4 != 3:  # a few without anyone accountable, so the matrix shows its gaps
                rows.append(("A", None, None, accountable))
            if item.kind in (domain.Kind.EXERCISE, domain.Kind.REVISION):
                rows.append(("C", None, county_org, ""))
            if item.kind == domain.Kind.ANNUAL_EVALUATION:
                rows.append(("C", coordinator.pk, None, ""))
            raci.append(rows)
        if plan.year != today.year:
            continue
        own = OWN_SE if org.country == "SE" else OWN_NO
        for kind, title, description, when, state, partner in own:
            planned = _on(when, today)
            activity = Activity(
                plan=plan, owner=org, kind=kind, title=title, description=description, planned_date=planned,
                access_level=plan.access_level, created_by=advisor, edited=True,
                recurrence_months=12 if kind == domain.Kind.TRAINING else 0,
            )  # fmt: skip
            if state == "done":
                activity.status, activity.done_on = ActivityStatus.DONE, min(planned, today)
            elif state == "postponed":
                later = min(planned + datetime.timedelta(days=60), D(today.year, 12, 31))
                activity.status, activity.postponed_from = ActivityStatus.POSTPONED, planned
                activity.planned_date = later if later > planned else planned + datetime.timedelta(days=60)
                activity.postpone_reason = POSTPONE_REASON[org.country]
            result.append(activity)
            rows = [("R", advisor.pk, None, ""), ("A", None, None, accountable), ("I", None, None, informed)]
            if partner:
                rows.append(("C", None, orgs[partner].pk, ""))
            if kind == domain.Kind.COOPERATION:
                rows.append(("I", coordinator.pk, None, ""))
            raci.append(rows)
    return result, raci


def _evaluations(orgs, users, today) -> int:
    year = today.year - 1
    new = []
    for owner_id in _new_evaluation_owners(orgs, today):
        number = next(n for n in EVALUATIONS if orgs[n].pk == owner_id)
        advisor = users[PEOPLE[number][0]]
        new.append(
            AnnualEvaluation(
                owner=orgs[number], year=year, access_level=G, status=AnnualEvaluation.Status.SUBMITTED,
                submitted_on=_submitted_on(today), submitted_by=advisor, created_by=advisor,
                **EVALUATIONS[number],
            )
        )  # fmt: skip
    if new:
        bulk_create_with_history(new, AnnualEvaluation, default_change_reason="")
    return len(new)
