"""The default risk scales and reference lists, as data. Loaded by `load_defaults()` (idempotent), which
the demo loader and `manage.py load_risk_defaults` call.

Sources: ../shared/docs/domain.md sections 1.4–1.8, 2.2, 4 and 6.3. Values marked UNVERIFIED are the
best reading of secondary sources; a municipality adapts them by copying the scale set.
"""

from samvirke.risk import domain

LIKELIHOOD_DSB = [
    # code, label, interval, annual probability low %, high % (DSB 2014 kommune / 2016 fylkesROS; verified
    # via FylkesROS Rogaland, Vedlegg 4. UNVERIFIED: whether the 2022 revision keeps these intervals.)
    ("A", "Svært lav", "Sjeldnere enn én gang per 1000 år", None, "0.1"),
    ("B", "Lav", "Én gang per 100–1000 år", "0.1", "1"),
    ("C", "Middels", "Én gang per 50–100 år", "1", "2"),
    ("D", "Høy", "Én gang per 10–50 år", "2", "10"),
    ("E", "Svært høy", "Oftere enn én gang per 10 år", "10", None),
]

KOMMUNE_LEVELS = ["Svært små", "Små", "Middels", "Store", "Svært store"]
NRB_LEVELS = ["Svært små", "Små", "Middels", "Store", "Svært store"]

#: Kommune level (DSB 2014). UNVERIFIED: the grouping and wording; no numeric thresholds (each
#: municipality sets its own). The governance type is our addition so every societal value is present.
KOMMUNE_TYPES = [
    ("life_health", "dodsfall", "Dødsfall", {}),
    ("life_health", "skader-sykdom", "Skader og sykdom", {}),
    ("stability", "grunnleggende-behov", "Manglende dekning av grunnleggende behov", {}),
    ("stability", "dagligliv", "Forstyrrelser i dagliglivet", {}),
    ("nature_culture", "natur-miljo", "Skader på natur og miljø", {}),
    ("economy", "okonomi", "Økonomiske tap og materielle skader", {}),
    ("governance", "styringsevne", "Svekket kommunal styringsevne", {}),  # UNVERIFIED (our addition)
]

#: County level as in FylkesROS Rogaland, Vedlegg 5 (25 % of the NRB thresholds). Verified thresholds only:
#: deaths "middels" 5–25, seriously injured "små" 5–25, economic "små" 25–125 and "middels" 125–500 MNOK.
#: The other levels' numbers are left empty rather than guessed.
NRB_TYPES = [
    ("life_health", "dodsfall", "Dødsfall", {3: ("5", "25", "personer")}),
    ("life_health", "alvorlig-skadde", "Alvorlig skadde og syke", {2: ("5", "25", "personer")}),
    ("nature_culture", "naturmiljo", "Langtidsskader på naturmiljø", {}),
    ("nature_culture", "kulturmiljo", "Uopprettelige skader på kulturmiljø", {}),
    (
        "economy",
        "direkte-tap",
        "Direkte økonomiske tap",
        {2: ("25", "125", "MNOK"), 3: ("125", "500", "MNOK")},
    ),
    ("economy", "indirekte-tap", "Indirekte økonomiske tap", {}),
    ("stability", "sosiale-reaksjoner", "Sosiale og psykologiske reaksjoner", {}),
    ("stability", "dagligliv", "Påkjenninger i dagliglivet", {}),
    ("governance", "regional-samordning", "Svekket regional samordning", {}),
]

#: Acceptance criteria by score (1–25). UNVERIFIED as a default: the colours' meaning is verified
#: (reguleringsplanveileder, Vedlegg 1), but each municipality sets its own akseptkriterier.
BANDS = [
    ("green", "Akseptabel risiko", (1, 4)),
    ("yellow", "Tiltak skal vurderes", (5, 12)),
    ("red", "Uakseptabel risiko – tiltak er nødvendig", (15, 25)),
]

SCALE_SETS = [
    {
        "slug": "dsb-2014-kommune",
        "name": "DSB 2014 kommune",
        "kind": "municipal",
        "description": "Sannsynlighetsklasser A–E og konsekvenstyper for helhetlig ROS i kommunen "
        "(DSB 2014).",
        "types": KOMMUNE_TYPES,
        "levels": KOMMUNE_LEVELS,
        "level_codes": ["1", "2", "3", "4", "5"],
    },
    {
        "slug": "fylkesros-nrb",
        "name": "FylkesROS/NRB",
        "kind": "regional",
        "description": "Konsekvenstyper etter Nasjonalt risikobilde, terskler 25 % av NRB "
        "(FylkesROS Rogaland).",
        "types": NRB_TYPES,
        "levels": NRB_LEVELS,
        "level_codes": ["A", "B", "C", "D", "E"],
    },
]

