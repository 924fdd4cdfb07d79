"""Excel export, import template and import through HTTP on the demo region (real openpyxl files)."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from samvirke.core.access import AccessLevel
from samvirke.risk import excel, selectors, services
from samvirke.risk.models import AnalysedEvent, RiskAnalysis

XLSX = excel.XLSX_TYPE


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def rana_hros(demo):
    return RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")


@pytest.fixture
def empty_analysis(actor_of, rana_hros):
    return services.analysis_create(
        actor=actor_of("demo-rana"),
        owner_id=rana_hros.owner_id,
        data={"title": "Importert ROS", "kind": "hros", "scale_set": rana_hros.scale_set,
              "access_level": "green", "exemption_basis": "offl. § 24 tredje ledd"},
    )  # fmt: skip


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def template(client, analysis):
    response = client.get(f"/risk/{analysis.pk}/import/template.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def fill(workbook, rows: list[dict]) -> bytes:
    """Write rows ({column key: value}) under the template's header and return the file."""
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    keys = [excel._KEY_RE.search(h).group(1) for h in header]
    for number, values in enumerate(rows, start=2):
        for column, key in enumerate(keys, start=1):
            if key in values:
                sheet.cell(row=number, column=column, value=values[key])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, analysis, content: bytes, name="hendelser.xlsx"):
    return client.post(
        f"/risk/{analysis.pk}/import/", {"file": SimpleUploadedFile(name, content, content_type=XLSX)}
    )


GOOD = {
    "title": "Skogbrann ved Mo",
    "event_type": "Skogbrann",
    "scenario": "Tørr sommer og vind.",
    "likelihood": "D",
    "likelihood_reasoning": "Flere branner i regionen siste ti år.",
    "consequence:dodsfall": 3,
    "reasoning:dodsfall": "Boliger tett på skogen.",
    "consequence:okonomi": "2",
    "reasoning:okonomi": "Tapt tømmer.",
    "knowledge_strength": "Medium",
    "cross_municipal": "Yes",
    "affected_municipalities": "Hemnes kommune; Nesna kommune",
    "critical_functions": "Redningstjeneste; Transport",
}


def test_export_has_events_and_measures_the_reader_may_see(signed_in, actor_of, rana_hros):
    strict_event = AnalysedEvent.objects.filter(
        analysis=rana_hros, access_level=AccessLevel.AMBER_STRICT
    ).first()
    green = AnalysedEvent.objects.filter(analysis=rana_hros, access_level=AccessLevel.GREEN).first()
    services.measure_create(
        actor=actor_of("demo-rana"),
        analysis_id=rana_hros.pk,
        data={"title": "Felles tiltak", "access_level": "green", "exemption_basis": "offl. § 24 tredje ledd"},
        events=[strict_event, green],
    )
    for username, strict_visible in (("demo-rana", True), ("demo-hemnes", False)):
        client = english(signed_in(username))
        response = client.get(f"/risk/{rana_hros.pk}/export.xlsx")
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"] == (
            f'attachment; filename="helhetlig-ros-rana-kommune-2024-{rana_hros.pk}-export.xlsx"'
        )
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["Events", "Measures"]
        events, measures = rows_of(workbook["Events"]), rows_of(workbook["Measures"])
        assert events[0][0] == "Title [title]" and "Likelihood (code) [likelihood]" in events[0]
        titles = {row[0] for row in events[1:]}
        strict = set(
            AnalysedEvent.objects.filter(
                analysis=rana_hros, access_level=AccessLevel.AMBER_STRICT
            ).values_list("title", flat=True)
        )
        visible = set(AnalysedEvent.objects.filter(analysis=rana_hros).values_list("title", flat=True))
        assert titles == (visible if strict_visible else visible - strict)
        row = next(row for row in events[1:] if row[0] == green.title)
        header = events[0]
        assert row[header.index("Likelihood (code) [likelihood]")] == green.likelihood.code
        assert (
            row[header.index("Strength of knowledge [knowledge_strength]")]
            == green.get_knowledge_strength_display()
        )
        assert row[header.index("Access level [access_level]")] == "GREEN"
        assert row[header.index("Risk score [risk_score]")] == green.risk_score
        visible_measures = set(selectors.measures_visible_to(actor_of(username)).filter(analysis=rana_hros)
                               .values_list("title", flat=True))  # fmt: skip
        assert {r[0] for r in measures[1:]} == visible_measures and "Felles tiltak" in visible_measures
        linked = {r[0]: r[6] for r in measures[1:]}
        # The measure mitigates a strict and a GREEN event: only those who may read it see the strict title.
        assert green.title in linked["Felles tiltak"]
        assert (strict_event.title in linked["Felles tiltak"]) is strict_visible


