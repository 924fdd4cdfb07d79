import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from samvirke.core.classification import find_marking, validate_unclassified


@pytest.mark.parametrize(
    "text, marking",
    [
        ("BEGRENSET – iht. sikkerhetsloven", "BEGRENSET"),
        ("Dokumentet er KONFIDENSIELT.", "KONFIDENSIELT"),
        ("STRENGT HEMMELIG", "STRENGT HEMMELIG"),
        ("Stämplad HEMLIG enligt OSL", "HEMLIG"),
        ("Gradert iht. sikkerhetsloven §§ 5-3 og 5-4", "sikkerhetsloven §§ 5-3"),
        ("NATO RESTRICTED annex", "NATO RESTRICTED"),
    ],
)
def test_markings_are_found(text, marking):
    assert find_marking(text) == marking


@pytest.mark.parametrize(
    "text",
    [
        "Begrenset tilgang til kaia om vinteren.",  # the ordinary word, lower case
        "Hemmelig oppskrift på fiskesuppe",  # not a stamp
        "Unntatt offentlighet, offl. § 24 tredje ledd",  # exempt is not classified
        "BEGRENSETHET",  # part of a longer word
        "",
    ],
)
def test_ordinary_text_passes(text):
    assert find_marking(text) is None
    validate_unclassified(text)


def test_refusal_message_names_the_marking_and_what_to_do():
    with translation.override("en"), pytest.raises(ValidationError) as info:
        validate_unclassified("KONFIDENSIELT")
    with translation.override("en"):
        message = info.value.messages[0]
    assert "KONFIDENSIELT" in message
    assert "not approved" in message
