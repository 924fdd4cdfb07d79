"""Demo risk analyses: Rana's and Hemnes' helhetlig ROS (comparable events) and Storuman's RSA in Swedish.

Idempotent: analyses are keyed on (owner, title), events and measures on (analysis, title). Drawn from
../shared/docs/domain.md section 10; the scores are plausible demo values, not real assessments.
"""

import datetime

from samvirke.core.access import AccessLevel
from samvirke.risk import domain, services
from samvirke.risk.defaults import load_defaults
from samvirke.risk.models import (
    AnalysedEvent,
    ConsequenceType,
    CriticalFunction,
    EventType,
    Measure,
    Requirement,
    RiskAnalysis,
)

G, A, S = AccessLevel.GREEN, AccessLevel.AMBER, AccessLevel.AMBER_STRICT
NO_BASIS, SE_BASIS = "offl. § 24 tredje ledd", "OSL 18 kap. 13 §"

#: key, owner, title, kind, status, adopted (date, body, case), level, shared with, requirements, scope
ANALYSES = [
    (
        "rana", "1833", "Helhetlig ROS Rana kommune 2024", "hros", "adopted",
        (datetime.date(2024, 6, 20), "Rana kommunestyre", "24/01234"), G, [],
        ["§ 2 a", "§ 2 b", "§ 2 d", "§ 2 e", "§ 2 f"],
        "Hele Rana kommune, med Mo Industripark, E6/E12, Nordlandsbanen og vassdragene.",
    ),
    (
        "hemnes", "1832", "Helhetlig ROS Hemnes kommune 2023", "hros", "consultation", None, A, ["1833"],
        ["§ 2 a", "§ 2 d", "§ 2 e"],
        "Hemnes kommune: Korgen, Hemnesberget og Bjerka, E6 gjennom Korgfjelltunnelen og Røssåga.",
    ),
    (
        "storuman", "2421", "Risk- och sårbarhetsanalys Storumans kommun 2023–2026", "rsa", "adopted",
        (datetime.date(2023, 10, 26), "Kommunfullmäktige", "KS 2023/145"), G, [],
        ["1", "2", "3", "5", "7"],
        "Storumans kommun med Tärnaby och Hemavan, E12 och E45, Inlandsbanan och vattenkraften.",
    ),
]  # fmt: skip

