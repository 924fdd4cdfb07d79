from datetime import datetime

from ninja import Field, Schema

from samvirke.core.access import AccessLevel


class ErrorBody(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. not_found, validation_error, conflict.")
    message: str = Field(description="Human-readable message in the caller's language.")
    details: dict = Field(default_factory=dict, description="Per-field messages for validation errors.")


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
    category: str


class NoticeIn(Schema):
    owner_id: int
    title: str = Field(max_length=200)
    body: str = ""
    category: str = "information"
    access_level: AccessLevel = AccessLevel.AMBER_STRICT
    exemption_basis: str = ""
    shared_with: list[int] = Field(default_factory=list)
    named_people: list[int] = Field(default_factory=list)


class NoticeUpdate(Schema):
    version: int = Field(description="The version you last read; a newer stored version gives 409 conflict.")
    title: str | None = Field(default=None, max_length=200)
    body: str | None = None
    category: str | None = None
    access_level: AccessLevel | None = None
    exemption_basis: str | None = None
    shared_with: list[int] | None = None
    named_people: list[int] | None = None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    language: str
    organisation_ids: list[int]
