"""Background tasks (django-tasks; django-tasks-db's database backend runs them in `manage.py db_worker`).

`reminder_pass` is queued once a day by `manage.py enqueue_reminders` (cron or a systemd timer; see
README). It brings the due items in line with the rules first (time passing makes the next occurrence the
current one), then sends the reminders. Queuing it twice, or a worker restarting in the middle, sends
nothing twice (reminders.sending).
"""

from __future__ import annotations

from django_tasks import task

from samvirke.plans.due import refresh_due_items
from samvirke.reminders.sending import send_reminders


def run_pass(*, derive: bool = True) -> dict:
    derived = refresh_due_items() if derive else None
    result = send_reminders().as_dict()
    if derived is not None:
        result["due_items"] = derived
    return result


@task()
def reminder_pass(derive: bool = True) -> dict:
    return run_pass(derive=derive)
