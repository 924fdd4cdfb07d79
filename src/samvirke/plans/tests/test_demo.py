"""The demo registers: a mix of current, outdated and missing documents, and overdue due items."""

from samvirke.demo.loader import load_demo
from samvirke.plans.models import DueItem, GoverningDocument, StatusAssessment, StatusSnapshot


def test_demo_registers_are_loaded_and_idempotent(demo):
    counts = (
        GoverningDocument.objects.count(),
        DueItem.objects.count(),
        StatusAssessment.objects.count(),
        StatusSnapshot.objects.count(),
    )
    history = GoverningDocument.history.count()
    assert counts[0] >= 40 and counts[1] > 0
    load_demo()
    assert counts == (
        GoverningDocument.objects.count(),
        DueItem.objects.count(),
        StatusAssessment.objects.count(),
        StatusSnapshot.objects.count(),
    )
    assert GoverningDocument.history.count() == history, "a second load must not write new versions"