#: analysis key, title, event type, likelihood, {consequence type: (level, reasoning)}, knowledge,
#: level, cross-municipal/border municipalities, critical functions, scenario
EVENTS = [
    ("rana", "Stengt E6 og E12 ved uvær og snøskred vinterstid", "Snøskred og stengt vei", "E",
     {"dagligliv": (3, "Kommunen blir delvis isolert i opptil tre døgn."),
      "okonomi": (2, "Tapt omsetning og forsinket godstransport.")},
     "strong", G, ["1832", "2421"], ["Transport"],
     "E6 over Saltfjellet og E12 over Umbukta stenges i flere døgn samtidig."),
    ("rana", "Brann i vegtunnel på E6", "Brann i tunnel", "C",
     {"dodsfall": (4, "Mange trafikanter i lang tunnel uten rømningsvei."),
      "skader-sykdom": (4, "Røykskader hos mange.")},
     "medium", G, [], ["Transport", "Redningstjeneste"],
     "Vogntog tar fyr midt i en lang ettløps tunnel på E6 i rushtiden."),
    ("rana", "Langvarig strømbrudd i Mo Industripark", "Langvarig strømbrudd", "D",
     {"okonomi": (4, "Prosessindustrien stanser; ovner må tømmes."),
      "grunnleggende-behov": (2, "Fjernvarme fra industrien faller bort.")},
     "medium", S, [], ["Kraftforsyning"],
     "Bryterfeil i transformatorstasjonen mørklegger hele industriparken (jf. 2015)."),
    ("rana", "Storulykke med giftig utslipp i Mo Industripark", "Storulykke i industri", "B",
     {"dodsfall": (4, "Mange ansatte og naboer i utslippssonen."),
      "natur-miljo": (3, "Utslipp til Ranfjorden.")},
     "weak", S, [], ["Helse og omsorg", "Natur og miljø"],
     "Eksplosjon og brann i et smelteverk med utslipp av giftig gass over Mo sentrum."),
    ("rana", "Dambrudd i regulert vassdrag", "Dambrudd", "A",
     {"dodsfall": (5, "Flombølge gjennom bebyggelse langs elva."),
      "okonomi": (5, "Store skader på bebyggelse og infrastruktur.")},
     "weak", G, ["1832"], ["Kraftforsyning", "Transport"],
     "Brudd i en stor fyllingsdam sender en flombølge ned dalføret."),
    ("rana", "Kvikkleireskred i boligområde", "Kvikkleireskred", "B",
     {"dodsfall": (3, "Få boliger i kartlagt faresone."),
      "okonomi": (3, "Tap av boliger og vei.")},
     "medium", G, [], ["Transport"],
     "Et kvikkleireskred tar med seg boliger og kommunal vei etter langvarig nedbør."),
    ("rana", "Flom i Ranelva", "Flom", "D",
     {"okonomi": (3, "Oversvømte kjellere og veier."),
      "dagligliv": (2, "Stengte veier i noen dager.")},
     "strong", G, [], ["Vann og avløp", "Transport"],
     "Vårflom med regn på snø gir flom i Ranelva og sideelvene."),
    ("rana", "Bortfall av Helgelandssykehuset Mo i Rana", "Bortfall av sykehus", "B",
     {"skader-sykdom": (4, "Pasienter må flyttes til Sandnessjøen eller Bodø."),
      "styringsevne": (3, "Stor belastning på kommunens helsetjenester.")},
     "medium", G, ["1832", "1828"], ["Helse og omsorg"],
     "Brann og vannskade gjør sykehuset ubrukelig i flere uker."),
    ("hemnes", "Stengt E6 i Korgfjelltunnelen", "Brann i tunnel", "C",
     {"dodsfall": (3, "Tunnelen er kortere og har nødnisjer."),
      "skader-sykdom": (3, "Røykskader hos flere.")},
     "medium", A, ["1833"], ["Transport"],
     "Brann i et kjøretøy i Korgfjelltunnelen stenger E6 i lang tid."),
    ("hemnes", "Flom i Røssåga", "Flom", "D",
     {"okonomi": (3, "Skader på vei og bebyggelse på Korgen."),
      "dagligliv": (3, "Bygdene blir isolert.")},
     "medium", A, [], ["Transport"],
     "Stor nedbør og tapping fra Røssvatnet gir flom i Røssåga."),
    ("hemnes", "Dambrudd i Røssåga-vassdraget", "Dambrudd", "A",
     {"dodsfall": (5, "Bebyggelsen ligger lavt langs elva."),
      "okonomi": (5, "Kraftverk og vei ødelegges.")},
     "weak", A, ["1833"], ["Kraftforsyning"],
     "Brudd i en dam i Røssåga-vassdraget."),
    ("hemnes", "Stengt E6 og E12 ved uvær og snøskred vinterstid", "Snøskred og stengt vei", "D",
     {"dagligliv": (2, "Korte stengninger."),
      "okonomi": (2, "Forsinket transport.")},
     "strong", A, [], ["Transport"],
     "Uvær stenger E6 over Korgfjellet."),
    ("storuman", "Stängd E12 och E45 vid oväder", "Snøskred og stengt vei", "E",
     {"dagligliv": (3, "Tärnaby och Hemavan blir isolerade i flera dygn."),
      "okonomi": (2, "Turistnäringen drabbas.")},
     "strong", G, ["1833"], ["Transport"],
     "Snöstorm stänger E12 över Umbukta och E45 samtidigt under högsäsong."),
    ("storuman", "Långvarigt elavbrott i fjällvärlden", "Langvarig strømbrudd", "C",
     {"grunnleggende-behov": (4, "Uppvärmning och vatten faller bort i sträng kyla."),
      "styringsevne": (2, "Kommunens krisledning måste arbeta från reservlokal.")},
     "medium", G, [], ["Kraftforsyning", "Vann og avløp"],
     "Ledningsbrott i sträng kyla ger elavbrott i fjällbyarna i flera dygn."),
]  # fmt: skip

#: analysis key, title, responsible, deadline, status, events, likelihood/consequence steps
MEASURES = [
    ("rana", "Reserveløsning for strøm til kritiske funksjoner i industriparken", "Beredskapskoordinator",
     datetime.date(2025, 6, 30), "in_progress", ["Langvarig strømbrudd i Mo Industripark"], (1, 0)),
    ("rana", "Oppdatere kvikkleirekartlegging for sentrumsnære områder", "Plan- og byggesakssjef",
     datetime.date(2025, 12, 31), "planned", ["Kvikkleireskred i boligområde"], (1, 0)),
    ("rana", "Flomvoll og beredskapsplan for Ranelva", "Kommunalsjef teknisk",
     datetime.date(2027, 9, 1), "planned", ["Flom i Ranelva"], (1, 1)),
    ("rana", "Felles øvelse om stengte grenseveier med Storuman", "Beredskapskoordinator",
     datetime.date(2026, 3, 1), "done", ["Stengt E6 og E12 ved uvær og snøskred vinterstid"], (0, 1)),
    ("hemnes", "Varslingsplan for dambrudd sammen med regulanten", "Beredskapskoordinator",
     datetime.date(2025, 10, 1), "planned", ["Dambrudd i Røssåga-vassdraget"], (0, 1)),
    ("storuman", "Reservkraft till Tärnaby skola som trygghetspunkt", "Säkerhetssamordnare",
     datetime.date(2027, 6, 30), "planned", ["Långvarigt elavbrott i fjällvärlden"], (0, 1)),
]  # fmt: skip


