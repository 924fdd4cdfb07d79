"""Fixtures for the authorization suite.

`world` loads the demo region and adds, on top of it:

* records owned by Rana (1833) at every access level (AMBER shared with Nesna), with unique canary
  strings in title and body, so a test can tell from a response body alone whether a record leaked;
* a second region ("the other region") with one municipality, one member and one GREEN record, so
  "member of another region" and region/organisation ids outside the caller's region can be tested.

Canary strings are lower-case nonsense on purpose: the classification check refuses capitalised
markings, and a nonsense token can only appear in a response if the record itself leaked.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from samvirke.accounts.models import ApiToken
from samvirke.core.access import AccessLevel, Role, actor_for_user
from samvirke.demo import data as demo_data
from samvirke.demo.loader import demo_totp_key
from samvirke.notices.models import Notice
from samvirke.organisations.models import Membership, Organisation, Region

#: Canary per record key. Secret ones must never appear in a response to someone who may not read them.
CANARIES = {
    "clear": "qzclear-kanari-31f0",
    "green": "qzgreen-kanari-5b7e",
    "amber": "qzamber-kanari-8c21",
    "amber_strict": "qzstrict-kanari-a94d",
    "red": "qzred-kanari-e6b3",
    "other_green": "qzothergreen-kanari-02aa",
    "other_region": "qzotherregion-kanari-7d1c",
    "other_org": "qzotherorg-kanari-4e90",
    "token": "qztoken-kanari-c55f",
}

#: Records owned by Rana that a member of another municipality in the demo region must not reach.
SECRET_KEYS = ("amber", "amber_strict", "red")


def make_user(username: str, *, memberships=(), totp: bool = True):
    """A user with the demo password and, if asked, a confirmed TOTP device (so `sign_in` works)."""
    user = get_user_model().objects.create_user(
        username=username, password=demo_data.PASSWORD, first_name=username, last_name="Test"
    )
    for org, role in memberships:
        Membership.objects.create(user=user, organisation=org, role=role)
    if totp:
        TOTPDevice.objects.create(user=user, name="Test", key=demo_totp_key(username), confirmed=True)
    return user


def make_notice(owner, key_or_title: str, level: str, *, shared_with=(), named=(), body: str | None = None):
    canary = CANARIES.get(key_or_title, key_or_title)
    notice = Notice(
        owner=owner,
        title=f"Notice {canary}",
        body=body if body is not None else f"Body {canary}-body",
        access_level=level,
        exemption_basis="" if level == AccessLevel.CLEAR else "offl. § 24 tredje ledd",
    )
    # Versions made by a person, as through the services. (A version without a user makes
    # the history page show "system": see the report; the demo loader's versions have none.)
    member = Membership.objects.filter(organisation=owner).select_related("user").first()
    notice._history_user = member.user if member else None
    notice.save()
    notice.shared_with.set(shared_with)
    notice.named_people.set(named)
    return notice


@dataclass
class World:
    region: Region
    other_region: Region
    orgs: dict[str, Organisation]
    users: dict[str, object]
    notices: dict[str, Notice]
    other_token: ApiToken = None
    other_membership: Membership = None
    extra: dict = field(default_factory=dict)

    def actor(self, username: str, *, verified: bool = True):
        return actor_for_user(self.users[username], verified=verified)

    def api_client(self, username: str) -> Client:
        """A client that authenticates with a personal API token (no session)."""
        _token, raw = ApiToken.issue(user=self.users[username], name="authz test")
        return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture(scope="module")
def _world_per_module(_demo_per_module, django_db_blocker, tmp_path_factory):
    """The world, built once per test module inside the module's demo transaction (see the root conftest's
    `_demo_per_module`): each test still runs in its own savepoint, so none sees another's writes. Building
    it for every test cost about 1.2 s each, most of CI's time for the 700 route-walk cases."""
    from django.test.utils import override_settings

    attachments = override_settings(SAMVIRKE_ATTACHMENT_ROOT=tmp_path_factory.mktemp("attachments"))
    attachments.enable()
    try:
        with django_db_blocker.unblock():
            built = build_world()
        yield built
    finally:
        attachments.disable()


@pytest.fixture
def world(_world_per_module, demo) -> World:
    """The module's world for one test: a deep copy, so a test that changes a record object (or caches one
    in `extra`) in Python leaves the next test the objects as they are in the database again."""
    return copy.deepcopy(_world_per_module)


