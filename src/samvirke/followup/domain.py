"""Pure rules of follow-up plans: kinds and statuses, which due items a plan takes, how re-generating
merges with what people changed, recurrence, the RACI rules and what an annual evaluation needs before it
is submitted. No ORM.

Re-generating a plan from the rules (services.plan_generate) is `sync_plan` over plain tuples:

* every wanted activity (a due item of the plans app in the plan's window, or a standard activity such as
  the annual evaluation) is created once, keyed by `due_key` / its standard key, never twice;
* an activity nobody has changed follows its due item (title, date, done when the item is done);
* an activity a person has changed (edited, postponed, marked done, cancelled) is left exactly as it is;
* an unchanged activity whose due item the rules no longer give (a missing document was registered, a rule
  was switched off) is cancelled with a reason, not deleted, so nothing disappears silently.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from samvirke.plans.domain import add_months


class Kind:
    REVISION = "revision"
    EXERCISE = "exercise"
    ANNUAL_EVALUATION = "evaluation"
    TRAINING = "training"
    REPORTING = "reporting"
    COOPERATION = "cooperation"
    OTHER = "other"


class Status:
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    POSTPONED = "postponed"
    DONE = "done"
    CANCELLED = "cancelled"
    OPEN = (PLANNED, IN_PROGRESS, POSTPONED)


#: The plans app's rule activities (plans.models.Activity) as kinds of follow-up activity.
KIND_FOR_RULE_ACTIVITY = {
    "revision": Kind.REVISION,
    "exercise": Kind.EXERCISE,
    "evaluation": Kind.ANNUAL_EVALUATION,
    "training": Kind.TRAINING,
}

#: A rolling plan looks this many days ahead for due items.
ROLLING_DAYS = 365

#: Standard activity keys (not from due items). The annual evaluation's is what submitting an evaluation
#: marks done.
ANNUAL_EVALUATION_KEY = "std:annual-evaluation"
COUNCIL_REPORT_KEY = "std:council-report"
MUNICIPAL_SURVEY_KEY = "std:dsb-survey"


def due_key(rule_id: int, subject: str, due_date: datetime.date) -> str:
    """The key of a due item (plans.DueItem's unique organisation, rule, subject and due date)."""
    return f"due:{rule_id}:{subject}:{due_date.isoformat()}"


def parse_due_key(key: str) -> tuple[int, str, datetime.date] | None:
    """(rule id, subject, due date) of a due key, or None for other keys."""
    if not key.startswith("due:"):
        return None
    try:
        _prefix, rule, rest = key.split(":", 2)
        subject, due = rest.rsplit(":", 1)
        return int(rule), subject, datetime.date.fromisoformat(due)
    except ValueError:
        return None


def plan_window(year: int | None, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The dates a plan covers: its calendar year, or for a rolling plan from today a year ahead."""
    if year is None:
        return today, today + datetime.timedelta(days=ROLLING_DAYS)
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def takes_due_item(
    due: datetime.date,
    done_on: datetime.date | None,
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> bool:
    """Whether a plan with window [start, end] takes a due item: everything due in the window, and what
    was owed from before it and is still open or was done in it (plans.domain.in_window). A plan that
    starts in the future takes nothing owed from before: that belongs to the current plan."""
    if due > end:
        return False
    if due >= start:
        return True
    if start > today:
        return False
    return done_on is None or done_on >= start


def is_overdue(planned_date: datetime.date | None, status: str, today: datetime.date) -> bool:
    return bool(planned_date and status in Status.OPEN and planned_date < today)


def next_occurrence(planned_date: datetime.date, months: int, plan_year: int | None) -> datetime.date | None:
    """The next date of a recurring activity, if it is still inside the plan (a year plan's own year)."""
    if not months:
        return None
    following = add_months(planned_date, months)
    if plan_year is not None and following.year != plan_year:
        return None
    return following


# --- standard activities ----------------------------------------------------------------------------------


class StandardActivity(NamedTuple):
    key: str
    kind: str
    title: object  # a lazy translated string: stored in the organisation's language when generated
    description: object
    planned_date: datetime.date


def standard_activities(year: int, country: str) -> list[StandardActivity]:
    """What every year plan holds besides the rules' due items: the annual evaluation and the report of
    it to the council, and for Norwegian municipalities DSB's annual municipal survey (Kommuneundersøkelsen,
    sent to the preparedness coordinator at the start of the year)."""
    activities = [
        StandardActivity(
            ANNUAL_EVALUATION_KEY,
            Kind.ANNUAL_EVALUATION,
            _("Annual evaluation of the preparedness work"),
            _(
                "Were the risk analysis, the emergency plan, exercises and training current; what was "
                "learned and what will change. Write it in Samvirke: submitting it marks this activity done."
            ),
            datetime.date(year, 11, 30),
        ),
        StandardActivity(
            COUNCIL_REPORT_KEY,
            Kind.REPORTING,
            _("Report the preparedness work to the council"),
            _("The annual evaluation and the status of the plans and measures, for the elected body."),
            datetime.date(year, 12, 15),
        ),
    ]
    if country == "NO":
        activities.insert(
            0,
            StandardActivity(
                MUNICIPAL_SURVEY_KEY,
                Kind.REPORTING,
                _("Answer DSB's municipal survey (Kommuneundersøkelsen)"),
                _("DSB's annual survey of the municipalities' preparedness work."),
                datetime.date(year, 2, 1),
            ),
        )
    return activities


# --- generation -------------------------------------------------------------------------------------------


class Wanted(NamedTuple):
    """An activity the rules (or the standard list) want in the plan."""

    key: str
    kind: str
    title: str
    planned_date: datetime.date
    rule_id: int | None = None
    done_on: datetime.date | None = None
    #: The document the due item is about (to give the activity that document's level if stricter).
    document_id: int | None = None
    description: str = ""


class Existing(NamedTuple):
    """What re-generating needs to know of an activity already in the plan."""

    id: int
    key: str
    edited: bool
    status: str
    title: str
    planned_date: datetime.date
    done_on: datetime.date | None


class Sync(NamedTuple):
    create: list[Wanted]
    #: (activity id, {field: value}) for activities nobody changed that should follow their due item
    update: list[tuple[int, dict]]
    #: unchanged, still open activities whose due item the rules no longer give: cancel them
    obsolete: list[int]


def sync_plan(existing: Iterable[Existing], wanted: Iterable[Wanted]) -> Sync:
    """Merge what the rules want with what the plan holds (see the module docstring). Idempotent: running it
    on its own result gives nothing to do."""
    by_key: dict[str, Existing] = {e.key: e for e in existing if e.key}
    create, update = [], []
    seen = set()
    for item in wanted:
        if item.key in seen:
            continue
        seen.add(item.key)
        current = by_key.get(item.key)
        if current is None:
            create.append(item)
            continue
        if current.edited:
            continue
        fields = {
            "title": item.title,
            "planned_date": item.planned_date,
            "status": Status.DONE if item.done_on else Status.PLANNED,
            "done_on": item.done_on,
        }
        if current.status == Status.CANCELLED and not item.done_on:
            # Cancelled by an earlier run (obsolete) and wanted again: planned again.
            fields["status"] = Status.PLANNED
        now = {
            "title": current.title,
            "planned_date": current.planned_date,
            "status": current.status,
            "done_on": current.done_on,
        }
        changed = {name: value for name, value in fields.items() if now[name] != value}
        if changed:
            update.append((current.id, changed))
    obsolete = [
        e.id
        for key, e in by_key.items()
        if key not in seen and key.startswith("due:") and not e.edited and e.status in Status.OPEN
    ]
    return Sync(create, update, obsolete)


# --- responsibility (RACI) --------------------------------------------------------------------------------

RACI_LETTERS = ("R", "A", "C", "I")


def party_key(user_id: int | None, organisation_id: int | None, name: str = "") -> str:
    if user_id is not None:
        return f"user:{user_id}"
    if organisation_id is not None:
        return f"org:{organisation_id}"
    return f"name:{' '.join(name.split()).casefold()}"


def split_names(text: str) -> list[str]:
    """Role or body names typed as free text, separated by semicolons or new lines, without repeats."""
    names, seen = [], set()
    for part in (text or "").replace("\n", ";").split(";"):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def raci_gaps(letters: Iterable[str]) -> list[str]:
    """The letters an activity should have and lacks: someone who does the work (R) and someone who
    answers for it (A)."""
    present = set(letters)
    return [letter for letter in ("R", "A") if letter not in present]


def raci_problems(assignments: Mapping[str, list[str]]) -> dict[str, object]:
    """Errors of one activity's RACI ({letter: [party keys]}), as {letter: message}. Exactly one party
    answers for an activity, so more than one Accountable is refused."""
    problems: dict[str, object] = {}
    if len(set(assignments.get("A", []))) > 1:
        problems["A"] = _(
            "Only one person or body can be accountable for an activity. Choose one; put the others under "
            "Responsible or Consulted."
        )
    return problems


# --- annual evaluation ------------------------------------------------------------------------------------

ANSWER_CHOICES = [("yes", _("Yes")), ("partly", _("Partly")), ("no", _("No"))]

#: The yes / partly / no questions with their comments, in the order of the form and the report.
QUESTIONS = (
    ("hros_current", "hros_comment"),
    ("plan_current", "plan_comment"),
    ("exercises_current", "exercises_comment"),
    ("training_current", "training_comment"),
    ("followup_current", "followup_comment"),
)
#: Free-text answers, in order.
TEXTS = ("lessons_learned", "changes_planned", "measures_status", "cooperation", "summary")
EVALUATION_FIELDS = (*(name for pair in QUESTIONS for name in pair), *TEXTS)
#: What a submitted evaluation must contain.
REQUIRED_FOR_SUBMIT = (*(question for question, _comment in QUESTIONS), "lessons_learned", "changes_planned")


def missing_for_submit(answers: Mapping[str, str]) -> list[str]:
    """The fields an evaluation lacks before it can be submitted (empty: ready)."""
    return [name for name in REQUIRED_FOR_SUBMIT if not (answers.get(name) or "").strip()]


def comment_required(answers: Mapping[str, str]) -> list[str]:
    """Comments needed: a question answered "partly" or "no" must say what was missing."""
    return [
        comment
        for question, comment in QUESTIONS
        if answers.get(question) in ("partly", "no") and not (answers.get(comment) or "").strip()
    ]
