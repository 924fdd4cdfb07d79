from django.core.management.base import BaseCommand

from samvirke.plans.defaults import load_defaults


class Command(BaseCommand):
    help = (
        "Create or update the default document types, elections and rule sets (forskrift om kommunal "
        "beredskapsplikt, LEH/MSBFS 2015:5, the MSB–SKR agreement)."
    )

    def handle(self, *args, **options):
        types = load_defaults()
        self.stdout.write(f"Loaded {len(types)} document types and the default rule sets.")
