# ruff: noqa: E501 - demo texts read better on one line
"""Demo emergency plans: every municipality gets an emergency plan with crisis management, an alert list (some
entries stale), a resource overview (some resources lendable, some owned by businesses and volunteers), an
evacuation plan, a plan for population warning and crisis communication, and action cards linked to the
events of its risk analysis (demo/risk.py). Nesna has a complete plan: every part filled in and every event of
its analysis answered except one (the loss of the hospital in Mo i Rana), so the coverage view shows a gap.
Swedish municipalities are in Swedish.

Phone numbers are fictitious: Norwegian ones start with 0 after +47 (no subscriber number does), Swedish ones
are in the range PTS keeps for fiction (070-174 06 05 … 99); e-mail addresses end in .invalid. Only public
emergency numbers (110, 112, 113, 114 14) are real.

Idempotent, like demo/risk.py (whose `_sync` it uses): plans are keyed on the owner, parts on the plan, cards on
(plan, title), and entries carry keys derived from their text; a fresh database gets everything in a few bulk
inserts with history. Verification dates are months before today (first of the month), so the same entries are
stale whenever the demo is loaded.
"""

from __future__ import annotations

import hashlib

from django.db.models import Q

from samvirke.core.access import AccessLevel
from samvirke.demo.plans import ago
from samvirke.demo.risk import _sync
from samvirke.emergencyplan.models import ActionCard, EmergencyPlan
from samvirke.emergencyplan.parts import PARTS
from samvirke.emergencyplan.services import DEFAULT_EXEMPTION
from samvirke.plans.models import DocumentType, GoverningDocument
from samvirke.risk.models import AnalysedEvent, EventType

A, G = AccessLevel.AMBER, AccessLevel.GREEN
HOST = "1834"  # Lurøy hosts the regional coordinator: the municipalities share their AMBER parts with it

#: number -> (slug for e-mail, administrative centre, phone block, country)
MUNICIPALITIES = {
    "1833": ("rana", "Mo i Rana", "01", "NO"),
    "1832": ("hemnes", "Korgen", "02", "NO"),
    "1826": ("hattfjelldal", "Hattfjelldal", "03", "NO"),
    "1828": ("nesna", "Nesna", "04", "NO"),
    "1834": ("luroy", "Onøya", "05", "NO"),
    "1835": ("traena", "Husøya", "06", "NO"),
    "2421": ("storuman", "Storuman", "", "SE"),
    "2462": ("vilhelmina", "Vilhelmina", "", "SE"),
    "2506": ("arjeplog", "Arjeplog", "", "SE"),
}


def _key(*parts) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:8]  # noqa: S324 - a stable id, not security


def _no_phone(block: str, n: int) -> str:
    return f"+47 0{block} {n:02d} 0{n % 10} 00"


def _se_phone(n: int) -> str:
    return f"+46 70 174 06 {5 + n % 95:02d}"


# --- texts: Norway ---------------------------------------------------------------------------------------


def _no_crisis(name: str, centre: str) -> dict:
    return {
        "convening": (
            f"Ordføreren eller kommunedirektøren innkaller kriseledelsen når en hendelse truer liv, helse eller "
            f"viktige samfunnsfunksjoner i {name}. Beredskapsrådgiveren varsler medlemmene etter varslingslisten "
            "(SMS-varsling, deretter telefon og Nødnett)."
        ),
        "authority": (
            "Kriseledelsen kan omdisponere kommunens personell og materiell, kjøpe inn varer og tjenester inntil "
            "2 mill. kroner per hendelse og iverksette tiltak etter sivilbeskyttelsesloven § 15. Vedtak "
            "refereres for formannskapet i første møte."
        ),
        "meeting_place": f"Rådhuset i {centre}, kriserommet",
        "alternative_meeting_place": f"Brannstasjonen i {centre} (nødstrøm og Nødnett)",
        "entries": [
            ("Kriseleder", "Ordfører", "Varaordfører", "Leder kriseledelsen og har fullmakt etter "
             "delegasjonsreglementet."),
            ("Stabssjef", "Kommunedirektør", "Kommunalsjef for helse og omsorg", "Leder stabsarbeidet og "
             "administrasjonen under krisen."),
            ("Beredskapskoordinator", "Beredskapsrådgiver", "Rådgiver i stab", "Innkaller, holder "
             "situasjonsoversikten og kontakten med Statsforvalteren."),
            ("Helsefaglig rådgiver", "Kommuneoverlege", "Legevaktsjef", "Smittevern og helsefaglige råd."),
            ("Informasjonsansvarlig", "Kommunikasjonsrådgiver", "Leder servicetorget", "Krisekommunikasjon, "
             "nettside, sosiale medier og presse."),
            ("Loggfører", "Konsulent i stab", "Sekretær for formannskapet", "Fører logg over hendelser og "
             "beslutninger."),
        ],
    }  # fmt: skip


