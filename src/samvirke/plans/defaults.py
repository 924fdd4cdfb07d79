"""The default document types, rule sets, rules and elections, as data. Loaded by `load_defaults()`
(idempotent), which the demo loader and `manage.py load_plan_defaults` call.

Sources: ../shared/docs/domain.md sections 2.4–2.5 (forskrift om kommunal beredskapsplikt §§ 4 and 7),
2.1 (HROS kept current with the kommuneplan), 6.1 and 6.3 (LEH, MSBFS 2015:5, the MSB–SKR agreement) and
the project application's status survey (HROS, emergency, continuity, sector, community and land-use plans).
"Required" means: listed in every municipality's status survey in that country (a legal duty or, for the
continuity plan, the cooperation's own survey). Values marked UNVERIFIED are the best reading of secondary
sources; a region adds its own rules as a local rule set.
"""

from __future__ import annotations

import datetime

# code, category, country, name nb, name sv, name en, required NO, required SE, legal reference
DOCUMENT_TYPES = [
    ("hros", "risk_analysis", "NO",
     "Helhetlig risiko- og sårbarhetsanalyse (helhetlig ROS)", "Helhetlig ROS (Norge)",
     "Comprehensive risk and vulnerability analysis (HROS)", True, False,
     "Sivilbeskyttelsesloven § 14; forskrift om kommunal beredskapsplikt § 2"),
    ("rsa", "risk_analysis", "SE",
     "Risiko- og sårbarhetsanalyse (RSA, Sverige)", "Risk- och sårbarhetsanalys (RSA)",
     "Risk and vulnerability analysis (RSA)", False, True,
     "LEH (2006:544) 2 kap. 1 §; MSBFS 2015:5"),
    ("overordnet-beredskapsplan", "emergency_plan", "NO",
     "Overordnet beredskapsplan", "Övergripande beredskapsplan (Norge)",
     "Overall emergency plan", True, False,
     "Sivilbeskyttelsesloven § 15; forskrift om kommunal beredskapsplikt § 4"),
    ("plan-extraordinara-handelser", "emergency_plan", "SE",
     "Plan for håndtering av ekstraordinære hendelser (Sverige)",
     "Plan för hantering av extraordinära händelser", "Plan for extraordinary events", False, True,
     "LEH (2006:544) 2 kap. 1 §"),
    ("kontinuitetsplan", "continuity_plan", "both",
     "Kontinuitetsplan", "Kontinuitetsplan", "Continuity plan", True, False,
     "Forskrift om kommunal beredskapsplikt § 2 e (samarbeidets statuskartlegging)"),
    ("sektorplan", "sector_plan", "both",
     "Sektorvis beredskapsplan", "Sektorsvis beredskapsplan", "Sector emergency plan", False, False, ""),
    ("krisekommunikasjon", "crisis_communication", "both",
     "Plan for krisekommunikasjon og befolkningsvarsling", "Plan för kriskommunikation",
     "Crisis communication and population warning plan", False, False,
     "Forskrift om kommunal beredskapsplikt § 4 (part of the emergency plan)"),
    ("ikt-sikkerhet", "cyber_security", "both",
     "Plan for IKT-sikkerhet og digital beredskap", "Plan för informationssäkerhet och IT-beredskap",
     "Cyber security plan", False, False, ""),
    ("evakueringsplan", "evacuation", "both",
     "Evakueringsplan", "Utrymnings- och evakueringsplan", "Evacuation plan", False, False,
     "Forskrift om kommunal beredskapsplikt § 4 (part of the emergency plan)"),
    ("samfunnsplan", "community_plan", "NO",
     "Kommuneplanens samfunnsdel", "Kommunplanens samhällsdel (Norge)",
     "Municipal master plan – community part", True, False, "Plan- og bygningsloven §§ 11-1 og 11-2"),
    ("arealplan", "land_use_plan", "NO",
     "Kommuneplanens arealdel", "Kommunplanens markanvändningsdel (Norge)",
     "Municipal master plan – land-use part", True, False, "Plan- og bygningsloven § 11-5"),
    ("oversiktsplan", "land_use_plan", "SE",
     "Oversiktsplan (Sverige)", "Översiktsplan", "Comprehensive plan (översiktsplan)", False, True,
     "Plan- och bygglagen (2010:900) 3 kap."),
    ("styrdokument-krisberedskap", "steering_document", "SE",
     "Styringsdokument for krisberedskap (Sverige)", "Styrdokument för krisberedskap",
     "Steering document for crisis preparedness", False, True,
     "Överenskommelse om kommunernas krisberedskap (MSB–SKR)"),
    ("ovnings-utbildningsplan", "exercise_plan", "SE",
     "Øvings- og opplæringsplan (Sverige)", "Övnings- och utbildningsplan", "Exercise and training plan",
     False, True, "Överenskommelse om kommunernas krisberedskap (MSB–SKR)"),
    ("krisledningsnamnd-reglemente", "crisis_board_rules", "SE",
     "Reglement for krisledelsesnemnda (Sverige)", "Reglemente för krisledningsnämnden",
     "Rules of the crisis management board", False, True,
     "LEH (2006:544) 2 kap. 2 §; Överenskommelse om kommunernas krisberedskap"),
]  # fmt: skip

