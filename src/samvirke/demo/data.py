from decimal import Decimal as D

REGION = {
    "slug": "helgeland-grense",
    "name": "Beredskapssamarbeidet Helgeland–Västerbotten–Norrbotten",
    "description": "Rana, Hemnes, Hattfjelldal, Nesna, Lurøy og Træna med grensekommunene Storuman, Arjeplog og Vilhelmina.",
}

# name, number, country, language, population, centre, lat, lon
MUNICIPALITIES = [
    ("Rana", "1833", "NO", "nb", 25994, "Mo i Rana", D("66.31"), D("14.14")),
    ("Hemnes", "1832", "NO", "nb", 4485, "Korgen", D("66.08"), D("13.82")),
    ("Hattfjelldal", "1826", "NO", "nb", 1284, "Hattfjelldal", D("65.60"), D("13.99")),
    ("Nesna", "1828", "NO", "nb", 1808, "Nesna", D("66.20"), D("13.02")),
    ("Lurøy", "1834", "NO", "nb", 1886, "Onøya", D("66.43"), D("12.86")),
    ("Træna", "1835", "NO", "nb", 442, "Husøya", D("66.51"), D("12.03")),
    ("Storuman", "2421", "SE", "sv", 5621, "Storuman", D("65.10"), D("17.10")),
    ("Vilhelmina", "2462", "SE", "sv", 6263, "Vilhelmina", D("64.62"), D("16.65")),
    ("Arjeplog", "2506", "SE", "sv", 2618, "Arjeplog", D("66.05"), D("17.89")),
]
HOST = "1834"  # Lurøy hosts the regional coordinator

# name, partner type, country, language
PARTNERS = [
    ("Statsforvalteren i Nordland", "state_administrator", "NO", "nb"),
    ("Länsstyrelsen Västerbotten", "state_administrator", "SE", "sv"),
    ("Länsstyrelsen Norrbotten", "state_administrator", "SE", "sv"),
    ("Nordland politidistrikt", "emergency_service", "NO", "nb"),
    ("110 Nordland", "emergency_service", "NO", "nb"),
    ("Hovedredningssentralen Nord-Norge", "emergency_service", "NO", "nb"),
    ("SOS Alarm", "emergency_service", "SE", "sv"),
    ("Mo Industripark AS", "business", "NO", "nb"),
    ("Røde Kors Hjelpekorps Rana", "volunteer", "NO", "nb"),
]
GROUPS = [
    ("Styringsgruppen", ["1833", "1832", "1826", "1828", "1834", "1835", "2421", "2462", "2506"]),
    ("Prosjektgruppen", ["1833", "1834", "2421"]),
]

PASSWORD = "demo-samvirke-2026"

# username, first, last, language, [(organisation key, role, title)]
# organisation key: municipality number, partner name or group name
USERS = [
    (
        "demo-coordinator",
        "Kari",
        "Nordvik",
        "nb",
        [
            ("1834", "regional_coordinator", "Regional beredskapskoordinator"),
            ("Styringsgruppen", "regional_coordinator", "Sekretær"),
            ("Prosjektgruppen", "regional_coordinator", "Prosjektleder"),
        ],
    ),
    ("demo-admin", "Ola", "Hansen", "nb", [("1834", "administrator", "Systemansvarlig")]),
    (
        "demo-rana",
        "Ingrid",
        "Moe",
        "nb",
        [
            ("1833", "preparedness_advisor", "Beredskapsrådgiver"),
            ("Prosjektgruppen", "reader", "Medlem"),
        ],
    ),
    ("demo-rana-crisis", "Per", "Strand", "nb", [("1833", "crisis_staff", "Kommunalsjef helse")]),
    ("demo-rana-reader", "Anne", "Lie", "nb", [("1833", "reader", "Rådgiver")]),
    ("demo-hemnes", "Jon", "Korgen", "nb", [("1832", "preparedness_advisor", "Beredskapskoordinator")]),
    (
        "demo-hattfjelldal",
        "Sara",
        "Danielsen",
        "nb",
        [("1826", "preparedness_advisor", "Beredskapsansvarlig")],
    ),
    ("demo-nesna", "Eirik", "Tomma", "nb", [("1828", "preparedness_advisor", "Beredskapsrådgiver")]),
    ("demo-luroy", "Marit", "Lovund", "nb", [("1834", "preparedness_advisor", "Beredskapsrådgiver")]),
    ("demo-traena", "Tor", "Husøy", "nb", [("1835", "preparedness_advisor", "Beredskapsansvarlig (20 %)")]),
    ("demo-storuman", "Anna", "Lindqvist", "sv", [("2421", "preparedness_advisor", "Säkerhetssamordnare")]),
    ("demo-vilhelmina", "Erik", "Sjöberg", "sv", [("2462", "preparedness_advisor", "Beredskapssamordnare")]),
    ("demo-arjeplog", "Lena", "Hornavan", "sv", [("2506", "preparedness_advisor", "Säkerhetschef")]),
    (
        "demo-statsforvalter",
        "Nils",
        "Bodø",
        "nb",
        [("Statsforvalteren i Nordland", "partner_contact", "Seniorrådgiver beredskap")],
    ),
    (
        "demo-lansstyrelsen",
        "Karin",
        "Umeå",
        "sv",
        [("Länsstyrelsen Västerbotten", "partner_contact", "Beredskapshandläggare")],
    ),
    ("demo-industripark", "Hege", "Celsa", "nb", [("Mo Industripark AS", "partner_contact", "HMS-sjef")]),
    ("demo-visitor", "Vera", "Besøk", "nb", []),
]