def build_world() -> World:
    user_model = get_user_model()
    region = Region.objects.get(slug=demo_data.REGION["slug"])
    orgs = {o.municipality_number or o.name: o for o in Organisation.objects.filter(region=region)}
    users = {u.username: u for u in user_model.objects.filter(username__startswith="demo-")}

    other_region = Region.objects.create(name=f"Region {CANARIES['other_region']}", slug="authz-other-region")
    other_org = Organisation.objects.create(
        region=other_region,
        kind=Organisation.Kind.MUNICIPALITY,
        name=f"Kommune {CANARIES['other_org']}",
        municipality_number="9901",
        country="NO",
        population=1000,
    )
    orgs["other"] = other_org
    users["other-region"] = make_user(
        "authz-other-region", memberships=[(other_org, Role.PREPAREDNESS_ADVISOR)]
    )
    # Verified, no memberships, but named on the RED record.
    users["named-visitor"] = make_user("authz-named-visitor")

    rana, nesna = orgs["1833"], orgs["1828"]
    notices = {
        "clear": make_notice(rana, "clear", AccessLevel.CLEAR),
        "green": make_notice(rana, "green", AccessLevel.GREEN),
        # Leftover sharing/naming fields must not widen a level: the AMBER record also names Storuman (who
        # must not see it), AMBER+STRICT and RED are also "shared" with Nesna (which must not see them).
        "amber": make_notice(
            rana, "amber", AccessLevel.AMBER, shared_with=[nesna], named=[users["demo-storuman"]]
        ),
        "amber_strict": make_notice(rana, "amber_strict", AccessLevel.AMBER_STRICT, shared_with=[nesna]),
        "red": make_notice(
            rana,
            "red",
            AccessLevel.RED,
            shared_with=[nesna],
            named=[users["demo-rana"], users["demo-storuman"], users["named-visitor"]],
        ),
        "other_green": make_notice(other_org, "other_green", AccessLevel.GREEN),
    }
    # A second version for every record, so history and restore routes have something to restore.
    for notice in notices.values():
        notice._history_user = Membership.objects.filter(organisation=notice.owner).first().user
        notice.version += 1
        notice.body += " (v2)"
        notice.save()
    risk = make_risk_records(notices)
    plans = make_plan_records(notices)
    plans.update(make_emergency_plan_records(notices))
    from .followup_records import make_followup_records

    plans.update(make_followup_records(notices))
    risk["scale_set"] = make_scale_set_copy(users["demo-rana"], rana)
    risk["other_event_type"] = make_event_type(other_region)
    other_token, _raw = ApiToken.issue(user=users["demo-rana"], name=f"Token {CANARIES['token']}")
    return World(
        region=region,
        other_region=other_region,
        orgs=orgs,
        users=users,
        notices=notices,
        other_token=other_token,
        other_membership=Membership.objects.get(user=users["other-region"], organisation=other_org),
        extra={**risk, **plans},
    )


def make_risk_records(notices) -> dict:
    """Per notice key, a risk analysis with one analysed event and one measure at the same level, owner,
    sharing and naming as the notice, with the key's canary in every title."""
    import datetime

    from samvirke.risk.models import AnalysedEvent, EventType, Measure, RiskAnalysis, ScaleSet

    scale_set = ScaleSet.objects.get(slug="dsb-2014-kommune")  # loaded with the demo
    # Assessed, typed events and overdue measures, so that the regional matrix, the comparison of an event
    # type (the walker's event_type_id) and the overdue measures would show them if they leaked.
    event_type = EventType.objects.get(region__isnull=True, name="Ekstremvær")
    assessed = {
        "event_type": event_type,
        "likelihood": scale_set.likelihood_classes.get(position=3),
        "likelihood_position": 3,
        "consequence_position": 3,
        "risk_score": 9,
        "risk_colour": "yellow",
    }
    records = {"analyses": {}, "events": {}, "measures": {}, "event_type": event_type}
    for key, notice in notices.items():
        canary = CANARIES[key]
        common = {
            "owner": notice.owner,
            "access_level": notice.access_level,
            "exemption_basis": notice.exemption_basis,
        }
        analysis = RiskAnalysis(
            title=f"Analysis {canary}", scale_set=scale_set, scope=f"{canary}-scope", **common
        )
        event = AnalysedEvent(title=f"Event {canary}", scenario=f"{canary}-scenario", **assessed, **common)
        measure = Measure(
            title=f"Measure {canary}",
            description=f"{canary}-description",
            deadline=datetime.date(2020, 1, 1),
            **common,
        )
        for kind, obj in (("analyses", analysis), ("events", event), ("measures", measure)):
            if kind != "analyses":
                obj.analysis = analysis
            obj._history_user = notice.history.first().history_user
            obj.save()
            obj.shared_with.set(notice.shared_with.all())
            obj.named_people.set(notice.named_people.all())
            records[kind][key] = obj
        measure.events.set([event])
    return records


