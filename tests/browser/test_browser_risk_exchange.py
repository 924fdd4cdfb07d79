"""WCAG 2.1 A/AA (axe-core) on the risk import page, empty and with the per-row error table, reached through
the real sign-in; the file is chosen in the browser's file input and sent by the real form."""

import io

import pytest
from openpyxl import load_workbook

from samvirke.risk import excel
from samvirke.risk.models import AnalysedEvent, RiskAnalysis

pytestmark = pytest.mark.browser


def test_import_page_and_its_error_table(web, tmp_path):
    analysis = RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")
    workbook = load_workbook(io.BytesIO(excel.template_workbook(analysis)))
    sheet = workbook.worksheets[0]
    sheet["A2"] = "Uten begrunnelse"  # title
    header = [cell.value for cell in sheet[1]]
    likelihood = next(n for n, h in enumerate(header, start=1) if h.endswith("[likelihood]"))
    sheet.cell(row=2, column=likelihood, value="Q")
    path = tmp_path / "hendelser.xlsx"
    workbook.save(path)
    before = AnalysedEvent.objects.filter(analysis=analysis).count()

    web.sign_in("demo-rana")
    web.goto(f"/risk/{analysis.pk}/")
    assert web.page.locator(f"a[href='/risk/{analysis.pk}/report.pdf?version=public']").count() == 1
    web.goto(f"/risk/{analysis.pk}/import/")
    web.axe("import page")
    web.page.set_input_files("input[type=file]", str(path))
    web.page.locator("main form.smv-form button[type=submit]").click()
    web.page.wait_for_selector("#import-errors")
    assert "Ukjent sannsynlighetskode «Q»" in web.page.locator("#import-errors").inner_text()
    web.axe("import page with row errors")
    web.assert_no_console_errors()
    assert AnalysedEvent.objects.filter(analysis=analysis).count() == before