REQUIREMENTS = [
    ("NO", "§ 2 a", "Eksisterende og fremtidige risiko- og sårbarhetsfaktorer"),
    ("NO", "§ 2 b", "Risiko- og sårbarhetsfaktorer utenfor kommunens område som kan påvirke kommunen"),
    ("NO", "§ 2 c", "Hvordan faktorene påvirker hverandre"),
    ("NO", "§ 2 d", "Særlige utfordringer for kritiske samfunnsfunksjoner og tap av kritisk infrastruktur"),
    ("NO", "§ 2 e", "Evne til å opprettholde virksomheten under en hendelse og gjenoppta den etterpå"),
    ("NO", "§ 2 f", "Behov for befolkningsvarsling og evakuering"),
    ("SE", "1", "Beskrivning av kommunen och dess geografiska område"),
    ("SE", "2", "Beskrivning av arbetsprocess och metod"),
    ("SE", "3", "Identifierad samhällsviktig verksamhet"),
    ("SE", "4", "Kritiska beroenden"),
    ("SE", "5", "Identifierade och analyserade risker"),
    ("SE", "6", "Sårbarheter och brister i krisberedskapen"),
    ("SE", "7", "Behov av åtgärder"),
]

CRITICAL_FUNCTIONS = [
    ("Styringsevne og suverenitet", "Styring og kriseledelse"),
    ("Styringsevne og suverenitet", "Forsvar"),
    ("Befolkningens sikkerhet", "Lov og orden"),
    ("Befolkningens sikkerhet", "Helse og omsorg"),
    ("Befolkningens sikkerhet", "Redningstjeneste"),
    ("Befolkningens sikkerhet", "IKT-sikkerhet i sivil sektor"),
    ("Befolkningens sikkerhet", "Natur og miljø"),
    ("Samfunnets funksjonalitet", "Forsyningssikkerhet"),
    ("Samfunnets funksjonalitet", "Vann og avløp"),
    ("Samfunnets funksjonalitet", "Finansielle tjenester"),
    ("Samfunnets funksjonalitet", "Kraftforsyning"),
    ("Samfunnets funksjonalitet", "Elektroniske kommunikasjonstjenester"),
    ("Samfunnets funksjonalitet", "Transport"),
    ("Samfunnets funksjonalitet", "Satellittbaserte tjenester"),
]

SECTORS = [
    ("helse", "Helse og omsorg"),
    ("transport", "Transport"),
    ("miljo", "Miljø"),
    ("vann", "Vann og avløp"),
    ("ikt", "IKT"),
]

EVENT_TYPES = [
    ("natural", "Flom", "Flom i elv eller vassdrag."),
    ("natural", "Kvikkleireskred", "Skred i kvikkleire."),
    ("natural", "Snøskred og stengt vei", "Snøskred eller uvær som stenger hovedveier."),
    ("natural", "Ekstremvær", "Storm, ekstrem nedbør eller ekstrem kulde."),
    ("natural", "Skogbrann", "Skog- og lyngbrann."),
    ("major_accident", "Brann i tunnel", "Brann i veg- eller jernbanetunnel."),
    ("major_accident", "Storulykke i industri", "Brann, eksplosjon eller utslipp i industri."),
    ("major_accident", "Dambrudd", "Brudd i dam i regulert vassdrag."),
    ("major_accident", "Ulykke med farlig gods", "Utslipp ved transport av farlig gods."),
    ("intentional", "Tilsiktet handling mot folkemengde", "Terror eller vold ved arrangement."),
    ("intentional", "Digitalt angrep", "Angrep mot kommunens IKT-systemer."),
    ("infrastructure", "Langvarig strømbrudd", "Bortfall av strøm over flere døgn."),
    ("infrastructure", "Bortfall av ekom", "Bortfall av mobil- og bredbåndsnett."),
    ("infrastructure", "Bortfall av drikkevann", "Forurensning eller bortfall av vannforsyning."),
    ("infrastructure", "Bortfall av ferge", "Fergesamband ute av drift."),
    ("health", "Pandemi", "Smittsom sykdom med stor utbredelse."),
    ("health", "Bortfall av sykehus", "Sykehus ute av drift."),
]