#: Elections that start a municipal mandate period. Norway: kommunestyrevalg; Sweden: allmänna val (the
#: municipal councils are elected the same day). 2027 and 2030 are the scheduled next ones.
ELECTIONS = [
    ("NO", 2011, "Kommunestyre- og fylkestingsvalget 2011"),
    ("NO", 2015, "Kommunestyre- og fylkestingsvalget 2015"),
    ("NO", 2019, "Kommunestyre- og fylkestingsvalget 2019"),
    ("NO", 2023, "Kommunestyre- og fylkestingsvalget 2023"),
    ("NO", 2027, "Kommunestyre- og fylkestingsvalget 2027"),
    ("SE", 2010, "Allmänna val 2010"),
    ("SE", 2014, "Allmänna val 2014"),
    ("SE", 2018, "Allmänna val 2018"),
    ("SE", 2022, "Allmänna val 2022"),
    ("SE", 2026, "Allmänna val 2026"),
    ("SE", 2030, "Allmänna val 2030"),
]

FORSKRIFT_IN_FORCE = datetime.date(2011, 10, 7)
MSBFS_2015_5 = datetime.date(2015, 1, 26)  # decided; UNVERIFIED: the day it came into force

# code, name, country, source, description
RULE_SETS = [
    ("no-beredskapsplikt", "Forskrift om kommunal beredskapsplikt", "NO",
     "FOR-2011-08-22-894; sivilbeskyttelsesloven §§ 14–15",
     "Overordnet beredskapsplan revidert minst én gang i året (§ 4) og øvd minst hvert annet år (§ 7); "
     "helhetlig ROS oppdatert i takt med kommuneplanen, minst én gang i hver valgperiode."),
    ("se-leh", "LEH och MSBFS 2015:5", "SE", "Lag (2006:544) 2 kap. 1 §; MSBFS 2015:5",
     "Risk- och sårbarhetsanalys senast 31 oktober första året efter ordinarie val; plan för hantering av "
     "extraordinära händelser varje mandatperiod."),
    ("se-overenskommelse", "Överenskommelse om kommunernas krisberedskap", "SE", "MSB–SKR 2019–2023",
     "Styrdokument, övnings- och utbildningsplan och krisledningsnämndens reglemente varje mandatperiod."),
]  # fmt: skip

