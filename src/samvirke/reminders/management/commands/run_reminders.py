from django.core.management.base import BaseCommand

from samvirke.reminders.tasks import run_pass


class Command(BaseCommand):
    help = (
        "One reminder pass, now, in this process: derive the due items, then e-mail the reminders due today "
        "(idempotent: what was sent is never sent again)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-derive",
            action="store_true",
            help="Do not bring the due items in line with the rules first.",
        )

    def handle(self, *args, **options):
        result = run_pass(derive=not options["no_derive"])
        self.stdout.write(
            "reminders: {sent} sent in {messages} e-mails, {failed} failed, {already} already handled, "
            "{not_visible} left out (not visible to the recipient)".format(**result)
        )
        for error in result["errors"]:
            self.stderr.write(error)