def _no_alerts(name: str, slug: str, block: str) -> list[tuple]:
    """(name, organisation, role in a crisis, phone, other phone, e-mail, fallback, details, verified months
    ago or None, notes)"""
    mail = f"{slug}.kommune.demo.invalid"
    return [
        ("Ordfører", name, "Kriseleder", _no_phone(block, 1), "", f"ordforer@{mail}", "nodnett",
         f"Talegruppe KOMMUNE-{slug.upper()}", 2, ""),
        ("Varaordfører", name, "Stedfortreder for kriseleder", _no_phone(block, 2), "", f"varaordforer@{mail}",
         "", "", 2, ""),
        ("Kommunedirektør", name, "Stabssjef", _no_phone(block, 3), _no_phone(block, 13), f"kommunedirektor@{mail}",
         "nodnett", f"Talegruppe KOMMUNE-{slug.upper()}", 4, ""),
        ("Beredskapsrådgiver", name, "Beredskapskoordinator", _no_phone(block, 4), "", f"beredskap@{mail}",
         "satellite", "Iridium-telefon i kriserommet", 1, ""),
        ("Kommuneoverlege", name, "Helsefaglig rådgiver", _no_phone(block, 5), "", f"kommuneoverlege@{mail}",
         "", "", 14, "Ny kommuneoverlege fra i høst – sjekk nummeret."),
        ("Kommunikasjonsrådgiver", name, "Informasjonsansvarlig", _no_phone(block, 6), "",
         f"kommunikasjon@{mail}", "", "", 5, ""),
        ("Vakthavende beredskap, Statsforvalteren i Nordland", "Statsforvalteren i Nordland",
         "Varsles ved alle hendelser som krever kriseledelse", _no_phone("90", 10), "",
         "beredskap@statsforvalteren-nordland.demo.invalid", "nodnett", "Talegruppe STATSFORVALTER-NORDLAND", 6,
         ""),
        ("Operasjonssentralen, Nordland politidistrikt", "Nordland politidistrikt",
         "Evakuering, EPS og Nødvarsel", "112", "", "", "nodnett", "Samvirketalegruppe med politiet", 6, ""),
        ("110 Nordland", "110-sentralen", "Brann og redning", "110", "", "", "nodnett", "BRANN-NORDLAND", 6, ""),
        ("Legevakt", "Interkommunal legevakt", "Helse", "116 117", "", "", "", "", 20, ""),
        ("Driftssentralen, Helgeland Kraft", "Helgeland Kraft Nett", "Strømforsyning", _no_phone("90", 20), "",
         "driftssentral@helgelandkraft.demo.invalid", "", "", 20, ""),
        ("Røde Kors Hjelpekorps, vaktleder", "Røde Kors Hjelpekorps", "Frivillige mannskaper",
         _no_phone(block, 30), "", "", "vhf", "Kanal 16 via Kystradio Nord", None, ""),
    ]  # fmt: skip


def _no_resources(name: str, centre: str) -> list[tuple]:
    """(name, kind, location, capacity, owned by, owner, contact, agreement, can be lent)"""
    return [
        ("Nødstrømsaggregat ved sykehjemmet", "generator", f"{centre} sykehjem", "100 kVA", "municipality", "",
         "Teknisk vakt", "", False),
        ("Mobilt aggregat på henger", "generator", "Kommunalt driftsbygg", "30 kVA", "municipality", "",
         "Teknisk vakt", "", True),
        ("Mannskapsbil og tankbil", "vehicle", f"Brannstasjonen i {centre}", "6 mannskaper, 9 000 liter",
         "municipality", "", "Brannsjef", "", False),
        ("Evakuerte- og pårørendesenter", "eps", f"{centre} skole, gymsal og kantine", "150 personer",
         "municipality", "", "Enhetsleder helse", "", False),
        ("Aggregat 250 kVA", "generator", "Entreprenørens lager", "250 kVA", "business",
         f"{name.split()[0]} Maskin og Transport AS", "Daglig leder", "Rammeavtale beredskap 2024", False),
        ("Frivillige mannskaper med terrengkjøretøy", "other", centre, "12 mannskaper, 2 ATV", "volunteer",
         "Røde Kors Hjelpekorps", "Vaktleder", "Samarbeidsavtale 2023", True),
    ]  # fmt: skip


def _no_evacuation(name: str, centre: str) -> dict:
    return {
        "responsibility": (
            "Politiet beslutter evakuering; selvevakuering er utgangspunktet. Kommunen sørger for mottak, "
            "innkvartering, forpleining, helse- og omsorgstjenester, og prioriterer innbyggere med hjemmetjenester."
        ),
        "areas": f"Boligområder langs vassdrag og skredutsatte veier i {name}; se kartvedlegg i ROS-analysen.",
        "assembly_points": f"{centre} skole og samfunnshuset.",
        "transport": "Buss etter avtale med busselskapet; drosjer; egne biler i helse og omsorg.",
        "reception": (
            f"Evakuerte- og pårørendesenter (EPS) i {centre} skole. Politiet og kommunen leder EPS sammen; "
            "kommunen drifter det med psykososialt kriseteam, registrering og forpleining."
        ),
        "vulnerable_groups": (
            "Hjemmetjenesten har oppdatert liste over brukere med behov for hjelp og tar dem først. Sykehjemmet "
            "har egen evakueringsplan."
        ),
    }


