"""Regional risk picture at the size of a large cooperation: 50 municipalities × 80 analysed events.

One region with 50 municipalities. Each has one helhetlig ROS (HROS) with 80 analysed events (two or
three consequence types assessed each, a few not yet assessed) and 25 measures, at a realistic mix of
access levels (GREEN, AMBER shared or not with the bench user's municipality, AMBER+STRICT, RED with named
people), with history: every analysis, event and measure has its first version in the history tables
(django-simple-history's bulk_create_with_history, by the municipality's advisor) and a quarter of the
events a second, revised version. The bench user is the regional coordinator of the host municipality.

Measured over HTTP against uvicorn with 2 workers, side by side with /healthz as the baseline: the regional
matrix (GET /risk/regional/, counted in SQL), the same after measures, the host's analysis page with its
80 events, and the DOCX and PDF reports of that analysis (risk:report_docx / risk:report_pdf; skipped with
a note if those routes do not exist). Query counts of the regional matrix and the analysis page are
counted in-process. The regional matrix's cell counts and the analysis page's events are checked against
a straightforward Python implementation of the sharing rules over the generated data.

Run: .venv/bin/python bench/risk.py   (DATABASE_URL=postgresql://... for PostgreSQL)
"""

from __future__ import annotations

import os
import random
import re
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Harness, Target, check, progress, run, timed

MUNICIPALITIES = int(os.environ.get("BENCH_MUNICIPALITIES", "50"))  # the size: 50 × 80
EVENTS_PER_ANALYSIS = int(os.environ.get("BENCH_EVENTS", "80"))
MEASURES_PER_ANALYSIS = 25
BATCH = 1_000

USERNAME = "bench-coordinator"
PASSWORD = "bench-samvirke-2026-risk"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test key (hex)

