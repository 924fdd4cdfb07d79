"""Region overview and notice API at national scale.

One national region with 650 organisations (356 municipalities, 240 partners, 54 groups), 20,000
people with memberships and 100,000 notices over all five access levels, with AMBER sharing rows and
RED named people. The bench user is the regional coordinator of the host municipality.

Measured over HTTP against uvicorn with 2 workers: GET /overview/ (signed in with password + one-time
code) and GET /api/v1/notices?page=1 (personal API token), side by side with /healthz as the baseline;
query counts of both in-process. The API's answer (count and first page) is checked against a
straightforward Python implementation of the sharing rules over the generated data.

Run: .venv/bin/python bench/overview.py   (DATABASE_URL=postgresql://... for PostgreSQL)
"""

from __future__ import annotations

import os
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Harness, Target, check, progress, run, timed

SCALE = float(os.environ.get("BENCH_SCALE", "1"))  # only for trying the script out; the issue's size is 1
MUNICIPALITIES = 356
PARTNERS = 240
GROUPS = 54
PEOPLE = int(20_000 * SCALE)
NOTICES = int(100_000 * SCALE)
BATCH = 2_000
PAGE_SIZE = 50  # NINJA_PAGINATION_PER_PAGE

USERNAME = "bench-coordinator"
PASSWORD = "bench-samvirke-2026-overview"
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238 test key (hex)

