from django.core.management.base import BaseCommand

from samvirke.reminders.tasks import reminder_pass


class Command(BaseCommand):
    help = (
        "Queue one reminder pass for the background worker (manage.py db_worker). Run it daily from cron "
        "or a systemd timer; queuing it more often is harmless."
    )

    def handle(self, *args, **options):
        result = reminder_pass.enqueue()
        self.stdout.write(f"queued reminder pass {result.id}")
