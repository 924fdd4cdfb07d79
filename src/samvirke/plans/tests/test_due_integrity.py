"""Due items have no foreign-key constraints in the database (derived data, see plans.models.DueItem):
deleting what they are about must still delete them, through the ORM's cascade."""

from django.db import connection

from samvirke.plans.due import refresh_due_items
from samvirke.plans.models import DueItem, GoverningDocument, Rule


def test_deleting_a_document_or_rule_deletes_its_due_items(demo):
    refresh_due_items()
    document = GoverningDocument.objects.filter(
        pk__in=DueItem.objects.filter(document__isnull=False).values("document_id")
    ).first()
    document_id = document.pk
    assert DueItem.objects.filter(document_id=document_id).exists()
    document.delete()
    assert not DueItem.objects.filter(document_id=document_id).exists()

    rule = Rule.objects.filter(pk__in=DueItem.objects.values("rule_id")).first()
    rule_id = rule.pk
    assert DueItem.objects.filter(rule_id=rule_id).exists()
    rule.delete()
    assert not DueItem.objects.filter(rule_id=rule_id).exists()
    # Nothing left pointing nowhere.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM plans_dueitem i LEFT JOIN plans_rule r ON r.id = i.rule_id "
            "LEFT JOIN organisations_organisation o ON o.id = i.organisation_id "
            "LEFT JOIN plans_governingdocument d ON d.id = i.document_id "
            "WHERE r.id IS NULL OR o.id IS NULL OR (i.document_id IS NOT NULL AND d.id IS NULL)"
        )
        assert cursor.fetchone()[0] == 0