def _no_communication(name: str) -> dict:
    return {
        "warning_decision": (
            "Nødvarsel på mobil sendes av politiet. Kommunen ber politiet om det og sender selv SMS-varsling til "
            "innbyggere i berørte områder."
        ),
        "warning_channels": "SMS-varsling til adresser i området, Nødvarsel (politiet), dør-til-dør, høyttalerbil.",
        "spokesperson": "Ordføreren er kommunens talsperson; kommunikasjonsrådgiveren tar pressehenvendelser.",
        "public_channels": f"{name}s nettside og Facebook-side, NRK Nordland, oppslag på butikkene.",
        "languages": "Bokmål; viktig informasjon også på engelsk. Tolketjeneste ved behov.",
    }


# --- texts: Sweden ---------------------------------------------------------------------------------------


def _se_crisis(name: str, centre: str) -> dict:
    return {
        "convening": (
            "Tjänsteman i beredskap (TiB) larmar säkerhetssamordnaren, som kallar in krisledningsstaben. "
            "Krisledningsnämndens ordförande beslutar om nämnden ska träda i funktion (LEH 2 kap. 2 §)."
        ),
        "authority": (
            "Krisledningsnämnden får fatta beslut i alla verksamhetsområden i den omfattning som behövs med hänsyn "
            "till den extraordinära händelsen (LEH 2 kap. 4 §). Beslut anmäls till kommunfullmäktige."
        ),
        "meeting_place": f"Kommunhuset i {centre}, krisledningsrummet",
        "alternative_meeting_place": f"Räddningsstationen i {centre} (reservkraft och Rakel)",
        "entries": [
            ("Krisledningsnämndens ordförande", "Kommunstyrelsens ordförande", "Kommunstyrelsens vice ordförande",
             "Beslutar att nämnden träder i funktion."),
            ("Stabschef", "Kommundirektör", "Säkerhetssamordnare", "Leder krisledningsstaben."),
            ("Informationsansvarig", "Kommunikationschef", "Kommunikatör", "Kriskommunikation och VMA-underlag."),
            ("Säkerhetssamordnare", "Säkerhetssamordnare", "Räddningschef", "Lägesbild, WIS och kontakt med "
             "länsstyrelsen."),
            ("Loggförare", "Nämndsekreterare", "Administratör", "För logg över händelser och beslut."),
        ],
    }  # fmt: skip


def _se_alerts(name: str, slug: str, county: str) -> list[tuple]:
    mail = f"{slug}.kommun.demo.invalid"
    county_slug = "vasterbotten" if county == "Västerbotten" else "norrbotten"
    return [
        ("Kommunstyrelsens ordförande", name, "Krisledningsnämndens ordförande", _se_phone(1), "",
         f"ksordforande@{mail}", "rakel", f"Talgrupp {slug.upper()}-KOMMUN", 2, ""),
        ("Kommundirektör", name, "Stabschef", _se_phone(2), "", f"kommundirektor@{mail}", "rakel",
         f"Talgrupp {slug.upper()}-KOMMUN", 3, ""),
        ("Tjänsteman i beredskap (TiB)", name, "Larmmottagare dygnet runt", _se_phone(3), "", f"tib@{mail}",
         "rakel", f"Talgrupp {slug.upper()}-TIB", 1, ""),
        ("Säkerhetssamordnare", name, "Lägesbild och samverkan", _se_phone(4), "", f"sakerhet@{mail}",
         "satellite", "Satellittelefon i krisledningsrummet", 15, ""),
        ("Kommunikationschef", name, "Informationsansvarig", _se_phone(5), "", f"kommunikation@{mail}", "", "",
         5, ""),
        (f"TiB Länsstyrelsen {county}", f"Länsstyrelsen {county}", "Samordning i länet", _se_phone(6), "",
         f"tib@lansstyrelsen-{county_slug}.demo.invalid", "rakel", f"Talgrupp LST-{county_slug.upper()}", 6, ""),
        ("SOS Alarm", "SOS Alarm", "Larmcentral", "112", "", "", "rakel", "", 6, ""),
        ("Polisen, regionledningscentralen", "Polismyndigheten", "Utrymning och VMA", "114 14", "", "", "rakel",
         "", 6, ""),
        ("Räddningschef i beredskap", "Räddningstjänsten", "Räddningsinsatser", _se_phone(7), "", "", "rakel",
         "", 20, ""),
        ("Driftcentralen, elnätsbolaget", "Elnätsbolaget", "Elförsörjning", _se_phone(8), "", "", "", "", None, ""),
    ]  # fmt: skip


