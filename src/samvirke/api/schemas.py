"""Request and response schemas of the REST API.

Input types are bounded so that no input reaches the database in a form it cannot store: ids fit a
64-bit integer, and text may hold neither NUL characters (PostgreSQL refuses them) nor lone UTF-16
surrogates (they cannot be encoded). Violations are 422 validation errors, never 500.
"""

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from samvirke.core.access import AccessLevel
from samvirke.notices.models import Notice

#: Largest id a BigAutoField can hold.
MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _storable_text(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("null_character", "Null characters are not allowed.")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise PydanticCustomError("surrogate_character", "Text contains an invalid character.")
    return value


Text = Annotated[str, AfterValidator(_storable_text)]


class ErrorBody(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. not_found, validation_error, conflict.")
    message: str = Field(description="Human-readable message in the caller's language.")
    details: dict = Field(
        default_factory=dict,
        description="Per-field lists of messages for validation errors; for a conflict, `current_version` "
        "and `current` (the stored record).",
    )


class ErrorEnvelope(Schema):
    error: ErrorBody


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    partner_type: str
    municipality_number: str
    country: str
    language: str
    population: int | None
    latitude: float | None
    longitude: float | None
    region_id: int


class ContentMeta(Schema):
    id: int
    owner_id: int
    access_level: AccessLevel
    exemption_basis: str
    version: int
    created_at: datetime
    updated_at: datetime


class NoticeOut(ContentMeta):
    title: str
    body: str
    category: Notice.Category


class NoticeIn(Schema):
    owner_id: Id = Field(description="An organisation where you are an editor.")
    title: Text = Field(min_length=1, max_length=200)
    body: Text = ""
    category: Notice.Category = Notice.Category.INFORMATION
    access_level: AccessLevel = AccessLevel.AMBER_STRICT
    exemption_basis: Text = Field("", max_length=200)
    shared_with: list[Id] = Field(
        default_factory=list, max_length=500, description="Organisations in your region (TLP:AMBER)."
    )
    named_people: list[Id] = Field(
        default_factory=list,
        max_length=500,
        description="People in your region who may read a TLP:RED record.",
    )


class NoticeUpdate(Schema):
    version: int = Field(
        ge=1,
        le=2**31 - 1,
        description="The version you last read; a newer stored version gives 409 conflict.",
    )
    title: Text | None = Field(default=None, min_length=1, max_length=200)
    body: Text | None = None
    category: Notice.Category | None = None
    access_level: AccessLevel | None = None
    exemption_basis: Text | None = Field(default=None, max_length=200)
    shared_with: list[Id] | None = Field(default=None, max_length=500)
    named_people: list[Id] | None = Field(default=None, max_length=500)


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    language: str
    organisation_ids: list[int]