def load_defaults() -> dict:
    """Create or update the shared scale sets and reference lists. Returns the scale sets by slug."""
    from samvirke.risk.models import (
        AcceptanceBand,
        ConsequenceLevel,
        ConsequenceType,
        CriticalFunction,
        EventType,
        LikelihoodClass,
        Requirement,
        ScaleSet,
        Sector,
    )

    sets = {}
    cells = domain.cells_by_score({colour: scores for colour, _m, scores in BANDS})
    domain.band_map(cells)  # the bands must cover the matrix exactly once
    for spec in SCALE_SETS:
        scale_set, created = ScaleSet.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "kind": spec["kind"],
                "description": spec["description"],
                "owner": None,
            },
        )
        sets[spec["slug"]] = scale_set
        likelihoods = [
            LikelihoodClass(
                scale_set=scale_set,
                position=position,
                code=code,
                label=label,
                interval=interval,
                probability_low=low,
                probability_high=high,
            )
            for position, (code, label, interval, low, high) in enumerate(LIKELIHOOD_DSB, start=1)
        ]
        bands = [
            AcceptanceBand(scale_set=scale_set, colour=colour, meaning=meaning, cells=cells[colour])
            for colour, meaning, _scores in BANDS
        ]
        if created:
            # A new set (every test database, a fresh install): a handful of bulk inserts.
            LikelihoodClass.objects.bulk_create(likelihoods)
            AcceptanceBand.objects.bulk_create(bands)
            types = ConsequenceType.objects.bulk_create(
                ConsequenceType(
                    scale_set=scale_set, societal_value=value, code=code, name=name, position=order
                )
                for order, (value, code, name, _thresholds) in enumerate(spec["types"])
            )
            ConsequenceLevel.objects.bulk_create(
                _level(ctype, spec, position, thresholds)
                for ctype, (_v, _c, _n, thresholds) in zip(types, spec["types"], strict=True)
                for position in range(1, 6)
            )
            continue
        # An existing set: update in place, row by row, so ids used by analyses stay the same.
        for lc in likelihoods:
            LikelihoodClass.objects.update_or_create(
                scale_set=scale_set,
                position=lc.position,
                defaults={
                    f: getattr(lc, f)
                    for f in ("code", "label", "interval", "probability_low", "probability_high")
                },
            )
        for band in bands:
            AcceptanceBand.objects.update_or_create(
                scale_set=scale_set,
                colour=band.colour,
                defaults={"meaning": band.meaning, "cells": band.cells},
            )
        for order, (value, code, name, thresholds) in enumerate(spec["types"]):
            ctype, _ = ConsequenceType.objects.update_or_create(
                scale_set=scale_set,
                code=code,
                defaults={"societal_value": value, "name": name, "position": order},
            )
            for position in range(1, 6):
                level = _level(ctype, spec, position, thresholds)
                ConsequenceLevel.objects.update_or_create(
                    consequence_type=ctype,
                    position=position,
                    defaults={f: getattr(level, f) for f in ("code", "label", "lower", "upper", "unit")},
                )
    lists = [
        (Requirement, ["country", "code"], [
            Requirement(country=country, code=code, text=text, position=position)
            for position, (country, code, text) in enumerate(REQUIREMENTS)
        ]),
        (CriticalFunction, ["name"], [
            CriticalFunction(group=group, name=name, position=position)
            for position, (group, name) in enumerate(CRITICAL_FUNCTIONS)
        ]),
        (Sector, ["code"], [Sector(code=code, name=name) for code, name in SECTORS]),
        (EventType, ["region", "name"], [
            EventType(region=None, category=category, name=name, description=description)
            for category, name, description in EVENT_TYPES
        ]),
    ]  # fmt: skip
    for model, keys, rows in lists:
        shared = model.objects.filter(region__isnull=True) if model is EventType else model.objects.all()
        existing = {_key(o, keys): o for o in shared}
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        missing, changed = [], []
        for row in rows:
            current = existing.get(_key(row, keys))
            if current is None:
                missing.append(row)
            elif any(getattr(current, f) != getattr(row, f) for f in fields):
                row.pk = current.pk
                changed.append(row)
        model.objects.bulk_create(missing)
        if changed:
            model.objects.bulk_update(changed, [f for f in fields if f not in keys and f != "region_id"])
    return sets


def _level(ctype, spec, position, thresholds):
    from samvirke.risk.models import ConsequenceLevel

    lower, upper, unit = thresholds.get(position, (None, None, ""))
    return ConsequenceLevel(
        consequence_type=ctype,
        position=position,
        code=spec["level_codes"][position - 1],
        label=spec["levels"][position - 1],
        lower=lower,
        upper=upper,
        unit=unit,
    )


def _key(obj, keys):
    return tuple(getattr(obj, "region_id" if k == "region" else k) for k in keys)