def _se_resources(name: str, centre: str) -> list[tuple]:
    return [
        ("Reservkraftverk vid särskilt boende", "generator", f"{centre}, särskilt boende", "150 kVA",
         "municipality", "", "Fastighetsjour", "", False),
        ("Mobilt reservkraftverk", "generator", "Kommunförrådet", "40 kVA", "municipality", "", "Fastighetsjour",
         "", True),
        ("Trygghetspunkt", "shelter", f"{centre}, sporthallen", "200 personer", "municipality", "",
         "Säkerhetssamordnare", "", False),
        ("Center för evakuerade och anhöriga", "eps", f"{centre}, skolans matsal", "120 personer", "municipality",
         "", "Socialchef", "", False),
        ("Bandvagnar med förare", "vehicle", centre, "3 bandvagnar, 24 platser", "volunteer",
         "Frivilliga Resursgruppen", "Gruppledare", "Avtal 2024", True),
        ("Dieseltank med pump", "equipment", "Bränsledepån", "10 000 liter", "business", f"{centre} Bränsle AB",
         "Platschef", "Ramavtal drivmedel 2023", False),
    ]  # fmt: skip


def _se_evacuation(name: str, centre: str) -> dict:
    return {
        "responsibility": (
            "Polisen eller räddningsledaren beslutar om utrymning. Kommunen ansvarar för mottagande, inkvartering "
            "och omsorg, och prioriterar personer med hemtjänst."
        ),
        "areas": f"Bebyggelse nedströms regleringsdammarna och byar längs de större vägarna i {name}.",
        "assembly_points": f"{centre}, sporthallen och skolan.",
        "transport": "Buss enligt avtal med länstrafiken; taxi; kommunens fordon inom vård och omsorg.",
        "reception": f"Center för evakuerade och anhöriga i skolans matsal i {centre}, med POSOM-gruppen.",
        "vulnerable_groups": "Hemtjänsten har aktuell lista över brukare som behöver hjälp och flyttar dem först.",
    }


def _se_communication(name: str) -> dict:
    return {
        "warning_decision": "VMA begärs via SOS Alarm av räddningsledaren, polisen eller kommunen.",
        "warning_channels": "VMA i radio och tv, utomhuslarm (Hesa Fredrik), sms till berörda, dörrknackning.",
        "spokesperson": "Kommunstyrelsens ordförande är talesperson; kommunikationschefen tar mediekontakter.",
        "public_channels": f"{name}s webbplats och sociala medier, Sveriges Radio P4, krisinformation.se.",
        "languages": "Svenska; viktig information även på samiska (förvaltningsområde) och engelska.",
    }


# --- Nesna: the complete plan ----------------------------------------------------------------------------

NESNA_EXTRA_ALERTS = [
    ("Torghatten Nord, trafikkleder", "Torghatten Nord AS", "Ferjesambandet Nesna–Levang", _no_phone("90", 30), "",
     "trafikk@torghatten-nord.demo.invalid", "vhf", "Kanal 12 Nesna havn", 3, ""),
    ("Nord universitet, campussjef Nesna", "Nord universitet", "Studenter og innkvartering",
     _no_phone("90", 40), "", "campus-nesna@nord.demo.invalid", "", "", 13, ""),
    ("Havnevakt Nesna", "Nesna havn", "Mottak av båter ved skipsulykke", _no_phone("04", 40), "", "",
     "vhf", "Kanal 16 / 12", 8, ""),
    ("Nesna Redningsselskap, vaktleder", "Redningsselskapet", "Redningsskøyte og båttransport",
     _no_phone("04", 41), "", "", "vhf", "Kanal 16", None, ""),
]  # fmt: skip

NESNA_EXTRA_RESOURCES = [
    ("Redningsskøyte", "boat", "Nesna havn", "12 personer", "volunteer", "Redningsselskapet",
     "Vaktleder", "Samarbeidsavtale 2022", True),
    ("Fiskebåt «Tomma»", "boat", "Tomma", "20 personer", "private", "Lokal fisker (navn i avtalen)",
     "Eier", "Avtale om båttransport 2024", False),
    ("Studentboliger, campus Nesna", "shelter", "Nord universitet, Nesna", "80 senger", "public",
     "Nord universitet", "Campussjef", "Intensjonsavtale 2024", False),
    ("Evakuerte- og pårørendesenter", "eps", "Nesna flerbrukshall", "200 personer", "municipality", "",
     "Enhetsleder helse", "", False),
]  # fmt: skip

