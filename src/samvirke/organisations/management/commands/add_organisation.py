from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from samvirke.organisations.models import Organisation, Region
from samvirke.organisations.services import organisation_create


def _decimal(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise CommandError(f"not a number: {value!r}") from error


class Command(BaseCommand):
    help = "Add a municipality, partner organisation or group to a region."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="the region's slug (see create_region)")
        parser.add_argument("--kind", required=True, choices=Organisation.Kind.values)
        parser.add_argument("--name", required=True)
        parser.add_argument("--short-name", default="")
        parser.add_argument(
            "--number", default="", help="four-digit kommunenummer / kommunkod (municipalities)"
        )
        parser.add_argument("--country", default="NO", choices=Organisation.Country.values)
        parser.add_argument("--language", default=None, help="nb, sv or en (default: sv for SE, else nb)")
        parser.add_argument("--partner-type", default="", choices=Organisation.PartnerType.values)
        parser.add_argument("--population", type=int, default=None)
        parser.add_argument("--centre", default="", help="administrative centre")
        parser.add_argument("--lat", default=None)
        parser.add_argument("--lon", default=None)

    def handle(self, *args, **o):
        region = Region.objects.filter(slug=o["region"]).first()
        if region is None:
            raise CommandError(f"no region with slug {o['region']!r}; create it with manage.py create_region")
        if o["kind"] == Organisation.Kind.MUNICIPALITY and not o["number"]:
            raise CommandError("a municipality needs --number (kommunenummer / kommunkod)")
        data = {
            "kind": o["kind"],
            "name": o["name"],
            "short_name": o["short_name"],
            "municipality_number": o["number"],
            "country": o["country"],
            "language": o["language"] or ("sv" if o["country"] == "SE" else "nb"),
            "partner_type": o["partner_type"],
            "population": o["population"],
            "administrative_centre": o["centre"],
            "latitude": _decimal(o["lat"]),
            "longitude": _decimal(o["lon"]),
        }
        try:
            org = organisation_create(region=region, data=data)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Added {org.get_kind_display().lower()} “{org.name}” (id {org.pk}).")
        )
