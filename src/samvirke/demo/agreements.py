# ruff: noqa: E501 - demo texts read better on one line
"""Demo cooperation agreements for the nine municipalities: with the industrial park, the hydropower
company, the ferry operator, volunteers, the emergency services and across the border — some in force,
some expiring soon, one expired and one still a draft.

Idempotent: agreements are keyed on (owner, title); an existing one is saved only when something changed
(a new version). A fresh database gets them in one bulk insert with history plus one insert per link table,
so the test fixtures stay fast. End dates are given in months from today, so the mix of states looks the
same whenever the demo is loaded. The agreements are demo values, not the municipalities' actual ones.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from samvirke.agreements.models import Agreement, PartyKind, kind_of_organisation
from samvirke.core.access import AccessLevel
from samvirke.plans.domain import add_months

G, A, S = AccessLevel.GREEN, AccessLevel.AMBER, AccessLevel.AMBER_STRICT
D = datetime.date
EXEMPT = "offl. § 24 tredje ledd"


def month(offset: int) -> datetime.date:
    """The last day of the month `offset` months from now (negative: in the past)."""
    today = timezone.localdate()
    return add_months(D(today.year, today.month, 1), offset + 1) - datetime.timedelta(days=1)


def agreements() -> list[dict]:
    """The demo agreements. `parties`: keys of organisations in the region; `external`: (name, kind,
    country)."""
    return [
        {
            "owner": "1833", "title": "Samarbeidsavtale om beredskap i Mo Industripark",
            "category": "cooperation", "status": "active", "valid_from": D(2023, 1, 1), "valid_to": month(26),
            "notice_months": 6, "level": A, "reference": "2022/4117",
            "parties": ["Mo Industripark AS", "110 Nordland"], "external": [],
            "scope": "Felles varsling ved hendelser i industriparken (storulykkevirksomheter), samordnet innsats "
                     "mellom industrivernet og brannvesenet, felles øvelse minst hvert annet år og gjensidig "
                     "tilgang til innsatsplaner.",
            "resources": "Industrivernet i parken (om lag 40 personer), skumtilhenger, røykdykkerutstyr og "
                         "vannkanon; kommunens kriseledelse og evakuerte- og pårørendesenter i Mo.",
            "contacts": "Vakthavende industrivern, Mo Industripark (døgnbemannet)\n"
                        "Beredskapsrådgiver, Rana kommune",
        },
        {
            "owner": "1833", "title": "Avtale om bistand fra frivillige organisasjoner",
            "category": "volunteers", "status": "active", "valid_from": month(-30), "valid_to": month(8),
            "notice_months": 3, "level": G, "reference": "",
            "parties": ["Røde Kors Hjelpekorps Rana"],
            "external": [("Norsk Folkehjelp Rana", PartyKind.VOLUNTEER, "NO")],
            "scope": "Røde Kors og Norsk Folkehjelp stiller mannskap på anmodning fra kommunens kriseledelse "
                     "eller politiet, også utenfor egen kommune i regionen.",
            "resources": "Søk og redning, førstehjelp, bemanning av evakuerte- og pårørendesenter (EPS), "
                         "snøscooter, ATV og båt.",
            "contacts": "Aksjonsleder Røde Kors Hjelpekorps Rana\nOperativ leder Norsk Folkehjelp Rana",
        },
        {
            "owner": "1832", "title": "Avtale om varsling og beredskap i Røssåga-vassdraget",
            "category": "mutual_aid", "status": "active", "valid_from": D(2021, 6, 1), "valid_to": month(2),
            "notice_months": 3, "level": A, "reference": "2021/388",
            "parties": ["1833"], "external": [("Statkraft Energi AS", PartyKind.INFRASTRUCTURE, "NO")],
            "scope": "Varsling ved flomfare og ekstraordinær tapping fra magasinene, felles beredskapsplan for "
                     "dambrudd og årlig gjennomgang av flomsonekart for Korgen og Bjerka.",
            "resources": "Statkrafts vaktsentral og damvakt; kommunenes varslingssystem og kriseledelse.",
            "contacts": "Vaktsentralen, Statkraft Energi AS\nBeredskapskoordinator, Hemnes kommune",
        },
        {
            "owner": "1828", "title": "Avtale om beredskapstransport med ferjeoperatøren (Nesna–Levang)",
            "category": "transport", "status": "active", "valid_from": month(-14), "valid_to": month(22),
            "notice_months": 6, "level": G, "reference": "",
            "parties": ["1834"],
            "external": [("Ferjeoperatøren i sambandet Nesna–Levang (Fv17)", PartyKind.BUSINESS, "NO")],
            "scope": "Ekstra avganger ved evakuering av øyene, prioritert overfart for nødetatene og bruk av "
                     "ferja som mottakssted ved behov.",
            "resources": "Ferje med plass til om lag 100 personbiler; mannskap på vakt.",
            "contacts": "Driftssentralen til ferjeoperatøren\nBeredskapsrådgiver, Nesna kommune",
        },
        {
            "owner": "1828", "title": "Avtale om bruk av lokaler som evakueringssenter",
            "category": "resources", "status": "active", "valid_from": month(-22), "valid_to": month(2),
            "notice_months": 1, "level": G, "reference": "",
            "parties": [], "external": [("Nord universitet, campus Nesna", PartyKind.OTHER, "NO")],
            "scope": "Campus kan brukes som evakuerte- og pårørendesenter og til innkvartering ved hendelser.",
            "resources": "Aula, kantine og undervisningsrom; om lag 150 sengeplasser i studentboliger.",
            "contacts": "Driftsleder campus Nesna",
        },
        {
            "owner": "1826",
            "title": "Samarbeidsavtale om brann og redning over grensen (Hattfjelldal–Storuman, Fv73/E12)",
            "category": "mutual_aid", "status": "active", "valid_from": D(2022, 6, 1), "valid_to": month(40),
            "notice_months": 6, "level": G, "reference": "2022/150",
            "parties": ["2421", "110 Nordland", "SOS Alarm"], "external": [],
            "scope": "Gjensidig bistand fra brannvesen og räddningstjänst ved hendelser nær grensen langs Fv73 "
                     "og E12, felles talegrupper i Nødnett og Rakel (NOSE) og varsling gjennom 110 Nordland og "
                     "SOS Alarm.",
            "resources": "Brannbil og tankbil fra Hattfjelldal; räddningsstyrka fra Tärnaby.",
            "contacts": "Brannsjef, Hattfjelldal kommune\nRäddningschef, Storumans kommun",
        },
        {
            "owner": "1834", "title": "Avtale om sjøredningsberedskap i Lurøy 2021–2024",
            "category": "mutual_aid", "status": "active", "valid_from": D(2021, 1, 1), "valid_to": month(-4),
            "notice_months": 3, "level": G, "reference": "2020/911",
            "parties": [], "external": [("Redningsselskapet", PartyKind.VOLUNTEER, "NO")],
            "scope": "Redningsskøyte stasjonert ved Stokkvågen i sommersesongen, med bistand til kommunen ved "
                     "evakuering av øyene.",
            "resources": "Redningsskøyte med mannskap.",
            "contacts": "Redningsselskapet, region nord",
        },
        {
            "owner": "1834", "title": "Avtale om interkommunalt beredskapssamarbeid på Helgeland",
            "category": "cooperation", "status": "active", "valid_from": D(2020, 1, 1), "valid_to": None,
            "notice_months": 12, "level": G, "reference": "2019/2044",
            "parties": ["1833", "1832", "1826", "1828", "1835"], "external": [],
            "scope": "Felles beredskapskoordinator, felles ROS-arbeid, gjensidig bistand med kriseledelse og "
                     "informasjonsmedarbeidere, og felles øvelser.",
            "resources": "Regional beredskapskoordinator (100 %), felles vaktliste for informasjonsstab.",
            "contacts": "Regional beredskapskoordinator, Lurøy kommune",
        },
        {
            "owner": "1835", "title": "Beredskapsavtale for Trænafestivalen",
            "category": "cooperation", "status": "active", "valid_from": month(-20), "valid_to": month(4),
            "notice_months": 3, "level": A, "reference": "",
            "parties": ["Nordland politidistrikt"],
            "external": [("Trænafestivalen AS", PartyKind.BUSINESS, "NO")],
            "scope": "Sanitet, vakthold og evakuering under festivalen i juli (om lag 5 000 besøkende på en øy "
                     "med båtforbindelse).",
            "resources": "Festivalens sanitetsvakter, ekstra båtkapasitet, legevakt på Husøya.",
            "contacts": "Sikkerhetsansvarlig, Trænafestivalen AS\nBeredskapsansvarlig, Træna kommune",
        },
        {
            "owner": "2421", "title": "Samverkansavtal om räddningsinsatser längs E12 Blå vägen (Storuman–Rana)",
            "category": "mutual_aid", "status": "active", "valid_from": D(2023, 3, 1), "valid_to": month(30),
            "notice_months": 6, "level": G, "reference": "KS 2023/77",
            "parties": ["1833", "Länsstyrelsen Västerbotten"], "external": [],
            "scope": "Ömsesidigt bistånd vid olyckor och stängd väg på E12 över Umbukta, gemensam "
                     "lägesbild via WIS och samordnad information till trafikanter.",
            "resources": "Räddningsstyrkor i Tärnaby och Hemavan; brannvesenet i Rana.",
            "contacts": "Räddningschef, Storumans kommun\nBeredskapsrådgiver, Rana kommune",
        },
        {
            "owner": "2462", "title": "Avtal om gränsöverskridande samverkan vid skogsbrand (Vilhelmina–Hattfjelldal)",
            "category": "mutual_aid", "status": "draft", "valid_from": None, "valid_to": None,
            "notice_months": 6, "level": G, "reference": "",
            "parties": ["1826"], "external": [],
            "scope": "Utkast: gemensam skogsbrandsberedskap i gränsområdet, förstärkning med personal och "
                     "utrustning och gemensam övning vartannat år.",
            "resources": "Skogsbrandsdepå i Vilhelmina; brannvesenet i Hattfjelldal.",
            "contacts": "Beredskapssamordnare, Vilhelmina kommun",
        },
        {
            "owner": "2506", "title": "Avtal om beredskap vid vintertester på isbanorna",
            "category": "cooperation", "status": "active", "valid_from": month(-15), "valid_to": month(10),
            "notice_months": 3, "level": S, "reference": "",
            "parties": ["SOS Alarm"],
            "external": [("Testföretagens samverkansgrupp i Arjeplog", PartyKind.BUSINESS, "SE")],
            "scope": "Larmvägar, räddningsvägar på isen och kontroll av istjocklek under testsäsongen.",
            "resources": "Testföretagens egen räddningspersonal och bandvagnar.",
            "contacts": "Säkerhetschef, Arjeplogs kommun",
        },
    ]  # fmt: skip


def _parties(spec: dict, orgs: dict) -> list[dict]:
    parties = []
    for key in spec["parties"]:
        org = orgs[key]
        parties.append(
            {
                "organisation": org.pk,
                "name": org.name,
                "kind": kind_of_organisation(org),
                "country": org.country,
            }
        )
    for name, kind, country in spec["external"]:
        parties.append({"organisation": None, "name": name, "kind": str(kind), "country": country})
    return parties


FIELDS = ("category", "status", "valid_from", "valid_to", "notice_months", "reference", "scope", "resources",
          "contacts")  # fmt: skip


def load_agreements_demo(orgs: dict) -> dict:
    specs = agreements()
    owners = {orgs[s["owner"]].pk for s in specs}
    existing = {(a.owner_id, a.title): a for a in Agreement.objects.filter(owner_id__in=owners)}
    new, changed = [], 0
    for spec in specs:
        owner = orgs[spec["owner"]]
        parties = _parties(spec, orgs)
        party_ids = [p["organisation"] for p in parties if p["organisation"]]
        fields = {name: spec[name] for name in FIELDS}
        fields.update(
            parties=parties,
            access_level=spec["level"],
            exemption_basis=EXEMPT if spec["level"] in (A, S) else "",
        )
        agreement = existing.get((owner.pk, spec["title"]))
        if agreement is None:
            agreement = Agreement(owner=owner, title=spec["title"], **fields)
            agreement.refresh_derived(owner.country)
            new.append((agreement, party_ids))
            continue
        if any(getattr(agreement, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(agreement, key, value)
            agreement.version += 1
            agreement._change_reason = ""  # the history shows "system" as the author
            agreement.save()
            changed += 1
        agreement.party_organisations.set(party_ids)
        if agreement.access_level == A:
            agreement.shared_with.add(*party_ids)
    if new:
        bulk_create_with_history([a for a, _ids in new], Agreement, default_change_reason="")
        for name in ("party_organisations", "shared_with"):
            through = Agreement._meta.get_field(name).remote_field.through
            links = [
                through(agreement_id=a.pk, organisation_id=pk)
                for a, ids in new
                for pk in ids
                if name == "party_organisations" or a.access_level == A
            ]
            through.objects.bulk_create(links)
    return {"agreements": len(specs), "created": len(new), "changed": changed}
