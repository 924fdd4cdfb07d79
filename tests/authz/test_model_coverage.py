"""Model meta-test: every concrete model in the samvirke.* apps is content (behind the chokepoint) or is
in the explicit, commented allow-list below.

A content model subclasses `samvirke.core.models.Content`, so it has an owner, an access level and a
default manager whose queryset is a `ContentQuerySet` with `visible_to`.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from simple_history.models import HistoricalChanges

from samvirke.core.models import Content, ContentQuerySet

#: Concrete samvirke models that are NOT content, and why that is safe. "app_label.ModelName".
NOT_CONTENT = {
    # Directory data (regions, organisations, memberships): readable by members of the same region,
    # through samvirke.organisations.selectors (regions_visible_to / organisations_visible_to).
    "organisations.Region": "directory data, organisations.selectors.regions_visible_to",
    "organisations.Organisation": "directory data, organisations.selectors.organisations_visible_to",
    # Memberships are read on the organisation pages (organisations.selectors.organisation_detail, region
    # members only) and changed only through organisations.services (administrators, regional coordinators).
    "organisations.Membership": "directory data, organisations.selectors.organisation_detail",
    # People: read only as the signed-in user themselves, or as contacts within the region.
    "accounts.User": "people, not records; only the user's own profile is editable",
    # Personal API tokens: only their owner can list or revoke them (accounts.views filters by
    # user=request.user).
    "accounts.ApiToken": "owner-only, filtered by user in accounts.views",
    # The access log is written by core.visibility.log_reads and has no read route yet.
    "core.AccessLogEntry": "append-only audit log, no read route",
    # Risk reference data: shared scales, legal requirement items, critical societal functions, sectors and
    # the event-type library hold no municipal information; anyone signed in may read them. Adapted scale
    # sets are created only through risk.services.scale_set_copy (editors of the owner organisation).
    "risk.ScaleSet": "reference data; copies through risk.services.scale_set_copy",
    "risk.LikelihoodClass": "reference data (part of a scale set)",
    "risk.ConsequenceType": "reference data (part of a scale set)",
    "risk.ConsequenceLevel": "reference data (part of a scale set)",
    "risk.AcceptanceBand": "reference data (part of a scale set)",
    "risk.Sector": "reference data",
    "risk.Requirement": "reference data (forskrift § 2 a–f, MSBFS 2015:5)",
    "risk.CriticalFunction": "reference data (DSB 2016)",
    "risk.EventType": "reference data (the regional event-type library)",
    # A consequence assessment is part of its event: read only through an event fetched with
    # risk.selectors.get_event_for / events_visible_to (the event AND its analysis visible), written only
    # by risk.services.event_create/event_update.
    "risk.ConsequenceAssessment": "part of AnalysedEvent, read through risk.selectors",
    # An adopted version is a frozen snapshot of one analysis: read only after get_analysis_for (the
    # analysis visible), and each event or measure in it is shown only if the reader may see it
    # (risk.versions.diff_for; written only by risk.versions.freeze for editors of the owner).
    "risk.AnalysisVersion": "snapshot of RiskAnalysis, read through risk.versions after get_analysis_for",
    # Workshops belong to one analysis: read only after get_analysis_for, showing only the events the
    # reader may see (risk.workshop); scores only by members who can see the event, agreements only by
    # the owner's editors through risk.services.event_update.
    "risk.WorkshopSession": "part of RiskAnalysis, read through risk.workshop after get_analysis_for",
    "risk.WorkshopScore": "part of WorkshopSession, read through risk.workshop (visible events only)",
    "risk.WorkshopAgreement": "part of WorkshopSession, read through risk.workshop (visible events only)",
    # Plans reference data: document types, elections and the national rule sets hold no municipal
    # information. A region's own rule set is read by that region's members (plans.selectors.rule_sets_for).
    "plans.DocumentType": "reference data (kinds of governing documents)",
    "plans.Election": "reference data (election years that start mandate periods)",
    "plans.RuleSet": "reference data; region-local sets through plans.selectors.rule_sets_for",
    "plans.Rule": "reference data (part of a rule set)",
    # An attachment is part of its document and has no level of its own: it is read (downloaded) only through
    # plans.selectors.get_attachment_for, which first fetches the document with get_visible (logged), and
    # written only by plans.services.attachment_add/attachment_delete (editors of the document's owner).
    "plans.DocumentAttachment": "part of GoverningDocument, read through plans.selectors.get_attachment_for",
    # Due items are derived from the rules and the register (plans.due). Read only through
    # plans.selectors.due_items_visible_to: members of the organisation's region, and an item about a document
    # only if the reader may read that document (GoverningDocument.visible_to as a subquery).
    "plans.DueItem": "derived data, read through plans.selectors.due_items_visible_to",
    # One RACI letter of a follow-up activity for a person, organisation or named role: part of its activity,
    # with no level of its own. Read only with activities fetched through followup.selectors
    # (activities_visible_to / get_activity_for: the activity AND its plan visible), written only by
    # followup.services (activity_create / activity_update, editors of the owner, in the versioned save).
    "followup.Responsibility": "part of Activity, read through followup.selectors with its activity",
    # The reminder ledger (one row per due item, kind and recipient) is the worker's record of what it sent;
    # no page reads it. What a reminder tells is read per recipient through due_items_visible_to and
    # documents_visible_to (reminders.sending).
    "reminders.Reminder": "the reminder worker's ledger, no read route",
    # A calendar feed is listed and revoked only by its maker or the editors of its organisation
    # (reminders.selectors.feeds_manageable_by); what the feed shows is read through the chokepoint with
    # the maker's actor (reminders.feeds).
    "reminders.CalendarFeed": "maker/editors only, reminders.selectors.feeds_manageable_by",
    # An agreement's attachment is part of the agreement and has no level of its own: downloaded only through
    # agreements.selectors.get_attachment_for (the agreement with get_visible first, logged), written only by
    # agreements.services.attachment_add/attachment_delete (editors of the agreement's owner).
    "agreements.AgreementAttachment": "part of Agreement, read through selectors.get_attachment_for",
    # A stored offline copy of an emergency plan (beredskapsperm) as one reader sees it: derived data, read
    # only through emergencyplan.binder.binder_for after selectors.get_plan_for, and only in the variant made
    # from the parts and cards that reader may read (the variant is chosen from those records, never from
    # the request).
    "emergencyplan.Binder": "derived data, read through emergencyplan.binder.binder_for after get_plan_for",
}


def samvirke_models():
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m.__module__.startswith("samvirke.")
        or apps.get_app_config(m._meta.app_label).name.startswith("samvirke.")
    ]


def label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def history_source(model):
    """The model a simple-history `Historical...` model records, or None."""
    if issubclass(model, HistoricalChanges):
        return model.instance_type
    return None


def m2m_source(model):
    """The model owning an auto-created many-to-many table (e.g. Notice.shared_with), or None."""
    if model._meta.auto_created:
        return model._meta.auto_created
    return None


def test_every_samvirke_model_is_content_or_allowed():
    problems = []
    for model in samvirke_models():
        if model._meta.abstract:
            continue
        name = label(model)
        if issubclass(model, Content):
            assert name not in NOT_CONTENT, f"{name} is content; remove it from NOT_CONTENT"
            continue
        # Historical models are handled generically: a content model's history is only ever read through a
        # record fetched via the chokepoint (obj.history), which the route walker and the source scan
        # below enforce; other models' history follows the rule for the model itself.
        source = history_source(model)
        if source is not None:
            if not issubclass(source, Content) and label(source) not in NOT_CONTENT:
                problems.append(f"{name} (history of {label(source)}, which is neither content nor allowed)")
            continue
        # Auto-created many-to-many tables (shared_with, named_people, member_organisations) belong to
        # the model that declares the field and are only reached through it.
        source = m2m_source(model)
        if source is not None:
            if not issubclass(source, Content) and label(source) not in NOT_CONTENT:
                problems.append(
                    f"{name} (many-to-many of {label(source)}, which is neither content nor allowed)"
                )
            continue
        if name not in NOT_CONTENT:
            problems.append(name)
    assert not problems, (
        f"Models neither content nor allow-listed: {problems}. Subclass samvirke.core.models.Content, or add "
        "the model to NOT_CONTENT in tests/authz/test_model_coverage.py with a comment saying who may read "
        "it "
        "and where that is enforced."
    )


def test_allow_list_is_not_stale():
    known = {label(m) for m in samvirke_models()}
    stale = set(NOT_CONTENT) - known
    assert not stale, f"NOT_CONTENT lists models that no longer exist: {stale}"


CONTENT_MODELS = [m for m in samvirke_models() if issubclass(m, Content) and not m._meta.abstract]


def test_there_is_content():
    assert CONTENT_MODELS, "no content models found: the meta-test is not looking at the right apps"


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=label)
def test_every_manager_of_content_is_the_chokepoint(model):
    """Default and any extra managers return ContentQuerySet, so `visible_to` is always at hand."""
    assert isinstance(model._default_manager.all(), ContentQuerySet), f"{label(model)}: default manager"
    for manager in model._meta.managers:
        assert isinstance(manager.all(), ContentQuerySet), (
            f"{label(model)}.{manager.name} is not a ContentQuerySet manager: it skips visible_to"
        )
    assert hasattr(model.objects.none(), "visible_to")
    fields = {f.name for f in model._meta.get_fields()}
    assert {"owner", "access_level", "shared_with", "named_people"} <= fields
    assert hasattr(model, "history"), f"{label(model)} has no history"


# ---------------------------------------------------------------------------------------------------
# Source scan: reads of content that bypass the chokepoint
# ---------------------------------------------------------------------------------------------------

SRC = Path(__file__).resolve().parents[2] / "src" / "samvirke"

#: Files allowed to read content without an actor, and why.
SCAN_ALLOWED = {
    "demo/loader.py": "loads the demo data idempotently; no request, no actor",
    "demo/risk.py": "loads the demo risk analyses idempotently; no request, no actor",
    # The scale-set rules look at every analysis that uses a set, readable by the editor or not: is one
    # adopted (then the set is locked), and the stored colours of the open ones follow new bands. Nothing of
    # those analyses is shown; the reads of analyses for pages are in risk.selectors_library.
    "risk/services_library.py": "scale-set rules over every analysis using the set; nothing is shown",
    # Adopted versions must hold the whole analysis whoever froze it, so the snapshot reads every event
    # and measure of one analysis. It returns plain data only to risk/versions.py, which shows each entry
    # only to readers who may see it (versions.diff_for, tested in risk/tests/test_versions.py).
    "risk/snapshot.py": "whole-analysis snapshots for adopted versions; filtered per reader in versions.py",
    "demo/plans.py": "loads the demo document registers idempotently; no request, no actor",
    # The due-item job reads documents' dates and statuses for every municipality without a person asking
    # (manage.py derive_due_items, and after a document save); what it writes is read through
    # plans.selectors.due_items_visible_to, which re-applies the document's visibility.
    "plans/due.py": "system job deriving due items; its output is read through the chokepoint",
    "demo/followup.py": "loads the demo follow-up plans and evaluations idempotently; no request, no actor",
    "demo/emergencyplan.py": "loads the demo emergency plans idempotently; no request, no actor",
    "demo/agreements.py": "loads the demo agreements idempotently; no request, no actor",
}


def _bypasses(name: str) -> list[re.Pattern]:
    return [
        re.compile(
            rf"\b{name}\.objects\.(get|filter|exclude|all|first|last|in_bulk|raw|iterator|values|values_list)\("
        ),
        re.compile(rf"\b{name}\._default_manager\b"),
        re.compile(rf"\b{name}\.history\b"),  # class-level history: every version of every record
        re.compile(rf"\bHistorical{name}\b"),
        re.compile(rf"\bget_(object|list)_or_404\(\s*{name}\b"),
    ]


def test_no_content_read_bypasses_the_chokepoint_in_source():
    """`Notice.objects.get(pk=...)` and friends in application code are refused; start from visible_to."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if "/migrations/" in rel or "/tests/" in rel or rel in SCAN_ALLOWED:
            continue
        text = path.read_text(encoding="utf-8")
        for model in CONTENT_MODELS:
            for pattern in _bypasses(model.__name__):
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    offenders.append(f"{rel}:{line}: {match.group(0)}")
    assert not offenders, (
        "Content read without the chokepoint (use Model.objects.visible_to(actor) or get_visible):\n"
        + "\n".join(offenders)
    )