WARMUP = int(os.environ.get("BENCH_WARMUP", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
REPORT_ROUNDS = int(os.environ.get("BENCH_REPORT_ROUNDS", "3"))
REPORT_TIMEOUT_S = int(os.environ.get("BENCH_REPORT_TIMEOUT", "300"))
TARGETS = {
    "regional_matrix_p95_ms": "<= 150",
    "analysis_page_p95_ms": "<= 150",
    "report_docx_s": "<= 5",
    "report_pdf_s": "<= 5",
}

PLACES = [
    "Nordvik", "Sørdal", "Østberg", "Vestøy", "Storsand", "Lilleheim", "Nystrand", "Indrenes", "Ytreland",
    "Midtbygd", "Øvreelv", "Nedreskog", "Gamlehaug",
]  # fmt: skip
SCENARIO = (
    "Scenarioet beskriver en hendelse som rammer kommunen i en periode med høy belastning. "
    "Kritiske funksjoner må opprettholdes, og kommunen må samarbeide med nabokommuner og etater. "
)


def build(rng: random.Random) -> dict:
    """Create the data set (bulk inserts with history rows); return what the checks need to know."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from samvirke.core.access import AccessLevel, Role
    from samvirke.organisations.models import Membership, Organisation, Region
    from samvirke.risk import domain
    from samvirke.risk.defaults import load_defaults
    from samvirke.risk.models import (
        AnalysedEvent,
        ConsequenceAssessment,
        ConsequenceType,
        CriticalFunction,
        EventType,
        Measure,
        Requirement,
        RiskAnalysis,
    )

    user_model = get_user_model()
    basis = "offl. § 24 tredje ledd"
    with transaction.atomic():
        scale_set = load_defaults()["dsb-2014-kommune"]
        likelihoods = list(scale_set.likelihood_classes.order_by("position"))
        types = list(ConsequenceType.objects.filter(scale_set=scale_set).prefetch_related("levels"))
        levels = {t.pk: {lv.position: lv for lv in t.levels.all()} for t in types}
        cells = domain.band_map({b.colour: b.cells for b in scale_set.acceptance_bands.all()})
        event_types = list(EventType.objects.filter(region__isnull=True))
        functions = list(CriticalFunction.objects.all())
        requirements = list(Requirement.objects.filter(country="NO"))

        region = Region.objects.create(name="Bench – regionalt risikobilde", slug="bench-risk")
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    region=region,
                    kind=Organisation.Kind.MUNICIPALITY,
                    name=f"{PLACES[i % len(PLACES)]} {i:02d} kommune",
                    short_name=f"{PLACES[i % len(PLACES)]} {i:02d}",
                    municipality_number=f"{3000 + i:04d}",
                    country="NO",
                    language="nb",
                    population=1000 + 137 * i,
                )
                for i in range(MUNICIPALITIES)
            ]
        )
        host = orgs[0]
        region.host = host
        region.save()
        password = make_password(PASSWORD)
        advisors = user_model.objects.bulk_create(
            [
                user_model(username=f"advisor{i:02d}", first_name="Rådgiver", last_name=f"{i:02d}",
                           password=password, language="nb")
                for i in range(MUNICIPALITIES)
            ]
        )  # fmt: skip
        bench_user = user_model.objects.create(
            username=USERNAME, first_name="Regine", last_name="Koordinator", password=password, language="nb"
        )
        Membership.objects.bulk_create(
            [
                Membership(user=advisor, organisation=org, role=Role.PREPAREDNESS_ADVISOR)
                for advisor, org in zip(advisors, orgs, strict=True)
            ]
            + [Membership(user=bench_user, organisation=host, role=Role.REGIONAL_COORDINATOR)]
        )
        TOTPDevice.objects.create(user=bench_user, name="Bench", key=TOTP_KEY, confirmed=True)
        people = [*advisors, bench_user]

        # What the reference implementation needs: per analysis (level, owner, shared, named) and per
        # event (analysis, level, owner, shared, named, likelihood position, consequence position).
        analysis_rows: dict[int, tuple] = {}
        event_rows: dict[int, tuple] = {}
        counts = Counter()
        for index, (org, advisor) in enumerate(zip(orgs, advisors, strict=True)):
            roll = rng.random()
            if org is host:
                level = AccessLevel.GREEN
            else:
                level = (
                    AccessLevel.GREEN if roll < 0.6
                    else AccessLevel.AMBER if roll < 0.85
                    else AccessLevel.AMBER_STRICT if roll < 0.95
                    else AccessLevel.CLEAR
                )  # fmt: skip
            shared = {host.pk} if level == AccessLevel.AMBER and rng.random() < 0.5 else set()
            if level == AccessLevel.AMBER:
                shared |= {o.pk for o in rng.sample(orgs[1:], 2)}
            (analysis,) = bulk_create_with_history(
                [
                    RiskAnalysis(
                        owner=org, title=f"Helhetlig ROS {org.name} 2025", kind=RiskAnalysis.Kind.HROS,
                        status=RiskAnalysis.Status.ADOPTED, adopted_on=date(2025, 6, 1),
                        adopted_by="Kommunestyret", case_number=f"25/{index:05d}", scale_set=scale_set,
                        scope=f"Hele {org.name}.", method="DSBs veileder for helhetlig ROS.",
                        period_start=date(2025, 1, 1), period_end=date(2028, 12, 31),
                        access_level=level, exemption_basis="" if level == AccessLevel.CLEAR else basis,
                        body=SCENARIO * 3, created_by=advisor,
                    )
                ],
                RiskAnalysis,
                default_user=advisor,
                default_change_reason="Opprettet",
            )  # fmt: skip
            analysis.shared_with.set(shared)
            analysis.covered_requirements.set(rng.sample(requirements, 4))
            analysis_rows[analysis.pk] = (level, org.pk, shared, set())

            events, specs = [], []
            for i in range(EVENTS_PER_ANALYSIS):
                roll = rng.random()
                event_level = (
                    level if roll < 0.7
                    else AccessLevel.GREEN if roll < 0.8
                    else AccessLevel.AMBER if roll < 0.9
                    else AccessLevel.AMBER_STRICT if roll < 0.96
                    else AccessLevel.RED
                )  # fmt: skip
                event_shared = set(shared) if event_level == AccessLevel.AMBER else set()
                named = set()
                if event_level == AccessLevel.RED:
                    named = {u.pk for u in rng.sample(people, 2)} | {advisor.pk}
                event_type = rng.choice(event_types)
                assessed = rng.random() > 0.03
                likelihood = rng.choice(likelihoods) if assessed else None
                chosen_types = rng.sample(types, rng.randint(2, 3)) if assessed else []
                chosen = [(t, levels[t.pk][rng.randint(1, 5)]) for t in chosen_types]
                consequence = domain.combined_consequence(lv.position for _t, lv in chosen)
                cross_municipal = rng.random() < 0.3
                both = likelihood is not None and consequence is not None
                events.append(
                    AnalysedEvent(
                        analysis=analysis, owner=org, title=f"{event_type.name} – {org.short_name} #{i}",
                        event_type=event_type, scenario=SCENARIO * 2, causes="Vær, teknisk svikt.",
                        barriers="Beredskapsplan, varsling.", likelihood=likelihood,
                        likelihood_reasoning="Historiske hendelser og vurderinger." if assessed else "",
                        vulnerability="Sårbar for bortfall av strøm og ekom.",
                        knowledge_strength=rng.choice(["strong", "medium", "weak"]),
                        sources="NVE; DSB; kommunens egne erfaringer.",
                        cross_municipal=cross_municipal, cross_border=cross_municipal and rng.random() < 0.2,
                        likelihood_position=likelihood.position if likelihood else None,
                        consequence_position=consequence,
                        risk_score=likelihood.position * consequence if both else None,
                        risk_colour=cells[(likelihood.position, consequence)] if both else "",
                        access_level=event_level,
                        exemption_basis="" if event_level == AccessLevel.CLEAR else basis,
                        created_by=advisor,
                    )
                )  # fmt: skip
                specs.append((chosen, event_shared, named))
            events = bulk_create_with_history(
                events,
                AnalysedEvent,
                batch_size=BATCH,
                default_user=advisor,
                default_change_reason="Opprettet",
            )
            assessments, shared_links, named_links, affected_links, function_links = [], [], [], [], []
            for event, (chosen, event_shared, named) in zip(events, specs, strict=True):
                assessments += [
                    ConsequenceAssessment(
                        event=event, consequence_type=t, level=lv, reasoning="Vurdert i møte."
                    )
                    for t, lv in chosen
                ]
                shared_links += [
                    AnalysedEvent.shared_with.through(analysedevent_id=event.pk, organisation_id=o)
                    for o in event_shared
                ]
                named_links += [
                    AnalysedEvent.named_people.through(analysedevent_id=event.pk, user_id=u) for u in named
                ]
                if event.cross_municipal:
                    affected_links += [
                        AnalysedEvent.affected_municipalities.through(
                            analysedevent_id=event.pk, organisation_id=o.pk
                        )
                        for o in rng.sample(orgs, 2)
                    ]
                function_links += [
                    AnalysedEvent.critical_functions.through(
                        analysedevent_id=event.pk, criticalfunction_id=f.pk
                    )
                    for f in rng.sample(functions, 2)
                ]
                event_rows[event.pk] = (
                    analysis.pk, event.access_level, org.pk, event_shared, named,
                    event.likelihood_position, event.consequence_position,
                )  # fmt: skip
            ConsequenceAssessment.objects.bulk_create(assessments, batch_size=BATCH)
            for links in (shared_links, named_links, affected_links, function_links):
                if links:
                    type(links[0]).objects.bulk_create(links, batch_size=BATCH)
            # A second version of every fourth event: a revised reasoning, kept in the history.
            revised = events[::4]
            for event in revised:
                event.likelihood_reasoning += " Revidert etter øvelse."
                event.version = 2
            bulk_update_with_history(
                revised, AnalysedEvent, ["likelihood_reasoning", "version"], batch_size=BATCH,
                default_user=advisor, default_change_reason="Revidert",
            )  # fmt: skip

            today = date.today()
            measures = bulk_create_with_history(
                [
                    Measure(
                        analysis=analysis, owner=org, title=f"Tiltak {m} for {org.short_name}",
                        description="Tiltaket reduserer sannsynlighet eller konsekvens.",
                        responsible="Beredskapskoordinator",
                        deadline=today + timedelta(days=rng.randint(-700, 700)),
                        status=rng.choice(["planned", "planned", "in_progress", "done", "cancelled"]),
                        likelihood_reduction=rng.randint(0, 2), consequence_reduction=rng.randint(0, 1),
                        access_level=level, exemption_basis="" if level == AccessLevel.CLEAR else basis,
                        created_by=advisor,
                    )
                    for m in range(MEASURES_PER_ANALYSIS)
                ],
                Measure,
                default_user=advisor,
                default_change_reason="Opprettet",
            )  # fmt: skip
            Measure.shared_with.through.objects.bulk_create(
                [
                    Measure.shared_with.through(measure_id=m.pk, organisation_id=o)
                    for m in measures
                    for o in shared
                ]
            )
            Measure.events.through.objects.bulk_create(
                [
                    Measure.events.through(measure_id=m.pk, analysedevent_id=e.pk)
                    for m in measures
                    for e in rng.sample(events, rng.randint(1, 2))
                ]
            )
            counts.update(events=len(events), measures=len(measures), assessments=len(assessments))
            if org is host:
                host_analysis = analysis
    return {
        "region": region,
        "host": host,
        "bench_user": bench_user,
        "host_analysis": host_analysis,
        "analyses": analysis_rows,
        "events": event_rows,
        "size": {
            "municipalities": MUNICIPALITIES,
            "analyses": len(analysis_rows),
            "events": counts["events"],
            "events_per_analysis": EVENTS_PER_ANALYSIS,
            "consequence_assessments": counts["assessments"],
            "measures": counts["measures"],
        },
    }


def _visible(level, owner_id, shared, named, info) -> bool:
    """The sharing rules written out plainly for the bench user (coordinator of the host only)."""
    from samvirke.core.access import AccessLevel

    host = info["host"].pk
    return (
        level in (AccessLevel.CLEAR, AccessLevel.GREEN)  # one region: GREEN is every member's
        or (level in (AccessLevel.AMBER, AccessLevel.AMBER_STRICT) and owner_id == host)
        or (level == AccessLevel.AMBER and host in shared)
        or (level == AccessLevel.RED and info["bench_user"].pk in named)
    )


def reference_events(info) -> dict[int, tuple]:
    """Events the bench user may read: the event visible AND its analysis visible."""
    visible_analyses = {pk for pk, (lv, owner, shared, named) in info["analyses"].items()
                        if _visible(lv, owner, shared, named, info)}  # fmt: skip
    return {
        pk: row
        for pk, row in info["events"].items()
        if row[0] in visible_analyses and _visible(row[1], row[2], row[3], row[4], info)
    }


def measure_report(client, name: str, path: str, magic: bytes) -> float:
    """Seconds for one report over HTTP: one warm-up, then REPORT_ROUNDS rounds; the slowest counts. A
    report slower than REPORT_TIMEOUT_S counts as that many seconds (a lower bound) and is not repeated."""
    import httpx

    seconds = []
    for round_no in range(1 + REPORT_ROUNDS):
        start = time.perf_counter()
        try:
            response = client.get(path, timeout=REPORT_TIMEOUT_S)
        except httpx.TimeoutException:
            progress(
                f"  report_{name}: no answer within {REPORT_TIMEOUT_S} s; counted as {REPORT_TIMEOUT_S} s"
            )
            return float(REPORT_TIMEOUT_S)
        elapsed = time.perf_counter() - start
        check(response.status_code == 200, f"GET {path} answered {response.status_code}")
        check(response.content.startswith(magic), f"GET {path} is not a {name.upper()} file")
        if round_no:
            seconds.append(elapsed)
        elif elapsed > 4 * REPORT_TIMEOUT_S / (1 + REPORT_ROUNDS):
            seconds.append(elapsed)  # too slow to repeat: the warm-up round is the measurement
            break
    progress(
        f"  report_{name}: {', '.join(f'{s:.2f}' for s in seconds)} s ({len(response.content) // 1024} KB)"
    )
    return round(max(seconds), 2)


CELL_LINK = re.compile(
    r'class="ds-link" href="\?[^"]*likelihood=(\d)&amp;consequence=(\d)#events"[^>]*>(\d+)\D'
)


def body(h: Harness):
    from django.urls import NoReverseMatch, reverse

    rng = random.Random(20260301)
    metrics: dict = {}
    with timed("build data set", metrics, "build_s"):
        info = build(rng)
    progress(f"size: {info['size']}")
    h.settle()

    visible = reference_events(info)
    expected_cells = Counter((row[5], row[6]) for row in visible.values() if row[5] and row[6])
    analysis = info["host_analysis"]
    expected_host_events = {pk for pk, row in visible.items() if row[0] == analysis.pk}
    progress(
        f"reference: {len(visible)} events visible to the coordinator, {sum(expected_cells.values())} "
        f"assessed; {len(expected_host_events)} in the host's analysis"
    )
    region_path = f"/risk/regional/?region={info['region'].pk}"
    analysis_path = f"/risk/{analysis.pk}/"
    reports = {}
    for name, magic in (("docx", b"PK"), ("pdf", b"%PDF")):
        try:
            reports[name] = (reverse(f"risk:report_{name}", kwargs={"analysis_id": analysis.pk}), magic)
        except NoReverseMatch:
            progress(f"risk:report_{name} does not exist (yet): report_{name}_s is not measured")

    h.start_server()
    browser = h.sign_in(USERNAME, PASSWORD, TOTP_KEY)
    anonymous = h.client()

    def check_regional(response):
        cells = {(int(lk), int(cq)): int(n) for lk, cq, n in CELL_LINK.findall(response.text)}
        check(
            cells == dict(expected_cells),
            f"regional matrix cells differ from the reference implementation's: {cells} vs "
            f"{dict(expected_cells)}",
        )

    def check_analysis(response):
        shown = {int(pk) for pk in re.findall(rf"/risk/{analysis.pk}/events/(\d+)/", response.text)}
        check(
            shown == expected_host_events,
            f"the analysis page lists {len(shown)} events, the reference {len(expected_host_events)}",
        )

    progress("query counts (in-process)")
    cookies = h.session_cookies(browser)
    regional_queries = h.count_queries(region_path, cookies=cookies)
    analysis_queries = h.count_queries(analysis_path, cookies=cookies)

    results = h.measure(
        {
            "baseline": Target(anonymous, "/healthz"),
            "regional_matrix": Target(browser, region_path, check=check_regional),
            "regional_matrix_after": Target(browser, region_path + "&measures=after"),
            "analysis_page": Target(browser, analysis_path, check=check_analysis),
        },
        warmup=WARMUP,
        rounds=ROUNDS,
    )
    base = results["baseline"]["p95_ms"]
    metrics.update(
        regional_matrix_p95_ms=results["regional_matrix"]["p95_ms"],
        regional_matrix_p50_ms=results["regional_matrix"]["p50_ms"],
        regional_matrix_after_p95_ms=results["regional_matrix_after"]["p95_ms"],
        analysis_page_p95_ms=results["analysis_page"]["p95_ms"],
        analysis_page_p50_ms=results["analysis_page"]["p50_ms"],
        baseline_p95_ms=base,
        baseline_p50_ms=results["baseline"]["p50_ms"],
        regional_matrix_ratio=round(results["regional_matrix"]["p95_ms"] / base, 1),
        analysis_page_ratio=round(results["analysis_page"]["p95_ms"] / base, 1),
        regional_matrix_queries=regional_queries,
        analysis_page_queries=analysis_queries,
    )

    targets = dict(TARGETS)
    for name in ("docx", "pdf"):
        if name not in reports:
            targets.pop(f"report_{name}_s")
            continue
        path, magic = reports[name]
        metrics[f"report_{name}_s"] = measure_report(browser, name, path, magic)
    size = {**info["size"], "visible_events": len(visible), "database": h.engine, "workers": h.workers}
    return size, metrics, targets


if __name__ == "__main__":
    run("risk", body)
