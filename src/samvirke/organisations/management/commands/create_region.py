from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from samvirke.organisations.services import region_create


class Command(BaseCommand):
    help = "Create a region (cooperation), or rename it if the slug exists. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="short name used in URLs and by add_organisation")
        parser.add_argument("--name", required=True)
        parser.add_argument("--description", default="")

    def handle(self, *args, slug, name, description, **options):
        try:
            region, created = region_create(slug=slug, name=name, description=description)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} region “{region.name}” (slug {region.slug}, id {region.pk}).")
        )
