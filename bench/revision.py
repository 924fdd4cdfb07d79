"""Rule-driven revision system at national scale: 650 municipalities × 20 rules × 10 years of due items.

One national region with 650 municipalities, each with a register of nine governing documents (required and
optional types, adopted and revised at spread-out dates, a few missing, at GREEN, AMBER shared with the host
or AMBER+STRICT). Twenty rules apply to each: the three of forskrift om kommunal beredskapsplikt (plan revised
yearly, exercised every second year, HROS once per election period) and seventeen of a regional rule set
(yearly revision of the other document types, exercises every second year, half-yearly alert-list checks,
yearly training and evaluation). The bench user is the regional coordinator of the host municipality.

Measured:
* derive_due_items_s: `plans.due.refresh_due_items` over a ten-year window from an empty table (every
  item inserted), then again with nothing changed (rederive_due_items_s: must write nothing);
* over HTTP against uvicorn with 2 workers, side by side with /healthz as the baseline: the region overview
  (first page of 50 municipalities, plan column and due counts over the whole region) and the regional status
  survey (/plans/regions/<id>/status/); query counts of both in-process.
Checked against a straightforward reference: the number of overdue items per organisation for the
every-N-months rules (anchor + N months before today, or never done), recomputed from the generated data
without plans.domain, and the overview's overdue total.

Run: .venv/bin/python bench/revision.py   (DATABASE_URL=postgresql://... for PostgreSQL)
"""

from __future__ import annotations

import calendar
import os
import random
import sys
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Harness, Target, check, progress, run, timed

MUNICIPALITIES = int(os.environ.get("BENCH_MUNICIPALITIES", "650"))
YEARS = 10
BATCH = 2_000

USERNAME = "bench-coordinator"
PASSWORD = "bench-samvirke-2026-revision"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test key (hex)