# owner key, title, category, level, exemption, shared with (keys), named (usernames), body
NOTICES = [
    (
        "1834",
        "Nasjonal test av Nødvarsel og tyfoner",
        "information",
        "clear",
        "",
        [],
        [],
        "Onsdag 10. juni kl. 12.00 testes Nødvarsel på mobil og Sivilforsvarets tyfoner («Viktig melding – søk informasjon»). Det er en test, og du trenger ikke gjøre noe.",
    ),
    (
        "1835",
        "Trænafestivalen: informasjon til besøkende",
        "information",
        "clear",
        "",
        [],
        [],
        "Ferjer og hurtigbåter går etter egen festivalrute. Ved uvær kan avganger bli innstilt; følg med på kommunens nettside.",
    ),
    (
        "1834",
        "Fagdag om helhetlig ROS i Mo i Rana",
        "meeting",
        "green",
        "",
        [],
        [],
        "Fagdag for kommunenes beredskapsmedarbeidere om DSBs metode for helhetlig ROS. Påmelding til regional koordinator.",
    ),
    (
        "2421",
        "Övning fjällräddning Hemavan",
        "meeting",
        "green",
        "",
        [],
        [],
        "Gemensam övning med fjällräddningen och norska grannkommuner i mars. Anmälan till säkerhetssamordnaren.",
    ),
    (
        "1833",
        "Strømbrudd i Mo Industripark – erfaringer",
        "lesson",
        "amber",
        "offl. § 24 tredje ledd",
        ["1832", "Statsforvalteren i Nordland", "Mo Industripark AS"],
        [],
        "Gjennomgang av hendelsen der en bryterfeil mørkla hele industriparken. Avhengigheter mellom prosessindustri, kjøling og reservestrøm.",
    ),
    (
        "2421",
        "E12 Umbukta – vinterstängning och samverkan",
        "warning",
        "amber",
        "OSL 18 kap. 13 §",
        ["1833", "1826"],
        [],
        "Rutiner för samverkan vid stängning av E12 vid Umbukta, med kontaktvägar till norska sidan via Rakel/Nødnett (NOSE).",
    ),
    (
        "1833",
        "Intern varslingsliste for kriseledelsen i Rana",
        "information",
        "amber_strict",
        "offl. § 24 tredje ledd",
        [],
        [],
        "Kriseledelsen møtes i rådhuset; alternativt møtested er brannstasjonen. Oppdatert liste ligger i beredskapsplanen.",
    ),
    (
        "1835",
        "Festivalberedskap Træna – intern sjekkliste",
        "information",
        "amber_strict",
        "",
        [],
        [],
        "Sjekkliste for medisinsk beredskap, båtkapasitet og evakuering under festivalen.",
    ),
    (
        "1833",
        "Sårbarheter i vannforsyningen i Mo i Rana",
        "warning",
        "red",
        "offl. § 24 tredje ledd",
        [],
        ["demo-rana", "demo-coordinator"],
        "Vurdering av sårbare punkter i vannforsyningen. Kun for navngitte personer.",
    ),
]