NESNA_EVACUATION = {
    "responsibility": (
        "Politiet beslutter evakuering; selvevakuering er utgangspunktet. Kommunen sørger for mottak, "
        "innkvartering og forpleining, og prioriterer innbyggere med hjemmetjenester. Ved evakuering fra øyene "
        "koordinerer kommunen båttransport med Redningsselskapet, Torghatten Nord og lokale båteiere."
    ),
    "areas": "Tomma, Hugla og Handnesøya (båt); lavtliggende bebyggelse i Nesna sentrum ved stormflo.",
    "assembly_points": "Kaiene på Tomma, Hugla og Handnesøya; Nesna flerbrukshall på fastlandet.",
    "transport": "Redningsskøyte, ferjen Nesna–Levang etter avtale, fiskebåter med avtale, buss fra kaia.",
    "reception": (
        "Evakuerte- og pårørendesenter i Nesna flerbrukshall (200 personer), med psykososialt kriseteam, "
        "registrering og forpleining. Studentboligene på campus brukes til innkvartering."
    ),
    "vulnerable_groups": (
        "Hjemmetjenesten har liste over brukere på øyene og fastlandet som trenger hjelp, og kontakter dem "
        "først. Beboere på sykehjemmet flyttes bare etter råd fra kommuneoverlegen."
    ),
}

NESNA_COMMUNICATION = {
    "warning_decision": (
        "Nødvarsel på mobil sendes av politiet; kommunen ber om det ved fare for liv og helse. Kommunen sender selv "
        "SMS-varsling til innbyggere og fritidsboliger i berørte områder."
    ),
    "warning_channels": "SMS-varsling, Nødvarsel (politiet), VHF til båtfolk, oppslag på kaiene og butikken.",
    "spokesperson": "Ordføreren er talsperson; kommunikasjonsrådgiveren tar presse og sosiale medier.",
    "public_channels": "nesna.kommune.no, kommunens Facebook-side, NRK Nordland og Helgelands Blad.",
    "languages": "Bokmål og engelsk (studenter og tilreisende); tolk ved behov.",
}

# --- action cards ----------------------------------------------------------------------------------------

