from django.core.management.base import BaseCommand

from samvirke.risk.defaults import load_defaults


class Command(BaseCommand):
    help = (
        "Create or update the default risk scale sets (DSB 2014 kommune, FylkesROS/NRB) and reference lists."
    )

    def handle(self, *args, **options):
        sets = load_defaults()
        self.stdout.write(f"Loaded scale sets: {', '.join(sorted(sets))}")
