from django.core.management.base import BaseCommand

from samvirke.demo import data
from samvirke.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load (or refresh) the demo region. Safe to run again: nothing is created twice."

    def handle(self, *args, **options):
        result = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo region “{result['region'].name}”: {result['organisations']} organisations, "
                f"{result['users']} users, {result['notices']} notices."
            )
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {data.PASSWORD}):")
        for username, first, last, _lang, memberships in data.USERS:
            roles = (
                ", ".join(f"{role} @ {key}" for key, role, _t in memberships)
                or "no organisation (public only)"
            )
            self.stdout.write(f"  {username:<22} {first} {last}: {roles}")
        self.stdout.write("")
        self.stdout.write(
            "Two-factor: the one-time code for demo users is shown on the code page (demo mode only)."
        )
