"""Shared content rules through the notices module: classification, history, restore, conflicts."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from samvirke.core.access import AccessLevel
from samvirke.core.errors import Conflict, NotFound, PermissionDenied
from samvirke.notices import services
from samvirke.notices.models import Notice
from samvirke.organisations.models import Organisation


@pytest.fixture
def rana(demo):
    return Organisation.objects.get(municipality_number="1833")


def _create(actor, rana, **extra):
    data = {
        "title": "Flom i Ranelva",
        "body": "Vannstanden stiger.",
        "access_level": AccessLevel.GREEN,
        **extra,
    }
    return services.notice_create(actor=actor, owner_id=rana.pk, data=data)


def test_classified_text_is_refused_and_nothing_is_saved(actor_of, rana):
    before = Notice.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as info:
        _create(actor_of("demo-rana"), rana, body="Vedlegg: BEGRENSET iht. sikkerhetsloven")
    with translation.override("en"):
        assert "not approved for security-classified" in info.value.message_dict["body"][0]
    assert Notice.objects.count() == before


def test_classified_refusal_is_translated(actor_of, rana):
    with translation.override("nb"), pytest.raises(ValidationError) as info:
        _create(actor_of("demo-rana"), rana, title="KONFIDENSIELT referat")
    with translation.override("nb"):  # the message is lazy: render it in bokmål, whatever is active now
        message = info.value.message_dict["title"][0]
    assert "KONFIDENSIELT" in message
    assert "not approved" not in message  # the bokmål catalogue, not the English msgid


def test_public_record_cannot_carry_an_exemption(actor_of, rana):
    with pytest.raises(ValidationError) as info:
        _create(
            actor_of("demo-rana"),
            rana,
            access_level=AccessLevel.CLEAR,
            exemption_basis="offl. § 24 tredje ledd",
        )
    assert "exemption_basis" in info.value.message_dict


def test_red_record_always_names_its_creator(actor_of, rana):
    actor = actor_of("demo-rana")
    notice = _create(actor, rana, access_level=AccessLevel.RED)
    assert list(notice.named_people.values_list("pk", flat=True)) == [actor.user_id]


def test_only_editors_of_the_owner_may_create_or_change(actor_of, rana):
    with pytest.raises(PermissionDenied):
        _create(actor_of("demo-rana-reader"), rana)
    with pytest.raises(PermissionDenied):
        _create(actor_of("demo-hemnes"), rana)
    notice = _create(actor_of("demo-rana"), rana)
    with pytest.raises(PermissionDenied):
        services.notice_update(
            actor=actor_of("demo-hemnes"), notice_id=notice.pk, expected_version=1, data={"title": "x"}
        )


def test_update_of_invisible_record_is_not_found(actor_of, rana):
    notice = _create(actor_of("demo-rana"), rana, access_level=AccessLevel.AMBER_STRICT)
    with pytest.raises(NotFound):
        services.notice_update(
            actor=actor_of("demo-storuman"), notice_id=notice.pk, expected_version=1, data={"title": "x"}
        )


def test_second_writer_gets_a_conflict_with_the_stored_version(actor_of, rana):
    actor = actor_of("demo-rana")
    notice = _create(actor, rana)
    services.notice_update(
        actor=actor, notice_id=notice.pk, expected_version=1, data={"title": "Første lagring"}
    )
    with pytest.raises(Conflict) as info:
        services.notice_update(
            actor=actor, notice_id=notice.pk, expected_version=1, data={"title": "Andre lagring"}
        )
    assert info.value.current.title == "Første lagring"
    assert info.value.current.version == 2
    notice.refresh_from_db()
    assert notice.title == "Første lagring"


def test_history_records_who_what_and_restore_brings_back_an_old_version(actor_of, rana):
    actor = actor_of("demo-rana")
    notice = _create(actor, rana)
    services.notice_update(
        actor=actor, notice_id=notice.pk, expected_version=1, data={"title": "Endret tittel"}
    )
    records = list(notice.history.order_by("history_date", "history_id"))
    assert [r.title for r in records] == ["Flom i Ranelva", "Endret tittel"]
    assert all(r.history_user_id == actor.user_id for r in records)
    first = records[0]
    with translation.override("en"):
        restored = services.notice_restore(actor=actor, notice_id=notice.pk, history_id=first.history_id)
    assert restored.title == "Flom i Ranelva"
    assert restored.version == 3
    assert notice.history.count() == 3
    assert notice.history.latest().history_change_reason.startswith("Restored version from")


def test_restore_by_non_editor_is_refused(actor_of, rana):
    notice = _create(actor_of("demo-rana"), rana)
    first = notice.history.earliest()
    with pytest.raises(PermissionDenied):
        services.notice_restore(
            actor=actor_of("demo-rana-reader"), notice_id=notice.pk, history_id=first.history_id
        )