#: number -> [(title, event types, event titles, trigger, checklist, responsible, level)]
CARDS = {
    "1828": [
        ("Bortfall av ferje- og båtsamband", ("Bortfall av ferge",), (),
         "Ferjen Nesna–Levang eller båtrutene til øyene er innstilt i mer enn ett døgn.",
         "Kontakt Torghatten Nord om varighet og reservefartøy\nKartlegg hvem på øyene som trenger helsehjelp "
         "eller medisiner\nAvtal båttransport med Redningsselskapet og båteiere med avtale\nInformer innbyggerne "
         "via SMS-varsling og nettsiden\nMeld situasjonen til Statsforvalteren", "Beredskapskoordinator"),
        ("Ekstremvær og stormflo", ("Ekstremvær",), (),
         "Farevarsel oransje eller rødt for vind eller stormflo fra Meteorologisk institutt.",
         "Innkall kriseledelsen ved rødt farevarsel\nSjekk nødstrøm på sykehjemmet\nVarsle hjemmetjenesten om "
         "brukere i lavtliggende områder\nBe politiet vurdere Nødvarsel\nLegg ut råd til innbyggerne", "Kriseleder"),
        ("Langvarig strømbrudd", ("Langvarig strømbrudd",), (),
         "Strømmen er borte i mer enn 6 timer, eller Helgeland Kraft melder lang reparasjonstid.",
         "Start nødstrøm på sykehjemmet og sjekk drivstoff\nSett ut mobilt aggregat der det trengs mest\n"
         "Åpne evakuerte- og pårørendesenteret som varmestue\nKontakt hjemmetjenestens brukere med "
         "strømavhengig utstyr\nBe om aggregat fra nabokommunene ved behov", "Stabssjef"),
        ("Bortfall av ekom", ("Bortfall av ekom",), (),
         "Mobilnett og bredbånd er nede i Nesna eller på øyene.",
         "Bruk Nødnett og satellittelefon etter varslingslisten\nSend budbringer til kaiene og butikkene\n"
         "Meld bortfallet til Statsforvalteren via Nødnett\nSett opp informasjonspunkt på rådhuset",
         "Beredskapskoordinator"),
        ("Skipsulykke – mottak av evakuerte", ("Skipsulykke",), (),
         "Hovedredningssentralen eller politiet melder en skipsulykke med mange passasjerer ved Nesna.",
         "Åpne EPS i Nesna flerbrukshall etter beslutning fra politiet\nKall inn psykososialt kriseteam\n"
         "Organiser mottak på kaia med havnevakten\nRegistrer evakuerte og pårørende\nSørg for mat, tørre klær "
         "og innkvartering på campus", "Kriseleder"),
        ("Pandemi og høyt sykefravær", ("Pandemi",), (),
         "Smittetallene stiger raskt, eller fraværet i helse og omsorg passerer 20 %.",
         "Innkall kriseledelsen med kommuneoverlegen\nIverksett kontinuitetsplanen for helse og omsorg\n"
         "Prioriter tjenester etter listen i kontinuitetsplanen\nInformer innbyggerne om råd og tiltak",
         "Helsefaglig rådgiver"),
        ("Forurenset drikkevann", ("Bortfall av drikkevann",), (),
         "Prøver viser forurensning, eller vannverket melder svikt.",
         "Kommuneoverlegen vurderer kokevarsel\nSend kokevarsel via SMS-varsling og nettsiden\nKontakt "
         "Mattilsynet\nSørg for vann til sykehjem og barnehager", "Helsefaglig rådgiver"),
    ],
    "1833": [
        ("Stengt E6 og E12", ("Snøskred og stengt vei",), (),
         "Statens vegvesen stenger E6 eller E12 i mer enn ett døgn.",
         "Kontakt Statens vegvesen om varighet\nKartlegg reisende som trenger overnatting\nÅpne varmestue ved "
         "behov\nInformer om omkjøring og status", "Beredskapskoordinator"),
        ("Storulykke i Mo Industripark", (), ("Storulykke med giftig utslipp i Mo Industripark",),
         "Utslipp eller brann i industriparken med fare for omgivelsene.",
         "Følg rådene fra 110 og politiet om innendørsopphold\nBe politiet vurdere Nødvarsel\nÅpne EPS\n"
         "Koordiner informasjonen med Mo Industripark", "Kriseleder"),
        ("Flom og kvikkleireskred", ("Flom", "Kvikkleireskred"), (),
         "Flomvarsel oransje eller rødt fra NVE, eller tegn på skred.",
         "Innkall kriseledelsen\nSikre utsatte kommunale bygg\nForbered evakuering av utsatte boligområder",
         "Stabssjef"),
    ],
    "1832": [
        ("Flom i Røssåga", ("Flom",), (),
         "NVE melder flomvarsel for Røssåga.",
         "Kontakt Statkraft om tapping\nVarsle beboere langs elva\nForbered evakuering", "Kriseleder"),
        ("Stengt E6", ("Snøskred og stengt vei", "Brann i tunnel"), (),
         "E6 er stengt i Korgfjellet eller gjennom Hemnes.",
         "Kontakt Statens vegvesen\nSørg for omsorg for strandede reisende", "Beredskapskoordinator"),
    ],
    "1826": [
        ("Skogbrann", ("Skogbrann",), (),
         "Brann i skog eller utmark som krever evakuering eller bistand.",
         "Kontakt 110 og Vefsn brann\nVarsle reindrifta\nForbered evakuering og EPS", "Kriseleder"),
        ("Stengt Fv73 og isolerte bygder", ("Snøskred og stengt vei", "Bortfall av ekom"), (),
         "Fv73 stengt mot Tärnaby, eller bygder uten ekom.",
         "Bruk Nødnett og satellittelefon\nSjekk hjemmetjenestens brukere\nKontakt Storuman kommun",
         "Beredskapskoordinator"),
    ],
    "1834": [
        ("Bortfall av ferjesamband fra Stokkvågen", ("Bortfall av ferge",), (),
         "Ferjer eller hurtigbåter fra Stokkvågen er innstilt i mer enn ett døgn.",
         "Kontakt rederiet\nKartlegg behov for helsehjelp og forsyninger på øyene\nAvtal båttransport",
         "Beredskapskoordinator"),
        ("Skipsulykke i skjærgården", ("Skipsulykke",), (),
         "HRS melder ulykke med hurtigbåt.",
         "Åpne EPS\nKall inn kriseteamet\nOrganiser mottak på kaia", "Kriseleder"),
        ("Massedød i oppdrett", ("Massedød i havbruk",), (),
         "Oppdretter melder massedød ved Lovund.",
         "Kontakt Mattilsynet og oppdretter\nAvklar håndtering av avfall", "Stabssjef"),
    ],
    "1835": [
        ("Trænafestivalen – mange skadde", ("Masseskadehendelse",), (),
         "Ulykke med mange skadde under festivalen.",
         "Varsle AMK og HRS\nÅpne EPS på skolen\nKall inn kriseteamet\nInformer publikum på norsk og engelsk",
         "Kriseleder"),
        ("Båtrutene innstilt", ("Bortfall av ferge",), (),
         "Ferje og hurtigbåt innstilt i flere døgn.",
         "Kartlegg medisin- og forsyningsbehov\nAvtal transport med lokale båter", "Beredskapskoordinator"),
    ],
    "2421": [
        ("Stängd E12 och E45", ("Snøskred og stengt vei",), (),
         "Trafikverket stänger E12 eller E45 i mer än ett dygn.",
         "Kontakta Trafikverket\nÖppna trygghetspunkt för strandsatta resenärer\nSamverka med Rana kommune om E12",
         "Säkerhetssamordnare"),
        ("Långvarigt elavbrott", ("Langvarig strømbrudd",), (),
         "Elnätsbolaget meddelar avbrott längre än 12 timmar.",
         "Starta reservkraft på särskilt boende\nÖppna trygghetspunkt\nKontakta hemtjänstens brukare",
         "Stabschef"),
        ("Skogsbrand", ("Skogbrann",), (),
         "Räddningstjänsten begär stöd vid en större skogsbrand.",
         "Kalla in krisledningsstaben\nFörbered utrymning\nInformera renskötseln", "Säkerhetssamordnare"),
    ],
    "2462": [
        ("Extrem kyla och elavbrott", ("Ekstremvær", "Langvarig strømbrudd"), (),
         "Temperatur under −35 °C i flera dygn eller elavbrott i kyla.",
         "Kontrollera reservkraft\nÖppna trygghetspunkt\nKontakta sårbara brukare", "Stabschef"),
    ],
    "2506": [
        ("Olycka vid vintertester", ("Masseskadehendelse",), (),
         "Olycka på sjöisen med flera skadade.",
         "Larma via SOS Alarm\nÖppna center för evakuerade och anhöriga\nKalla in POSOM",
         "Krisledningsnämndens ordförande"),
        ("Avbrott i drivmedelsförsörjningen", ("Bortfall av drivstofforsyning",), (),
         "Leveranserna av drivmedel uteblir i mer än två dygn.",
         "Prioritera drivmedel till samhällsviktig verksamhet\nKontakta länsstyrelsen", "Stabschef"),
    ],
}  # fmt: skip

