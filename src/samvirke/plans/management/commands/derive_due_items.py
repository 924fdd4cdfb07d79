from django.core.management.base import BaseCommand

from samvirke.plans.due import refresh_due_items


class Command(BaseCommand):
    help = (
        "Derive due items from the rules and the document register for every municipality (idempotent; run "
        "daily so that states move from upcoming to due to overdue)."
    )

    def handle(self, *args, **options):
        result = refresh_due_items()
        self.stdout.write(
            "Due items: {items} in the window, {created} created, {updated} updated, "
            "{deleted} removed.".format(**result)
        )