WARMUP = int(os.environ.get("BENCH_WARMUP", "15"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
TARGETS = {"overview_p95_ms": "<= 150", "api_list_p95_ms": "<= 150"}

FIRST = [
    "Anne",
    "Bjørn",
    "Camilla",
    "Dag",
    "Eva",
    "Frode",
    "Guro",
    "Håkon",
    "Ingrid",
    "Jon",
    "Kari",
    "Lars",
    "Marit",
    "Nils",
    "Ola",
    "Per",
    "Randi",
    "Siri",
    "Tor",
    "Unni",
    "Vidar",
    "Åse",
    "Øystein",
    "Linnea",
]
LAST = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
]
STEMS = [
    "Nord",
    "Sør",
    "Øst",
    "Vest",
    "Øvre",
    "Nedre",
    "Stor",
    "Lille",
    "Ny",
    "Gamle",
    "Indre",
    "Ytre",
    "Midt",
]
ENDS = [
    "fjord",
    "dal",
    "vik",
    "berg",
    "øy",
    "sand",
    "heim",
    "strand",
    "nes",
    "land",
    "bygd",
    "elv",
    "skog",
    "haug",
    "vang",
    "set",
    "stad",
    "rud",
    "mo",
    "bø",
    "li",
    "holm",
    "ås",
    "voll",
    "eid",
    "våg",
    "tun",
]
TOPICS = [
    "flomvarsel",
    "strømbrudd",
    "øvelse",
    "beredskapsmøte",
    "skogbrann",
    "ras",
    "drikkevann",
    "evakuering",
    "IKT-hendelse",
    "ekstremvær",
    "pandemiplan",
    "samband",
    "kriseledelse",
]


def build(rng: random.Random) -> dict:
    """Create the data set with bulk_create; return what the checks need to know about it."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samvirke.core.access import AccessLevel, Role
    from samvirke.notices.models import Notice
    from samvirke.organisations.models import Membership, Organisation, Region

    user_model = get_user_model()
    info: dict = {}
    with transaction.atomic():
        region = Region.objects.create(name="Norge – nasjonalt samvirke", slug="nasjonalt")
        orgs = []
        for i in range(MUNICIPALITIES):
            place = f"{STEMS[i % len(STEMS)]}{ENDS[(i // len(STEMS)) % len(ENDS)]}"
            orgs.append(
                Organisation(
                    region=region,
                    kind=Organisation.Kind.MUNICIPALITY,
                    name=f"{place} kommune",
                    short_name=place,
                    municipality_number=f"{1000 + i:04d}",
                    country="NO",
                    language="nb",
                    population=int(rng.lognormvariate(9, 1.2)) + 200,
                    administrative_centre=f"{place}sentrum",
                )
            )
        partner_types = [t for t, _ in Organisation.PartnerType.choices if t]
        for i in range(PARTNERS):
            orgs.append(
                Organisation(
                    region=region,
                    kind=Organisation.Kind.PARTNER,
                    partner_type=partner_types[i % len(partner_types)],
                    name=f"Partner {i:03d} {TOPICS[i % len(TOPICS)]}",
                    country="NO",
                    language="nb",
                )
            )
        for i in range(GROUPS):
            orgs.append(
                Organisation(
                    region=region,
                    kind=Organisation.Kind.GROUP,
                    name=f"Gruppe {i:02d}",
                    country="NO",
                    language="nb",
                )
            )
        Organisation.objects.bulk_create(orgs, batch_size=BATCH)
        region.host = orgs[0]
        region.save()
        municipalities = orgs[:MUNICIPALITIES]
        through = Organisation.member_organisations.through
        through.objects.bulk_create(
            [
                through(from_organisation_id=group.pk, to_organisation_id=member.pk)
                for group in orgs[MUNICIPALITIES + PARTNERS :]
                for member in rng.sample(municipalities, 8)
            ],
            batch_size=BATCH,
        )

        password = make_password(PASSWORD)  # one hash for everybody: hashing 20,000 times would take minutes
        users = [
            user_model(
                username=f"person{i:05d}",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                email=f"person{i:05d}@bench.samvirke.invalid",
                password=password,
                language="nb",
            )
            for i in range(PEOPLE)
        ]
        bench_user = user_model(
            username=USERNAME,
            first_name="Regine",
            last_name="Koordinator",
            email="coordinator@bench.samvirke.invalid",
            password=password,
            language="nb",
        )
        user_model.objects.bulk_create([*users, bench_user], batch_size=BATCH)

        memberships = []
        for i, user in enumerate(users):
            org = orgs[i % len(orgs)]
            roll = rng.random()
            if org.kind == Organisation.Kind.MUNICIPALITY:
                role = (
                    Role.PREPAREDNESS_ADVISOR
                    if roll < 0.08
                    else Role.CRISIS_STAFF
                    if roll < 0.2
                    else Role.ADMINISTRATOR
                    if roll < 0.22
                    else Role.READER
                )
            elif org.kind == Organisation.Kind.PARTNER:
                role = Role.PARTNER_CONTACT if roll < 0.6 else Role.READER
            else:
                role = Role.CRISIS_STAFF if roll < 0.5 else Role.READER
            memberships.append(Membership(user=user, organisation=org, role=role, title="Rådgiver"))
            if rng.random() < 0.1:  # some people work in two organisations
                other = orgs[(i + 1 + rng.randrange(len(orgs) - 1)) % len(orgs)]
                memberships.append(Membership(user=user, organisation=other, role=Role.READER))
        host = orgs[0]
        memberships.append(
            Membership(
                user=bench_user,
                organisation=host,
                role=Role.REGIONAL_COORDINATOR,
                title="Regional beredskapskoordinator",
            )
        )
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        TOTPDevice.objects.create(user=bench_user, name="Bench", key=TOTP_KEY, confirmed=True)

        # Notices: created_at and updated_at are set here (auto_now* switched off for the bulk load only).
        fields = [Notice._meta.get_field("created_at"), Notice._meta.get_field("updated_at")]
        saved = [(f.auto_now, f.auto_now_add) for f in fields]
        for f in fields:
            f.auto_now = f.auto_now_add = False
        levels = [
            AccessLevel.CLEAR,
            AccessLevel.GREEN,
            AccessLevel.AMBER,
            AccessLevel.AMBER_STRICT,
            AccessLevel.RED,
        ]
        weights = [15, 35, 25, 15, 10]
        categories = [c for c, _ in Notice.Category.choices]
        start = datetime.now(UTC) - timedelta(days=3 * 365)
        step = (3 * 365 * 86400) / max(NOTICES, 1)
        user_ids = [u.pk for u in users]
        org_ids = [o.pk for o in orgs]
        shared_through = Notice.shared_with.through
        named_through = Notice.named_people.through
        rows = []  # (id, created_at, owner_id, level, shared ids, named ids) for the reference implementation
        shared_rows = named_rows = 0
        try:
            for offset in range(0, NOTICES, BATCH):
                batch, extras = [], []
                for i in range(offset, min(offset + BATCH, NOTICES)):
                    level = rng.choices(levels, weights)[0]
                    owner_id = rng.choice(org_ids)
                    at = start + timedelta(seconds=i * step + rng.random() * step)
                    topic = rng.choice(TOPICS)
                    batch.append(
                        Notice(
                            owner_id=owner_id,
                            access_level=level,
                            title=f"{topic.capitalize()} – melding {i}",
                            body=(f"Melding {i} om {topic}. Kontakt vakthavende ved spørsmål. " * 4).strip(),
                            category=rng.choice(categories),
                            created_at=at,
                            updated_at=at,
                            exemption_basis="" if level == AccessLevel.CLEAR else "offl. § 24 tredje ledd",
                            created_by_id=rng.choice(user_ids),
                        )
                    )
                    shared = (
                        set(rng.sample(org_ids, rng.randint(0, 4))) if level == AccessLevel.AMBER else set()
                    )
                    named = set()
                    if level == AccessLevel.RED:
                        named = set(rng.sample(user_ids, rng.randint(1, 3)))
                        if rng.random() < 0.02:
                            named.add(bench_user.pk)
                    extras.append((shared, named))
                Notice.objects.bulk_create(batch)
                links_shared, links_named = [], []
                for notice, (shared, named) in zip(batch, extras, strict=True):
                    links_shared += [shared_through(notice_id=notice.pk, organisation_id=o) for o in shared]
                    links_named += [named_through(notice_id=notice.pk, user_id=u) for u in named]
                    rows.append(
                        (notice.pk, notice.created_at, notice.owner_id, notice.access_level, shared, named)
                    )
                shared_through.objects.bulk_create(links_shared, batch_size=BATCH)
                named_through.objects.bulk_create(links_named, batch_size=BATCH)
                shared_rows += len(links_shared)
                named_rows += len(links_named)
        finally:
            for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
                f.auto_now, f.auto_now_add = auto_now, auto_now_add

    info.update(
        region=region, host=host, bench_user=bench_user, rows=rows, org_region={o.pk: region.pk for o in orgs}
    )
    info["size"] = {
        "regions": 1,
        "organisations": len(orgs),
        "municipalities": MUNICIPALITIES,
        "people": PEOPLE,
        "memberships": len(memberships),
        "notices": NOTICES,
        "shared_with_rows": shared_rows,
        "named_people_rows": named_rows,
    }
    return info


def reference_visible(info: dict) -> list[tuple]:
    """The sharing rules written out plainly, for the bench user (member of the host organisation only)."""
    from samvirke.core.access import AccessLevel

    orgs = {info["host"].pk}
    regions = {info["region"].pk}
    user_id = info["bench_user"].pk
    visible = []
    for row in info["rows"]:
        _pk, _created_at, owner_id, level, shared, named = row
        if (
            level == AccessLevel.CLEAR
            or (level == AccessLevel.GREEN and info["org_region"][owner_id] in regions)
            or (level in (AccessLevel.AMBER, AccessLevel.AMBER_STRICT) and owner_id in orgs)
            or (level == AccessLevel.AMBER and shared & orgs)
            or (level == AccessLevel.RED and user_id in named)
        ):
            visible.append(row)
    visible.sort(key=lambda r: (r[1], r[0]), reverse=True)
    return visible


def body(h: Harness):
    from samvirke.accounts.models import ApiToken
    from samvirke.organisations.selectors import MUNICIPALITIES_PER_PAGE

    rng = random.Random(20260101)
    metrics: dict = {}
    with timed("build data set", metrics, "build_s"):
        info = build(rng)
    progress(f"size: {info['size']}")
    h.settle()
    expected = reference_visible(info)
    expected_first_page = [row[0] for row in expected[:PAGE_SIZE]]
    progress(f"reference: {len(expected)} notices visible to the coordinator")
    _token, raw_token = ApiToken.issue(user=info["bench_user"], name="bench")
    api_headers = {"Authorization": f"Bearer {raw_token}"}

    h.start_server()
    browser = h.sign_in(USERNAME, PASSWORD, TOTP_KEY)
    api_client = h.client()
    anonymous = h.client()
    region_name = info["region"].name

    def check_overview(response):
        text = response.text
        check(region_name in text, "the overview does not name the region")
        rows = text.count('<th scope="row">')
        check(
            rows == min(MUNICIPALITIES, MUNICIPALITIES_PER_PAGE),
            f"the overview's first page lists {rows} municipalities",
        )
        check(
            f">{MUNICIPALITIES} " in text.replace("\n", " ").replace('smv-lead">', ">"),
            f"the overview does not say the region has {MUNICIPALITIES} municipalities",
        )

    def check_api(response):
        data = response.json()
        check(
            data["count"] == len(expected),
            f"API count {data['count']} differs from the reference implementation's {len(expected)}",
        )
        ids = [item["id"] for item in data["items"]]
        check(ids == expected_first_page, "the API's first page differs from the reference implementation's")

    progress("query counts (in-process)")
    overview_queries = h.count_queries("/overview/", cookies=h.session_cookies(browser))
    api_queries = h.count_queries("/api/v1/notices?page=1", headers=api_headers)

    results = h.measure(
        {
            "baseline": Target(anonymous, "/healthz"),
            "overview": Target(browser, "/overview/", check=check_overview),
            "api_list": Target(api_client, "/api/v1/notices?page=1", headers=api_headers, check=check_api),
        },
        warmup=WARMUP,
        rounds=ROUNDS,
    )
    base = results["baseline"]["p95_ms"]
    metrics.update(
        overview_p95_ms=results["overview"]["p95_ms"],
        overview_p50_ms=results["overview"]["p50_ms"],
        api_list_p95_ms=results["api_list"]["p95_ms"],
        api_list_p50_ms=results["api_list"]["p50_ms"],
        baseline_p95_ms=base,
        baseline_p50_ms=results["baseline"]["p50_ms"],
        overview_ratio=round(results["overview"]["p95_ms"] / base, 1),
        api_list_ratio=round(results["api_list"]["p95_ms"] / base, 1),
        overview_queries=overview_queries,
        api_list_queries=api_queries,
    )
    size = {**info["size"], "visible_notices": len(expected), "database": h.engine, "workers": h.workers}
    return size, metrics, TARGETS


if __name__ == "__main__":
    run("overview", body)