#: number -> {part key: event titles it answers}
PART_EVENTS = {
    "1828": {
        "evacuation": ("Ekstremvær med stormflo", "Skipsulykke med Hurtigruten eller hurtigbåt ved Nesna",
                       "Øyene Tomma og Hugla uten båtforbindelse"),
        "communication": ("Forurenset drikkevann", "Ekstremvær med stormflo", "Bortfall av ekom på Nesna og øyene"),
        "resources": ("Langvarig strømbrudd", "Bortfall av fergesambandet Nesna–Levang",
                      "Øyene Tomma og Hugla uten båtforbindelse"),
    },
    "1833": {"evacuation": ("Dambrudd i regulert vassdrag",)},
    "1834": {"resources": ("Bortfall av drivstofforsyning til øyene",)},
    "2421": {"evacuation": ("Dammbrott i Umeälvens regleringsmagasin",)},
}  # fmt: skip

INTRODUCTION = {
    "NO": (
        "Planen er kommunens overordnede beredskapsplan etter forskrift om kommunal beredskapsplikt § 4, bygget på "
        "den helhetlige ROS-analysen. Den administrative delen beskriver kriseledelsen, varslingen og ressursene; "
        "den operative delen består av tiltakskort. Planen revideres minst én gang i året."
    ),
    "SE": (
        "Planen är kommunens plan för hantering av extraordinära händelser enligt LEH 2 kap. 1 §, byggd på "
        "risk- och sårbarhetsanalysen. Den beskriver krisledningen, larmningen och resurserna; åtgärdskorten är "
        "den operativa delen. Planen fastställs varje mandatperiod."
    ),
}


# --- loading ---------------------------------------------------------------------------------------------


def _entries(spec_key: str, owner_number: str, rows: list[tuple]) -> list[dict]:
    result = []
    for row in rows:
        if spec_key == "roles":
            role, holder, deputy, authority = row
            result.append({"key": _key(owner_number, "role", role), "role": role, "holder": holder,
                           "deputy": deputy, "authority": authority})  # fmt: skip
        elif spec_key == "alert":
            name, org, crisis_role, phone, phone_alt, email, fallback, detail, months, notes = row
            result.append({
                "key": _key(owner_number, "alert", name), "name": name, "organisation": org,
                "crisis_role": crisis_role, "phone": phone, "phone_alt": phone_alt, "email": email,
                "fallback": fallback, "fallback_detail": detail,
                "verified_on": ago(months).isoformat() if months is not None else None, "notes": notes,
            })  # fmt: skip
        else:
            name, category, location, capacity, owner_kind, owner_name, contact, agreement, lendable = row
            result.append({
                "key": _key(owner_number, "resource", name), "name": name, "category": category,
                "location": location, "capacity": capacity, "owner_kind": owner_kind, "owner_name": owner_name,
                "contact": contact, "agreement": agreement, "lendable": lendable, "notes": "",
            })  # fmt: skip
    return result