# rule set, code, title, activity, document type, cadence, months, due (month, day), reminders (days
# before), escalate after (days overdue), legal reference, in effect from
RULES = [
    ("no-beredskapsplikt", "plan-revision-yearly", "Overordnet beredskapsplan revidert", "revision",
     "overordnet-beredskapsplan", "months", 12, None, [60, 30, 7, 0], 30,
     "Forskrift om kommunal beredskapsplikt § 4: revideres minimum én gang årlig", FORSKRIFT_IN_FORCE),
    ("no-beredskapsplikt", "plan-exercise-biennial", "Overordnet beredskapsplan øvd", "exercise",
     "overordnet-beredskapsplan", "months", 24, None, [90, 30, 0], 60,
     "Forskrift om kommunal beredskapsplikt § 7: øves minimum hvert annet år", FORSKRIFT_IN_FORCE),
    ("no-beredskapsplikt", "hros-per-election-period", "Helhetlig ROS oppdatert i valgperioden", "revision",
     "hros", "per_mandate", None, None, [180, 60, 0], 90,
     # UNVERIFIED as a fixed cadence: the law ties it to the kommuneplan; read as once per election period.
     "Sivilbeskyttelsesloven § 14 og forskriften § 2: oppdateres i takt med revisjon av kommuneplanen",
     FORSKRIFT_IN_FORCE),
    ("se-leh", "rsa-after-election", "Risk- och sårbarhetsanalys redovisad", "revision", "rsa",
     "after_election", None, (10, 31), [120, 30, 0], 30,
     "MSBFS 2015:5: redovisas senast 31 oktober första kalenderåret efter ordinarie val", MSBFS_2015_5),
    ("se-leh", "plan-per-mandate", "Plan för extraordinära händelser fastställd", "revision",
     "plan-extraordinara-handelser", "per_mandate", None, None, [180, 60, 0], 60,
     "LEH 2 kap. 1 §: fastställs för varje ny mandatperiod", MSBFS_2015_5),
    ("se-overenskommelse", "styrdokument-per-mandate", "Styrdokument för krisberedskap fastställt",
     "revision",
     "styrdokument-krisberedskap", "per_mandate", None, None, [180, 60, 0], 60,
     "Överenskommelse om kommunernas krisberedskap: varje mandatperiod", MSBFS_2015_5),
    ("se-overenskommelse", "ovningsplan-per-mandate", "Övnings- och utbildningsplan fastställd", "revision",
     "ovnings-utbildningsplan", "per_mandate", None, None, [180, 60, 0], 60,
     "Överenskommelse om kommunernas krisberedskap: varje mandatperiod", MSBFS_2015_5),
    ("se-overenskommelse", "reglemente-per-mandate", "Krisledningsnämndens reglemente fastställt", "revision",
     "krisledningsnamnd-reglemente", "per_mandate", None, None, [180, 60, 0], 60,
     "Överenskommelse om kommunernas krisberedskap: varje mandatperiod", MSBFS_2015_5),
]  # fmt: skip


def load_defaults() -> dict:
    """Create or update the shared document types, elections, rule sets and rules (every rule passes
    `Rule.full_clean`). Returns the document types by code."""
    from samvirke.plans.models import DocumentType, Election, Rule, RuleSet

    types = {}
    for position, row in enumerate(DOCUMENT_TYPES):
        code, category, country, name_nb, name_sv, name_en, required_no, required_se, legal = row
        types[code], _created = DocumentType.objects.update_or_create(
            code=code,
            defaults={
                "category": category,
                "country": country,
                "name_nb": name_nb,
                "name_sv": name_sv,
                "name_en": name_en,
                "required_no": required_no,
                "required_se": required_se,
                "legal_reference": legal,
                "position": position,
            },
        )
    for country, year, description in ELECTIONS:
        Election.objects.update_or_create(country=country, year=year, defaults={"description": description})
    sets = {}
    for code, name, country, source, description in RULE_SETS:
        values = {
            "name": name,
            "country": country,
            "source": source,
            "description": description,
            "region": None,
        }
        rule_set = RuleSet.objects.filter(code=code).first() or RuleSet(code=code)
        # Saved only when something changed: rule sets and rules keep a history (who changed what).
        if rule_set.pk is None or any(getattr(rule_set, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(rule_set, key, value)
            rule_set.save()
        sets[code] = rule_set
    for row in RULES:
        (
            set_code,
            code,
            title,
            activity,
            type_code,
            cadence,
            months,
            due,
            reminders,
            escalate,
            legal,
            since,
        ) = row
        rule = Rule.objects.filter(rule_set=sets[set_code], code=code).first() or Rule(
            rule_set=sets[set_code], code=code
        )
        due_month, due_day = due or (None, None)
        values = {
            "title": title, "activity": activity, "cadence": cadence, "months": months,
            "document_type_id": types[type_code].pk if type_code else None, "due_month": due_month,
            "due_day": due_day, "reminder_offsets": reminders, "escalate_after_days": escalate,
            "legal_reference": legal, "effective_from": since,
        }  # fmt: skip
        if rule.pk is not None and all(getattr(rule, k) == v for k, v in values.items()):
            continue
        for key, value in values.items():
            setattr(rule, key, value)
        rule.full_clean()
        rule.save()
    return types