def test_export_never_writes_a_formula(signed_in, actor_of, empty_analysis):
    services.event_create(
        actor=actor_of("demo-rana"),
        analysis_id=empty_analysis.pk,
        data={"title": '=HYPERLINK("http://example.invalid","klikk")', "scenario": "=1+1"},
    )
    response = signed_in("demo-rana").get(f"/risk/{empty_analysis.pk}/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    cell = workbook["Hendelser"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_template_has_lists_and_instructions_in_the_active_language(signed_in, rana_hros):
    client = signed_in("demo-rana")  # bokmål, the user's language
    workbook = template(client, rana_hros)
    assert workbook.sheetnames == ["Hendelser", "Instruksjoner", "lists"]
    assert workbook["lists"].sheet_state == "hidden"
    sheet = workbook["Hendelser"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "Tittel [title]"
    assert "Dødsfall (nivå) [consequence:dodsfall]" in header
    assert sheet.max_row == 1  # no example rows that would be imported
    validations = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    letter = {h: chr(ord("A") + i) for i, h in enumerate(header)}
    likelihood_list = validations[f"{letter['Sannsynlighet (kode) [likelihood]']}2"]
    column = likelihood_list.split("$")[1]
    codes = [workbook["lists"][f"{column}{n}"].value for n in range(2, 7)]
    assert codes == ["A", "B", "C", "D", "E"]
    knowledge_list = validations[f"{letter['Styrke i kunnskapsgrunnlaget [knowledge_strength]']}2"]
    column = knowledge_list.split("$")[1]
    assert [workbook["lists"][f"{column}{n}"].value for n in range(2, 5)] == ["Sterk", "Middels", "Svak"]
    instructions = " ".join(str(v) for row in rows_of(workbook["Instruksjoner"]) for v in row if v)
    assert "Bare tittelen er påkrevd" in instructions
    assert "Svært lav" in instructions and "Hemnes kommune" in instructions
    english(client)
    assert template(client, rana_hros).sheetnames == ["Events", "Instructions", "lists"]


def test_import_creates_every_row_through_the_services(signed_in, empty_analysis):
    client = english(signed_in("demo-rana"))
    second = {"title": "Stengt fylkesvei", "likelihood": "c", "likelihood_reasoning": "Ras hvert tiende år.",
              "knowledge_strength": "sterk", "access_level": "amber+strict"}  # fmt: skip
    content = fill(template(client, empty_analysis), [GOOD, {}, second])  # an empty row between is skipped
    response = upload(client, empty_analysis, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    events = list(AnalysedEvent.objects.filter(analysis=empty_analysis).order_by("id"))
    assert [e.title for e in events] == ["Skogbrann ved Mo", "Stengt fylkesvei"]
    fire, road = events
    # The stored risk result: D (4) × worst consequence 3 = 12, yellow on the DSB 2014 bands.
    assert (fire.likelihood.code, fire.consequence_position, fire.risk_score, fire.risk_colour) == (
        "D",
        3,
        12,
        "yellow",
    )
    assert fire.knowledge_strength == "medium" and fire.cross_municipal and not fire.cross_border
    assert fire.event_type.name == "Skogbrann"
    assert {o.name for o in fire.affected_municipalities.all()} == {"Hemnes kommune", "Nesna kommune"}
    assert {f.name for f in fire.critical_functions.all()} == {"Redningstjeneste", "Transport"}
    assert {(a.consequence_type.code, a.level.position, a.reasoning) for a in fire.assessments.all()} == {
        ("dodsfall", 3, "Boliger tett på skogen."),
        ("okonomi", 2, "Tapt tømmer."),
    }
    assert (fire.access_level, fire.exemption_basis) == ("green", "offl. § 24 tredje ledd")  # the analysis'
    assert (fire.owner_id, fire.version, fire.history.count()) == (empty_analysis.owner_id, 1, 1)
    assert fire.created_by.username == "demo-rana"
    assert (road.access_level, road.knowledge_strength, road.risk_score) == ("amber_strict", "strong", None)
    follow = client.get(f"/risk/{empty_analysis.pk}/")
    assert "2 events were imported." in follow.content.decode()


def test_one_bad_row_imports_nothing_and_says_what_to_fix(signed_in, empty_analysis):
    client = english(signed_in("demo-rana"))
    bad = [
        GOOD,
        {"title": "Uten begrunnelse", "likelihood": "D", "consequence:dodsfall": "9"},
        {"scenario": "Mangler tittel", "knowledge_strength": "kanskje", "cross_border": "tja"},
        {"title": "Gradert", "scenario": "Dette er HEMMELIG", "affected_municipalities": "Atlantis"},
        {"title": "Offentlig med hjemmel", "access_level": "CLEAR", "exemption_basis": "offl. § 13"},
        {"title": "X" * 201, "access_level": "TLP:PURPLE"},
    ]
    response = upload(client, empty_analysis, fill(template(client, empty_analysis), bad))
    assert response.status_code == 200
    assert not AnalysedEvent.objects.filter(analysis=empty_analysis).exists()
    body = html.unescape(response.content.decode())
    table = body[body.index('id="import-errors"') :]
    rows = table.split("<tr>")[2:]

    def errors_in(row_number):
        return [r for r in rows if f"<td>{row_number}</td>" in r]

    assert "Nothing was imported" in body
    assert not errors_in(2)  # the good row
    row3 = " ".join(errors_in(3))
    assert "Give the reasoning for the likelihood." in row3 and "Reasoning for the likelihood" in row3
    assert "Unknown level “9” for “Dødsfall”. Use one of: 1, 2, 3, 4, 5." in row3
    row4 = " ".join(errors_in(4))
    assert "Give the event a title." in row4 and "Unknown strength of knowledge “kanskje”" in row4
    assert "Write Yes or No." in row4
    row5 = " ".join(errors_in(5))
    assert "security classification marking “HEMMELIG”" in row5 and "Unknown municipality “Atlantis”" in row5
    assert "cannot be exempt from public access" in " ".join(errors_in(6))
    row7 = " ".join(errors_in(7))
    assert "at most 200 characters" in row7 and "Unknown access level “TLP:PURPLE”" in row7
    assert all("<td>Events</td>" in r for r in rows)


@pytest.mark.parametrize(
    "case, message",
    [
        ("text", "The file is not an Excel workbook (.xlsx)."),
        ("zip", "The file is not an Excel workbook (.xlsx)."),
        ("headers", "is not a column of this analysis' template"),
        ("no_title", "No sheet in the file has the template's header row"),
        ("empty", "has no events: write them from row 2."),
        ("rows", f"The file has more than {excel.MAX_ROWS} events."),
        ("large", "The file is larger than 5 MB."),
        ("entities", "The file is not an Excel workbook (.xlsx)."),
    ],
)
def test_malformed_files_get_a_clear_message(signed_in, empty_analysis, case, message):
    client = english(signed_in("demo-rana"))
    if case == "text":
        content = b"Tittel;Scenario\nFlom;Elva g\xc3\xa5r over\n"
    elif case == "zip":
        buffer = io.BytesIO()
        import zipfile

        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        content = buffer.getvalue()
    elif case in ("headers", "no_title"):
        workbook = Workbook()
        workbook.active.append(
            ["Title [title]", "Colour [favourite_colour]"] if case == "headers" else ["Tittel", "Scenario"]
        )
        workbook.active.append(["Flom", "blå"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    elif case == "empty":
        content = fill(template(client, empty_analysis), [])
    elif case == "rows":
        content = fill(
            template(client, empty_analysis), [{"title": f"Hendelse {n}"} for n in range(excel.MAX_ROWS + 1)]
        )
    elif case == "entities":
        # A sheet with a DOCTYPE and entities (an XML bomb's shape): refused by defusedxml, not expanded.
        content = _with_entities(fill(template(client, empty_analysis), [{"title": "Flom"}]))
    else:
        content = b"PK" + b"\0" * (excel.MAX_UPLOAD_BYTES + 10)
    response = upload(client, empty_analysis, content)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not AnalysedEvent.objects.filter(analysis=empty_analysis).exists()


def _with_entities(content: bytes) -> bytes:
    import zipfile

    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(target, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                assert b"Flom" in body
                data = bomb.encode() + body.replace(b"Flom", b"&b;")
            archive.writestr(item, data)
    return target.getvalue()


def test_export_then_import_gives_the_same_events(signed_in, rana_hros, empty_analysis):
    client = english(signed_in("demo-rana"))
    exported = client.get(f"/risk/{rana_hros.pk}/export.xlsx").content
    response = upload(client, empty_analysis, exported, name="eksport.xlsx")
    assert response.status_code == 302, response.content.decode()[:3000]

    def summary(analysis):
        return sorted(
            (e.title, e.likelihood_id, e.risk_score, e.risk_colour, e.knowledge_strength, e.access_level,
             e.cross_municipal, e.cross_border, e.scenario,
             tuple(sorted(o.name for o in e.affected_municipalities.all())),
             tuple(sorted((a.consequence_type_id, a.level_id, a.reasoning) for a in e.assessments.all())))
            for e in AnalysedEvent.objects.filter(analysis=analysis)
        )  # fmt: skip

    assert summary(empty_analysis) == summary(rana_hros)
    assert len(summary(empty_analysis)) == AnalysedEvent.objects.filter(analysis=rana_hros).count() > 5


def test_import_is_for_editors_of_the_analysis(signed_in, rana_hros):
    editor, reader = english(signed_in("demo-rana")), signed_in("demo-rana-reader")
    content = fill(template(editor, rana_hros), [GOOD])
    before = AnalysedEvent.objects.filter(analysis=rana_hros).count()
    assert upload(reader, rana_hros, content).status_code == 403
    assert AnalysedEvent.objects.filter(analysis=rana_hros).count() == before
    assert upload(editor, rana_hros, content).status_code == 302  # the same file, by an editor
    assert AnalysedEvent.objects.filter(analysis=rana_hros).count() == before + 1