def load_risk_demo(orgs: dict, users: dict) -> dict:
    sets = load_defaults()
    scale_set = sets["dsb-2014-kommune"]
    types = {
        t.code: t for t in ConsequenceType.objects.filter(scale_set=scale_set).prefetch_related("levels")
    }
    likelihoods = {c.code: c for c in scale_set.likelihood_classes.all()}
    event_types = {t.name: t for t in EventType.objects.filter(region__isnull=True)}
    functions = {f.name: f for f in CriticalFunction.objects.all()}
    cells = domain.band_map({b.colour: b.cells for b in scale_set.acceptance_bands.all()})
    analyses = {}
    for key, owner_key, title, kind, status, adopted, level, shared, reqs, scope in ANALYSES:
        owner = orgs[owner_key]
        analysis = RiskAnalysis.objects.filter(owner=owner, title=title).first() or RiskAnalysis(
            owner=owner, title=title
        )
        analysis.kind, analysis.status, analysis.scope, analysis.scale_set = kind, status, scope, scale_set
        analysis.access_level = level
        analysis.exemption_basis = (
            "" if level == AccessLevel.CLEAR else (SE_BASIS if kind == "rsa" else NO_BASIS)
        )
        analysis.method = (
            "MSB:s vägledning för risk- och sårbarhetsanalyser."
            if kind == "rsa"
            else "DSBs veileder for helhetlig ROS (2014), sannsynlighetsklasser A–E."
        )
        analysis.adopted_on, analysis.adopted_by, analysis.case_number = adopted or (None, "", "")
        analysis.period_start = datetime.date(2023, 1, 1)
        analysis.period_end = datetime.date(2027, 12, 31)
        analysis._change_reason = ""
        analysis.save()
        analysis.shared_with.set([orgs[k] for k in shared])
        country = "SE" if kind == "rsa" else "NO"
        analysis.covered_requirements.set(Requirement.objects.filter(country=country, code__in=reqs))
        analyses[key] = analysis
    events = {}
    existing = {
        (e.analysis_id, e.title): e for e in AnalysedEvent.objects.filter(analysis__in=analyses.values())
    }
    for (
        key,
        title,
        type_name,
        likelihood,
        consequences,
        knowledge,
        level,
        affected,
        funcs,
        scenario,
    ) in EVENTS:
        analysis = analyses[key]
        event = existing.get((analysis.pk, title)) or AnalysedEvent(analysis=analysis, title=title)
        new = event.pk is None
        fields = {
            "likelihood": likelihoods[likelihood],
            "likelihood_reasoning": "Vurdert ut fra historiske hendelser og faglige råd.",
        }
        by_type = {
            types[code]: (types[code].levels.all()[position - 1], reasoning)
            for code, (position, reasoning) in consequences.items()
        }
        computed, rows = services.assessment_result(analysis, fields, by_type, cells)
        for name, value in {**fields, **computed}.items():
            setattr(event, name, value)
        event.owner = analysis.owner
        event.event_type = event_types[type_name]
        event.knowledge_strength, event.scenario, event.access_level = knowledge, scenario, level
        event.exemption_basis = analysis.exemption_basis if level != AccessLevel.CLEAR else ""
        event.cross_municipal = bool(affected)
        event.cross_border = any(orgs[k].country != analysis.owner.country for k in affected)
        event.sources = "Kommunens beredskapsplan; NVE; DSB."
        event._change_reason = ""
        event.save()
        shared_with = list(analysis.shared_with.all()) if level == AccessLevel.AMBER else []
        affected_orgs, critical = [orgs[k] for k in affected], [functions[f] for f in funcs]
        if new:  # a fresh database (every test): adds only, no reads of current links
            event.shared_with.add(*shared_with)
            event.affected_municipalities.add(*affected_orgs)
            event.critical_functions.add(*critical)
        else:
            event.shared_with.set(shared_with)
            event.affected_municipalities.set(affected_orgs)
            event.critical_functions.set(critical)
        services.assessments_write(event, rows, new=new)
        events[(key, title)] = event
    for key, title, responsible, deadline, status, event_titles, (dl, dc) in MEASURES:
        analysis = analyses[key]
        measure = Measure.objects.filter(analysis=analysis, title=title).first() or Measure(
            analysis=analysis, title=title
        )
        measure.owner, measure.responsible, measure.deadline, measure.status = (
            analysis.owner,
            responsible,
            deadline,
            status,
        )
        measure.likelihood_reduction, measure.consequence_reduction = dl, dc
        measure.access_level, measure.exemption_basis = analysis.access_level, analysis.exemption_basis
        measure._change_reason = ""
        measure.save()
        measure.shared_with.set(
            analysis.shared_with.all() if analysis.access_level == AccessLevel.AMBER else []
        )
        measure.events.set([events[(key, t)] for t in event_titles])
    return {"analyses": len(analyses), "events": len(events), "measures": len(MEASURES)}