def make_plan_records(notices) -> dict:
    """Per notice key, a governing document with one attachment (the canary in the file), and a status
    snapshot, at the same level, owner, sharing and naming as the notice, with the key's canary in every
    title. The attachment is read only through its document, so it has no level of its own."""
    from django.core.files.base import ContentFile

    from samvirke.plans.defaults import load_defaults
    from samvirke.plans.models import DocumentAttachment, DocumentType, GoverningDocument, StatusSnapshot

    load_defaults()  # loaded with the demo; idempotent
    doc_type = DocumentType.objects.get(code="sektorplan")
    records = {"documents": {}, "attachments": {}, "snapshots": {}}
    for key, notice in notices.items():
        canary = CANARIES[key]
        common = {
            "owner": notice.owner,
            "access_level": notice.access_level,
            "exemption_basis": notice.exemption_basis,
        }
        document = GoverningDocument(
            title=f"Document {canary}", document_type=doc_type, notes=f"{canary}-notes", **common
        )
        snapshot = StatusSnapshot(
            label=f"Snapshot {canary}", matrix=[{"type": "hros", "state": "current"}], **common
        )
        for kind, obj in (("documents", document), ("snapshots", snapshot)):
            obj._history_user = notice.history.first().history_user
            obj.save()
            obj.shared_with.set(notice.shared_with.all())
            obj.named_people.set(notice.named_people.all())
            records[kind][key] = obj
        # A PNG signature and the canary as plain text, so a leaked download shows it in the body.
        content = b"\x89PNG\r\n\x1a\n" + f" {canary}-file ".encode()
        attachment = DocumentAttachment(
            document=document,
            original_name=f"{canary}.png",
            content_type="image/png",
            size=len(content),
            sha256="0" * 64,
        )
        attachment.file.save(f"{canary}.png", ContentFile(content), save=False)
        attachment.save()
        records["attachments"][key] = attachment
    return records


#: The key of the one entry in each canary plan's alert list, roles and resources (the walker's entry_key).
EMERGENCY_ENTRY_KEY = "qzentry01"


def make_emergency_plan_records(notices) -> dict:
    """Per notice key, an emergency plan with all its parts and one action card, at the same level, sharing
    and naming as the notice, with the key's canary in every title and in one entry of each list (key
    EMERGENCY_ENTRY_KEY), so a leaked plan, part, card or binder shows it. A plan is one per organisation, so
    each plan belongs to its own partner organisation (no members) in the notice owner's region, named
    without a canary (organisation names are directory data every member of the region sees)."""
    from samvirke.emergencyplan.models import ActionCard, EmergencyPlan
    from samvirke.emergencyplan.parts import PARTS

    lists = {
        "roles": lambda canary: {"role": f"Role {canary}", "holder": "Mayor", "deputy": "", "authority": ""},
        "alert": lambda canary: {"name": f"Person {canary}", "phone": "+47 900 00 000", "verified_on": None},
        "resources": lambda canary: {
            "name": f"Resource {canary}", "category": "generator", "owner_kind": "municipality",
            "lendable": True,
        },
    }  # fmt: skip
    records = {"emergency_plans": {}, "action_cards": {}}
    for key, notice in notices.items():
        canary = CANARIES[key]
        owner = Organisation.objects.create(
            region=notice.owner.region,
            kind=Organisation.Kind.PARTNER,
            name=f"Authz plan owner {key}",
            partner_type=Organisation.PartnerType.VOLUNTEER,
        )
        common = {
            "owner": owner,
            "access_level": notice.access_level,
            "exemption_basis": notice.exemption_basis,
        }
        plan = EmergencyPlan(title=f"Plan {canary}", introduction=f"{canary}-introduction", **common)
        card = ActionCard(plan=plan, title=f"Card {canary}", checklist=f"{canary}-step", **common)
        objects = [plan]
        for spec in PARTS:
            part = spec.model(plan=plan, notes=f"{canary}-notes", **common)
            if spec.entries is not None:
                part.entries = [{"key": EMERGENCY_ENTRY_KEY, **lists[spec.entries.key](canary)}]
            objects.append(part)
        objects.append(card)
        for obj in objects:  # the plan first: the parts and the card take its id when saved
            obj._history_user = notice.history.first().history_user
            obj.save()
            obj.shared_with.set(notice.shared_with.all())
            obj.named_people.set(notice.named_people.all())
        records["emergency_plans"][key] = plan
        records["action_cards"][key] = card
    return records


def make_scale_set_copy(member, owner):
    """A copy of the default scale set owned by `owner` (Rana), named with a secret canary. Only the owner's
    members may read it (risk.selectors.scale_sets_for), so any other caller must get 404 for its slug and
    never see its name."""
    from samvirke.risk import services
    from samvirke.risk.models import ScaleSet

    return services.scale_set_copy(
        actor=actor_for_user(member, verified=True),
        scale_set_id=ScaleSet.objects.get(slug="dsb-2014-kommune").pk,
        owner_id=owner.pk,
        name=f"Scale {CANARIES['amber_strict']}",
    )


def make_event_type(region):
    """An event type of `region`'s own library, named with that region's canary: members of other regions
    must get 404 for it and never see its name."""
    from samvirke.risk.models import EventType

    return EventType.objects.create(
        region=region, category="natural", name=f"Type {CANARIES['other_region']}"
    )