def _content(number: str, org) -> dict:
    """{part key: fields} for one municipality."""
    slug, centre, block, country = MUNICIPALITIES[number]
    name = org.name
    if country == "SE":
        county = "Norrbotten" if number.startswith("25") else "Västerbotten"
        crisis, alerts = _se_crisis(name, centre), _se_alerts(name, slug, county)
        resources, evacuation, communication = (
            _se_resources(name, centre), _se_evacuation(name, centre), _se_communication(name)
        )  # fmt: skip
    else:
        crisis, alerts = _no_crisis(name, centre), _no_alerts(name, slug, block)
        resources = _no_resources(name, centre)
        evacuation, communication = _no_evacuation(name, centre), _no_communication(name)
    if number == "1828":
        alerts = alerts + NESNA_EXTRA_ALERTS
        resources = [r for r in resources if r[1] != "eps"] + NESNA_EXTRA_RESOURCES
        evacuation, communication = NESNA_EVACUATION, NESNA_COMMUNICATION
    roles = crisis.pop("entries")
    return {
        "crisis_management": {**crisis, "entries": _entries("roles", number, roles)},
        "alert_list": {"entries": _entries("alert", number, alerts)},
        "resources": {"entries": _entries("resources", number, resources)},
        "evacuation": evacuation,
        "communication": communication,
    }


def _level_fields(level: str, number: str, orgs) -> tuple[dict, dict]:
    basis = DEFAULT_EXEMPTION[MUNICIPALITIES[number][3]] if level == A else ""
    shared = [orgs[HOST].pk] if level == A and number != HOST else []
    return {"access_level": level, "exemption_basis": basis}, {"shared_with": shared, "named_people": []}


def load_emergency_plans_demo(orgs: dict) -> dict:
    numbers = [n for n in MUNICIPALITIES if n in orgs]
    owners = {n: orgs[n] for n in numbers}
    region = owners[numbers[0]].region
    documents = {
        d.owner_id: d
        for d in GoverningDocument.objects.filter(
            owner__in=owners.values(), document_type__category=DocumentType.Category.EMERGENCY_PLAN
        ).order_by("-adopted_on")
    }
    plan_rows = []
    for number, org in owners.items():
        country = MUNICIPALITIES[number][3]
        document = documents.get(org.pk)
        title = document.title if document else f"Beredskapsplan {org.name}"
        fields, links = _level_fields(G, number, orgs)
        plan_rows.append((
            org.pk,
            {"owner_id": org.pk, "title": title, "introduction": INTRODUCTION[country],
             "governing_document_id": document.pk if document else None, **fields},
            links,
        ))  # fmt: skip
    plans = _sync(
        EmergencyPlan,
        plan_rows,
        existing={
            p.owner_id: p
            for p in EmergencyPlan.objects.filter(owner__in=owners.values()).prefetch_related(
                "shared_with", "named_people"
            )
        },
        links=("shared_with", "named_people"),
    )
    by_number = {number: plans[org.pk] for number, org in owners.items()}

    events = {}
    for pk, owner_id, title in AnalysedEvent.objects.filter(owner__in=owners.values()).values_list(
        "pk", "owner_id", "title"
    ):
        events[(owner_id, title)] = pk
    types = {
        t.name: t.pk
        for t in sorted(
            EventType.objects.filter(Q(region__isnull=True) | Q(region=region)),
            key=lambda t: t.region_id is not None,
        )
    }

    counts = {}
    for spec in PARTS:
        links = ("shared_with", "named_people", *(("events",) if spec.answers_events else ()))
        rows = []
        for number, org in owners.items():
            plan = by_number[number]
            content = _content(number, org)[spec.key]
            fields, wanted = _level_fields(spec.default_level, number, orgs)
            if spec.answers_events:
                titles = PART_EVENTS.get(number, {}).get(spec.key, ())
                wanted["events"] = [events[(org.pk, t)] for t in titles]
            rows.append(
                (plan.pk, {"plan_id": plan.pk, "owner_id": org.pk, "notes": "", **content, **fields}, wanted)
            )
        synced = _sync(
            spec.model,
            rows,
            existing={
                p.plan_id: p
                for p in spec.model.objects.filter(plan__in=by_number.values()).prefetch_related(*links)
            },
            links=links,
        )
        counts[spec.key] = len(synced)

    card_rows = []
    for number, cards in CARDS.items():
        if number not in owners:
            continue
        org, plan = owners[number], by_number[number]
        fields, wanted = _level_fields(G, number, orgs)
        for position, (title, type_names, event_titles, trigger, checklist, responsible) in enumerate(cards):
            card_rows.append((
                (plan.pk, title),
                {"plan_id": plan.pk, "owner_id": org.pk, "title": title, "trigger": trigger,
                 "checklist": checklist, "responsible": responsible, "position": (position + 1) * 10,
                 "notes": "", **fields},
                {**wanted, "events": [events[(org.pk, t)] for t in event_titles],
                 "event_types": [types[n] for n in type_names]},
            ))  # fmt: skip
    card_links = ("shared_with", "named_people", "events", "event_types")
    cards = _sync(
        ActionCard,
        card_rows,
        existing={
            (c.plan_id, c.title): c
            for c in ActionCard.objects.filter(plan__in=by_number.values()).prefetch_related(*card_links)
        },
        links=card_links,
    )
    return {"plans": len(plans), "parts": counts, "cards": len(cards)}
