"""Idempotent loader for the demo region. Re-running updates in place and creates nothing twice."""

import hashlib

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from samvirke.core.access import Actor
from samvirke.demo import data
from samvirke.notices.models import Notice
from samvirke.organisations.models import Membership, Organisation, Region


def demo_totp_key(username: str) -> str:
    """A fixed TOTP key per demo user (hex), so the demo and the tests can compute codes."""
    return hashlib.sha1(f"samvirke-demo:{username}".encode()).hexdigest()  # noqa: S324 - not security


@transaction.atomic
def load_demo() -> dict:
    region, _ = Region.objects.update_or_create(
        slug=data.REGION["slug"],
        defaults={"name": data.REGION["name"], "description": data.REGION["description"]},
    )
    orgs: dict[str, Organisation] = {}
    for name, number, country, language, population, centre, lat, lon in data.MUNICIPALITIES:
        org, _ = Organisation.objects.update_or_create(
            country=country,
            municipality_number=number,
            defaults=dict(
                region=region,
                kind=Organisation.Kind.MUNICIPALITY,
                name=f"{name} kommun" if country == "SE" else f"{name} kommune",
                short_name=name,
                language=language,
                population=population,
                administrative_centre=centre,
                latitude=lat,
                longitude=lon,
            ),
        )
        orgs[number] = org
    region.host = orgs[data.HOST]
    region.save()
    for name, partner_type, country, language in data.PARTNERS:
        org, _ = Organisation.objects.update_or_create(
            region=region,
            name=name,
            defaults=dict(
                kind=Organisation.Kind.PARTNER, partner_type=partner_type, country=country, language=language
            ),
        )
        orgs[name] = org
    for name, members in data.GROUPS:
        org, _ = Organisation.objects.update_or_create(
            region=region, name=name, defaults=dict(kind=Organisation.Kind.GROUP, country="NO", language="nb")
        )
        org.member_organisations.set([orgs[m] for m in members])
        orgs[name] = org

    user_model = get_user_model()
    users = {}
    for username, first, last, language, memberships in data.USERS:
        user, created = user_model.objects.get_or_create(username=username)
        user.first_name, user.last_name, user.language = first, last, language
        user.email = f"{username}@demo.samvirke.invalid"
        if created or not user.check_password(data.PASSWORD):
            user.set_password(data.PASSWORD)
        user.save()
        users[username] = user
        for key, role, title in memberships:
            Membership.objects.update_or_create(
                user=user, organisation=orgs[key], role=role, defaults={"title": title, "active": True}
            )
        TOTPDevice.objects.update_or_create(
            user=user, name="Demo", defaults={"key": demo_totp_key(username), "confirmed": True}
        )

    for owner_key, title, category, level, exemption, shared, named, body in data.NOTICES:
        owner = orgs[owner_key]
        notice = Notice.objects.filter(owner=owner, title=title).first() or Notice(owner=owner, title=title)
        notice.category, notice.access_level, notice.exemption_basis, notice.body = (
            category,
            level,
            exemption,
            body,
        )
        notice._change_reason = ""  # the history shows "system" as the author
        notice.save()
        notice.shared_with.set([orgs[k] for k in shared])
        notice.named_people.set([users[u] for u in named])

    from samvirke.demo.risk import load_risk_demo

    risk = load_risk_demo(orgs, users)
    from samvirke.demo.plans import load_plans_demo

    plans = load_plans_demo(orgs, users)
    from samvirke.demo.emergencyplan import load_emergency_plans_demo

    emergency_plans = load_emergency_plans_demo(orgs)
    from samvirke.demo.followup import load_followup_demo

    followup = load_followup_demo(orgs, users)
    from samvirke.demo.agreements import load_agreements_demo

    agreements = load_agreements_demo(orgs)
    return {
        "region": region,
        "organisations": len(orgs),
        "users": len(users),
        "notices": len(data.NOTICES),
        "risk": risk,
        "plans": plans,
        "emergency_plans": emergency_plans,
        "followup": followup,
        "agreements": agreements,
    }


def demo_actor(username: str) -> Actor:
    from samvirke.core.access import actor_for_user

    return actor_for_user(get_user_model().objects.get(username=username), verified=True)
