"""WCAG 2.1 A/AA (axe-core) on the risk analysis page and its matrix, reached through the real sign-in."""

import pytest

from samvirke.risk.models import RiskAnalysis

pytestmark = pytest.mark.browser


def test_analysis_page_and_matrix(web):
    analysis = RiskAnalysis.objects.get(title="Helhetlig ROS Rana kommune 2024")
    web.sign_in("demo-rana")
    web.goto(f"/risk/{analysis.pk}/")
    web.axe("risk analysis page")
    web.goto(f"/risk/{analysis.pk}/matrix/")
    assert web.page.locator("svg[role=img] title").count() == 2
    web.axe("risk matrix")
    web.assert_no_console_errors()
