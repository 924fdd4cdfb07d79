from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from samvirke.core.access import Role
from samvirke.organisations.models import Organisation
from samvirke.organisations.services import (
    is_invited_only,
    membership_add_by_operator,
    send_invitation,
    set_password_link,
)


def default_base_url() -> str:
    origins = getattr(settings, "CSRF_TRUSTED_ORIGINS", [])
    return origins[0] if origins else "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Give a person a role in an organisation (for bootstrapping: e.g. the first administrator). "
        "Creates the account if needed and prints a link to choose a password "
        "(or e-mails it with --send-email)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--organisation", required=True, help="four-digit municipality number, or the organisation's id"
        )
        parser.add_argument("--country", default=None, help="with a municipality number shared by NO and SE")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--title", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--send-email", action="store_true", help="e-mail the link instead of printing it"
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="the site's address for the link (default: first CSRF_TRUSTED_ORIGINS)",
        )

    def _organisation(self, key: str, country: str | None) -> Organisation:
        if len(key) == 4 and key.isdigit():
            matches = Organisation.objects.filter(municipality_number=key)
            if country:
                matches = matches.filter(country=country)
            matches = list(matches[:2])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise CommandError(f"municipality number {key} exists in several countries; add --country")
        if key.isdigit():
            org = Organisation.objects.filter(pk=int(key)).first()
            if org is not None:
                return org
        raise CommandError(f"no organisation with municipality number or id {key!r}")

    def handle(self, *args, **o):
        organisation = self._organisation(o["organisation"].strip(), o["country"])
        try:
            result = membership_add_by_operator(
                organisation=organisation,
                email=o["email"],
                role=o["role"],
                title=o["title"],
                first_name=o["first_name"],
                last_name=o["last_name"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        user = result.membership.user
        state = "new account" if result.user_created else "existing account"
        self.stdout.write(
            self.style.SUCCESS(
                f"{user.username} ({state}) is now {result.membership.get_role_display()} "
                f"in {organisation.name}."
            )
        )
        if not (result.user_created or is_invited_only(user)):
            return
        base_url = o["base_url"] or default_base_url()
        if o["send_email"]:
            if send_invitation(user, organisation, o["role"], link_base=base_url):
                self.stdout.write(f"A link to choose a password was e-mailed to {user.email}.")
            else:
                raise CommandError(
                    f"the e-mail to {user.email} could not be sent; run again without --send-email"
                )
        else:
            self.stdout.write("Give the person this link to choose a password (it works once):")
            self.stdout.write(set_password_link(user, base_url))