WARMUP = int(os.environ.get("BENCH_WARMUP", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
TARGETS = {"derive_due_items_s": "<= 2", "overview_p95_ms": "<= 150", "status_survey_p95_ms": "<= 150"}

#: document type code -> (probability the municipality has it, access level weights GREEN/AMBER/STRICT)
REGISTER = {
    "hros": 0.95,
    "overordnet-beredskapsplan": 0.97,
    "kontinuitetsplan": 0.7,
    "sektorplan": 0.8,
    "krisekommunikasjon": 0.75,
    "ikt-sikkerhet": 0.6,
    "evakueringsplan": 0.65,
    "samfunnsplan": 0.9,
    "arealplan": 0.9,
}
#: The regional rule set: (code, activity, document type or None, months)
LOCAL_RULES = [
    *[(f"revision-{code}", "revision", code, 12) for code in
      ("kontinuitetsplan", "sektorplan", "krisekommunikasjon", "ikt-sikkerhet", "evakueringsplan",
       "samfunnsplan", "arealplan", "hros")],
    *[(f"exercise-{code}", "exercise", code, 24) for code in
      ("kontinuitetsplan", "krisekommunikasjon", "evakueringsplan", "ikt-sikkerhet")],
    ("alert-list-check", "revision", "overordnet-beredskapsplan", 6),
    ("resource-check", "revision", "overordnet-beredskapsplan", 6),
    ("training", "training", None, 12),
    ("evaluation", "evaluation", None, 12),
    ("council-briefing", "evaluation", None, 12),
]  # fmt: skip


def add_months(day: date, months: int) -> date:
    """Written out again here (not plans.domain.add_months), for the reference check."""
    total = day.year * 12 + day.month - 1 + months
    year, month = total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def build(rng: random.Random, today: date) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samvirke.core.access import AccessLevel, Role
    from samvirke.organisations.models import Membership, Organisation, Region
    from samvirke.plans.defaults import load_defaults
    from samvirke.plans.models import GoverningDocument, Rule, RuleSet

    with transaction.atomic():
        types = load_defaults()
        region = Region.objects.create(name="Norge – nasjonalt samvirke", slug="nasjonalt")
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    region=region,
                    kind=Organisation.Kind.MUNICIPALITY,
                    name=f"Kommune {i:03d}",
                    short_name=f"K{i:03d}",
                    municipality_number=f"{3000 + i:04d}",
                    country="NO",
                    population=1000 + i,
                )
                for i in range(MUNICIPALITIES)
            ],
            batch_size=BATCH,
        )
        host = orgs[0]
        region.host = host
        region.save()
        user = get_user_model().objects.create(
            username=USERNAME, password=make_password(PASSWORD), first_name="Regine", last_name="Koordinator"
        )
        Membership.objects.create(user=user, organisation=host, role=Role.REGIONAL_COORDINATOR)
        TOTPDevice.objects.create(user=user, name="Bench", key=TOTP_KEY, confirmed=True)

        local = RuleSet.objects.create(
            code="bench-local", name="Regionale rutiner", country="NO", region=region
        )
        local_rules = []
        for code, activity, type_code, months in LOCAL_RULES:
            rule = Rule(
                rule_set=local, code=code, title=code, activity=activity, cadence="months", months=months,
                document_type=types[type_code] if type_code else None, reminder_offsets=[30, 0],
                escalate_after_days=30, effective_from=date(2015, 1, 1),
            )  # fmt: skip
            rule.full_clean()
            local_rules.append(rule)
        Rule.objects.bulk_create(local_rules)

        levels = [AccessLevel.GREEN, AccessLevel.AMBER, AccessLevel.AMBER_STRICT]
        documents, shared, facts = [], [], []
        for org in orgs:
            for code, probability in REGISTER.items():
                if rng.random() > probability:
                    continue
                adopted = date(rng.randint(2012, today.year - 1), rng.randint(1, 12), rng.randint(1, 28))
                revised = None
                if rng.random() < 0.7:
                    revised = add_months(adopted, rng.randint(1, 120))
                    revised = None if revised > today else revised
                exercised = add_months(today, -rng.randint(1, 40)) if rng.random() < 0.8 else None
                level = rng.choices(levels, [70, 20, 10])[0]
                documents.append(
                    GoverningDocument(
                        owner=org, document_type=types[code], title=f"{code} {org.short_name}",
                        status="adopted", adopted_on=adopted, last_revised_on=revised,
                        last_exercised_on=exercised, access_level=level,
                        exemption_basis="" if level == AccessLevel.GREEN else "offl. § 24 tredje ledd",
                    )
                )  # fmt: skip
                facts.append((org.pk, code, adopted, revised, exercised))
        GoverningDocument.objects.bulk_create(documents, batch_size=BATCH)
        through = GoverningDocument.shared_with.through
        for doc in documents:
            if doc.access_level == AccessLevel.AMBER and rng.random() < 0.5:
                shared.append(through(governingdocument_id=doc.pk, organisation_id=host.pk))
        through.objects.bulk_create(shared, batch_size=BATCH)
    rules = list(Rule.objects.filter(rule_set__country__in=["NO", "both"]).select_related("document_type"))
    return {
        "region": region,
        "host": host,
        "rules": rules,
        "facts": facts,
        "size": {
            "municipalities": MUNICIPALITIES,
            "rules": len(rules),
            "documents": len(documents),
            "years": YEARS,
        },
    }


def reference_overdue(info: dict, today: date) -> Counter:
    """Overdue items per organisation for the every-N-months rules, computed plainly from the data set."""
    from samvirke.plans.models import DocumentType

    required = {t.code for t in DocumentType.objects.all() if t.is_required_in("NO")}
    from samvirke.organisations.models import Organisation

    by_org_type: dict = {}
    for org_id, code, adopted, revised, exercised in info["facts"]:
        by_org_type.setdefault((org_id, code), []).append((adopted, revised, exercised))
    org_ids = set(Organisation.objects.filter(region=info["region"]).values_list("pk", flat=True))
    overdue: Counter = Counter()
    for rule in info["rules"]:
        if rule.cadence != "months":
            continue
        for org_id in org_ids:
            if rule.document_type is None:
                subjects = [None]  # never done: owed since the rule took effect
            else:
                docs = by_org_type.get((org_id, rule.document_type.code), [])
                if not docs and rule.document_type.code not in required:
                    continue
                subjects = [
                    exercised if rule.activity == "exercise" else max(d for d in (adopted, revised) if d)
                    for adopted, revised, exercised in docs
                ] or [None]
            for last in subjects:
                due = rule.effective_from
                if last is not None:
                    due = max(add_months(last, rule.months), rule.effective_from)
                if due < today:
                    overdue[org_id] += 1
    return overdue


def body(h: Harness):
    from django.db.models import Count
    from django.utils import timezone

    from samvirke.plans.domain import State
    from samvirke.plans.due import refresh_due_items
    from samvirke.plans.models import DueItem

    rng = random.Random(20261126)
    today = timezone.localdate()
    start, end = date(today.year, 1, 1), date(today.year + YEARS - 1, 12, 31)
    metrics: dict = {}
    with timed("build data set", metrics, "build_s"):
        info = build(rng, today)
    progress(f"size: {info['size']}")
    h.settle()

    with timed("derive due items (empty table)", metrics, "derive_due_items_s"):
        first = refresh_due_items(start=start, end=end, today=today)
    progress(f"  {first}")
    with timed("derive due items again (nothing changed)", metrics, "rederive_due_items_s"):
        second = refresh_due_items(start=start, end=end, today=today)
    progress(f"  {second}")
    check(
        first["created"] == first["items"] == DueItem.objects.count(), f"not every item was stored: {first}"
    )
    check(
        (second["created"], second["updated"], second["deleted"]) == (0, 0, 0),
        f"deriving again with nothing changed wrote something: {second}",
    )
    expected = reference_overdue(info, today)
    actual = Counter(
        dict(
            DueItem.objects.filter(state=State.OVERDUE, rule__cadence="months")
            .values_list("organisation_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    differing = {org for org in set(actual) | set(expected) if actual[org] != expected[org]}
    check(not differing, f"overdue items differ from the reference in {len(differing)} organisations")
    progress(f"reference: {sum(expected.values())} overdue items (every-N-months rules) agree")
    # The overview's region totals are counted in SQL; at this size they must still equal the sums of the
    # per-municipality verdicts (plans.domain.document_state), computed here for every municipality.
    from django.contrib.auth import get_user_model

    from samvirke.core.access import actor_for_user
    from samvirke.plans.selectors import plan_picture

    coordinator = actor_for_user(get_user_model().objects.get(username=USERNAME), verified=True)
    picture = plan_picture(coordinator, info["region"], today=today)
    for key in ("missing", "outdated", "overdue"):
        summed = sum(counts[key] for counts in picture["by_owner"].values())
        total = picture[f"{key}_total"]
        check(total == summed, f"overview {key} total {total} != the sum of the verdicts {summed}")
    progress(
        "overview totals agree with the per-municipality verdicts: "
        f"{picture['missing_total']} missing, {picture['outdated_total']} outdated, "
        f"{picture['overdue_total']} overdue"
    )
    h.settle()

    h.start_server()
    browser = h.sign_in(USERNAME, PASSWORD, TOTP_KEY)
    anonymous = h.client()
    region = info["region"]
    status_url = f"/plans/regions/{region.pk}/status/"

    def check_overview(response):
        check("/plans/organisations/" in response.text, "the overview has no plan column")
        check(
            response.text.count('<th scope="row">') == 50,
            "the overview's first page is not 50 municipalities",
        )

    def check_status(response):
        rows = response.text.count('<th scope="row">')
        check(rows == 50, f"the regional status lists {rows} municipalities on its first page")

    progress("query counts (in-process)")
    cookies = h.session_cookies(browser)
    overview_queries = h.count_queries("/overview/", cookies=cookies)
    status_queries = h.count_queries(status_url, cookies=cookies)
    results = h.measure(
        {
            "baseline": Target(anonymous, "/healthz"),
            "overview": Target(browser, "/overview/", check=check_overview),
            "status_survey": Target(browser, status_url, check=check_status),
        },
        warmup=WARMUP,
        rounds=ROUNDS,
    )
    base = results["baseline"]["p95_ms"]
    metrics.update(
        due_items=first["items"],
        overview_p95_ms=results["overview"]["p95_ms"],
        overview_p50_ms=results["overview"]["p50_ms"],
        status_survey_p95_ms=results["status_survey"]["p95_ms"],
        status_survey_p50_ms=results["status_survey"]["p50_ms"],
        baseline_p95_ms=base,
        overview_ratio=round(results["overview"]["p95_ms"] / base, 1),
        status_survey_ratio=round(results["status_survey"]["p95_ms"] / base, 1),
        overview_queries=overview_queries,
        status_survey_queries=status_queries,
    )
    size = {**info["size"], "due_items": first["items"], "database": h.engine, "workers": h.workers}
    return size, metrics, TARGETS


if __name__ == "__main__":
    run("revision", body)
