"""Pages of the emergency plan. Views stay thin: one selector or service per request, with request.actor.

Reads: the plan through selectors.get_plan_for (404 for anyone who may not read it), then its part or card
(selectors.get_part_for / get_card_for). Edit pages are for the owner's editors (403 for other readers). A
concurrent save is answered with both versions and the typed values kept (409); bad input with the form
again and the reason (200). Part pages are one set of views for all parts (parts.PARTS), chosen by the
`part` argument that urls.py passes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samvirke.core.errors import Conflict, NotFound
from samvirke.core.forms import EXEMPTION_SUGGESTIONS, apply_validation_error, conflict_form
from samvirke.core.services import ensure_can_edit
from samvirke.core.views import render_history, restore_then_redirect
from samvirke.emergencyplan import binder, entries, selectors, services
from samvirke.emergencyplan.forms import (
    CardForm,
    PlanForm,
    entry_form_class,
    entry_initial,
    part_form_class,
)
from samvirke.emergencyplan.history import versions_of
from samvirke.emergencyplan.parts import BY_KEY
from samvirke.organisations import selectors as org_selectors


def _form_context(form, **extra):
    return {"form": form, "exemption_suggestions": EXEMPTION_SUGGESTIONS, **extra}


def _spec(part):
    spec = BY_KEY.get(part)
    if spec is None:
        raise NotFound()
    return spec


# --- region, organisation, plan --------------------------------------------------------------------------


@login_required
def index(request):
    regions = list(org_selectors.regions_visible_to(request.actor))
    if not regions:
        return render(request, "web/no_region.html")
    return redirect("emergencyplan:region", region_id=regions[0].pk)


@login_required
def region(request, region_id):
    region = org_selectors.get_region_for(request.actor, region_id)
    context = selectors.region_plans(request.actor, region, page=request.GET.get("page"))
    context["regions"] = list(org_selectors.regions_visible_to(request.actor))
    return render(request, "emergencyplan/region.html", context)


@login_required
def organisation(request, organisation_id):
    """The organisation's plan if the reader may read it; otherwise what to do about it."""
    organisation = org_selectors.get_organisation_for(request.actor, organisation_id)
    plan = selectors.plan_of(request.actor, organisation)
    if plan is not None:
        return redirect("emergencyplan:plan_detail", plan_id=plan.pk)
    return render(
        request,
        "emergencyplan/organisation.html",
        {"organisation": organisation, "can_edit": request.actor.can_edit_for(organisation.pk)},
    )


@login_required
@require_POST
def plan_create(request, organisation_id):
    try:
        plan = services.plan_create(actor=request.actor, organisation_id=organisation_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("emergencyplan:organisation", organisation_id=organisation_id)
    messages.success(
        request, _("The emergency plan was created with all its parts. Fill in each part and the alert list.")
    )
    return redirect("emergencyplan:plan_detail", plan_id=plan.pk)


@login_required
def plan_detail(request, plan_id):
    plan = selectors.get_plan_for(request.actor, plan_id)
    context = selectors.plan_overview(request.actor, plan)
    context.update(plan=plan, can_edit=request.actor.can_edit_for(plan.owner_id))
    return render(request, "emergencyplan/plan_detail.html", context)


@login_required
def plan_edit(request, plan_id):
    plan = selectors.get_plan_for(request.actor, plan_id)
    ensure_can_edit(request.actor, plan)
    documents = selectors.emergency_plan_documents(request.actor, plan.owner)
    kwargs = {"organisation": plan.owner, "documents": documents}
    form = PlanForm(request.POST or None, actor=request.actor, instance=plan, **kwargs)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                actor=request.actor,
                plan_id=plan.pk,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_plan_for(request.actor, plan_id)
            form = conflict_form(PlanForm, request, fresh, conflict.version, **kwargs)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The plan was saved."))
            return redirect("emergencyplan:plan_detail", plan_id=plan.pk)
    return render(
        request,
        "emergencyplan/form.html",
        _form_context(
            form,
            plan=plan,
            heading=_("Edit the plan"),
            back_url=reverse("emergencyplan:plan_detail", args=[plan.pk]),
            conflict=conflict,
        ),
        status=409 if conflict else 200,
    )


@login_required
def plan_history(request, plan_id):
    plan = selectors.get_plan_for(request.actor, plan_id, action="history")
    return render_history(
        request,
        record=plan,
        versions=versions_of(plan),
        title=plan.title,
        back_url=reverse("emergencyplan:plan_detail", args=[plan.pk]),
        restore_name="emergencyplan:plan_restore",
        restore_args=[plan.pk],
    )


@login_required
@require_POST
def plan_restore(request, plan_id, history_id):
    return restore_then_redirect(
        request,
        lambda: services.plan_restore(actor=request.actor, plan_id=plan_id, history_id=history_id),
        redirect("emergencyplan:plan_detail", plan_id=plan_id),
    )


# --- parts -----------------------------------------------------------------------------------------------


@login_required
def part_detail(request, plan_id, part):
    spec = _spec(part)
    plan = selectors.get_plan_for(request.actor, plan_id)
    obj = selectors.get_part_for(request.actor, plan, spec)
    today = timezone.localdate()
    context = {
        "plan": plan,
        "part": obj,
        "spec": spec,
        "texts": [
            (obj._meta.get_field(name).verbose_name, getattr(obj, name)) for name in spec.model.TEXT_FIELDS
        ],
        "can_edit": request.actor.can_edit_for(plan.owner_id),
        "today": today,
    }
    if spec.entries is not None:
        context["entry_spec"] = spec.entries
        context["rows"] = entries.rows(spec.entries, obj.entries, today)
        context["columns"] = [f for f in spec.entries.fields if f.column]
        context["stale_count"] = sum(1 for r in context["rows"] if r.get("stale"))
    if spec.answers_events:
        context["events"] = selectors.linked_events(request.actor, obj)
    return render(request, "emergencyplan/part_detail.html", context)


@login_required
def part_edit(request, plan_id, part):
    spec = _spec(part)
    plan = selectors.get_plan_for(request.actor, plan_id)
    obj = selectors.get_part_for(request.actor, plan, spec)
    ensure_can_edit(request.actor, obj)
    form_class = part_form_class(spec)
    events = selectors.organisation_events(request.actor, plan.owner) if spec.answers_events else None
    kwargs = {"organisation": plan.owner, "events": events}
    form = form_class(request.POST or None, actor=request.actor, instance=obj, **kwargs)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.part_update(
                actor=request.actor,
                plan_id=plan.pk,
                part_key=spec.key,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
                events=form.cleaned_data.get("events") if spec.answers_events else None,
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_part_for(request.actor, plan, spec)
            form = conflict_form(form_class, request, fresh, conflict.version, **kwargs)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(part)s was saved.") % {"part": spec.title})
            return redirect(spec.url_name(), plan_id=plan.pk)
    return render(
        request,
        "emergencyplan/form.html",
        _form_context(
            form,
            plan=plan,
            heading=_("Edit: %(part)s") % {"part": spec.title},
            intro=spec.description,
            back_url=reverse(spec.url_name(), args=[plan.pk]),
            conflict=conflict,
        ),
        status=409 if conflict else 200,
    )


@login_required
def part_history(request, plan_id, part):
    spec = _spec(part)
    plan = selectors.get_plan_for(request.actor, plan_id)
    obj = selectors.get_part_for(request.actor, plan, spec, action="history")
    return render_history(
        request,
        record=obj,
        versions=versions_of(obj, spec.entries),
        title=f"{spec.title}: {plan.title}",
        back_url=reverse(spec.url_name(), args=[plan.pk]),
        restore_name=spec.url_name("restore"),
        restore_args=[plan.pk],
    )


@login_required
@require_POST
def part_restore(request, plan_id, part, history_id):
    spec = _spec(part)
    return restore_then_redirect(
        request,
        lambda: services.part_restore(
            actor=request.actor, plan_id=plan_id, part_key=spec.key, history_id=history_id
        ),
        redirect(spec.url_name(), plan_id=plan_id),
    )


# --- entries of a part's list ----------------------------------------------------------------------------


@login_required
def entry_edit(request, plan_id, part, entry_key=None):
    """Add (no entry_key) or change one entry of a part's list."""
    spec = _spec(part)
    entry_spec = spec.entries
    if entry_spec is None:
        raise NotFound()
    plan = selectors.get_plan_for(request.actor, plan_id)
    obj = selectors.get_part_for(request.actor, plan, spec)
    ensure_can_edit(request.actor, obj)
    entry = None
    if entry_key is not None:
        entry = services.find_entry(obj, entry_key)
        if entry is None:
            raise NotFound()
    form_class = entry_form_class(entry_spec)
    if request.method == "POST":
        form = form_class(request.POST)
    else:
        form = form_class(initial=entry_initial(entry_spec, entry, obj.version))
    conflict, saved_entry, key = None, None, entry_key
    if request.method == "POST" and form.is_valid():
        try:
            _saved, key = services.entry_save(
                actor=request.actor,
                plan_id=plan.pk,
                part_key=spec.key,
                key=entry_key,
                expected_version=form.cleaned_data["version"],
                values=form.values(),
            )
        except Conflict as error:
            conflict = error.current
            saved_entry = services.find_entry(conflict, entry_key) if entry_key else None
            if entry_key is not None and saved_entry is None:
                key = None  # removed meanwhile: saving again adds it back as a new entry
            data = request.POST.copy()
            data["version"] = conflict.version
            form = form_class(data)
            form.is_valid()
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Saved: %(title)s") % {"title": entry_spec.title_of(form.values())})
            return redirect(reverse(spec.url_name(), args=[plan.pk]) + f"#entry-{key}")
    action = (
        reverse(spec.url_name("entry_edit"), args=[plan.pk, key])
        if key
        else reverse(spec.url_name("entry_new"), args=[plan.pk])
    )
    return render(
        request,
        "emergencyplan/entry_form.html",
        _form_context(
            form,
            plan=plan,
            spec=spec,
            entry=entry,
            action=action,
            back_url=reverse(spec.url_name(), args=[plan.pk]),
            conflict=conflict,
            removed_meanwhile=conflict is not None and entry_key is not None and saved_entry is None,
            conflict_fields=_entry_conflict_fields(entry_spec, saved_entry, form) if conflict else [],
        ),
        status=409 if conflict else 200,
    )


def _entry_conflict_fields(entry_spec, saved_entry, form):
    """(label, saved, yours) of every field where the saved entry and the typed one differ: saving again
    replaces the saved values, so the editor sees each one first."""
    yours = form.values() if hasattr(form, "cleaned_data") else {}
    rows = [
        (
            f.label,
            entries.display_value(f, (saved_entry or {}).get(f.name)),
            entries.display_value(f, yours.get(f.name)),
        )
        for f in entry_spec.fields
    ]
    return [row for row in rows if row[1] != row[2]]


def _posted_version(request) -> int:
    """The version the editor saw, from the form; -1 (never current) when missing or damaged."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _entry_post(request, plan_id, part, entry_key, run, done_message):
    """Remove or mark verified: POST with the part's version; a changed list is refused with a message."""
    spec = _spec(part)
    try:
        run(spec, _posted_version(request))
    except Conflict:
        messages.error(
            request,
            _("Someone else changed the list after you opened it. Check the entry below and try again."),
        )
    else:
        messages.success(request, done_message)
    return redirect(reverse(spec.url_name(), args=[plan_id]) + f"#entry-{entry_key}")


@login_required
@require_POST
def entry_remove(request, plan_id, part, entry_key):
    spec = _spec(part)
    if spec.entries is None:
        raise NotFound()
    return _entry_post(
        request,
        plan_id,
        part,
        entry_key,
        lambda spec, version: services.entry_remove(
            actor=request.actor, plan_id=plan_id, part_key=spec.key, key=entry_key, expected_version=version
        ),
        _("The entry was removed. The history keeps it, so it can be restored."),
    )


@login_required
@require_POST
def entry_verified(request, plan_id, part, entry_key):
    return _entry_post(
        request,
        plan_id,
        part,
        entry_key,
        lambda spec, version: services.entry_mark_verified(
            actor=request.actor, plan_id=plan_id, key=entry_key, expected_version=version
        ),
        _("The entry was marked as verified today."),
    )


# --- action cards ----------------------------------------------------------------------------------------


def _card_kwargs(request, plan):
    from samvirke.risk.selectors_regional import event_types_for

    return {
        "organisation": plan.owner,
        "events": selectors.organisation_events(request.actor, plan.owner),
        "event_types": event_types_for(request.actor),
    }


@login_required
def card_new(request, plan_id):
    from samvirke.emergencyplan.models import ActionCard

    plan = selectors.get_plan_for(request.actor, plan_id)
    ensure_can_edit(request.actor, plan)
    kwargs = _card_kwargs(request, plan)
    form = CardForm(
        request.POST or None, actor=request.actor, instance=ActionCard(owner=plan.owner, plan=plan), **kwargs
    )
    if request.method == "POST" and form.is_valid():
        try:
            card = services.card_create(
                actor=request.actor,
                plan_id=plan.pk,
                data=form.service_data(),
                events=form.cleaned_data["events"],
                event_types=form.cleaned_data["event_types"],
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The action card was saved."))
            return redirect("emergencyplan:card_detail", plan_id=plan.pk, card_id=card.pk)
    return render(
        request,
        "emergencyplan/form.html",
        _form_context(
            form,
            plan=plan,
            heading=_("New action card"),
            back_url=reverse("emergencyplan:plan_detail", args=[plan.pk]) + "#action-cards",
        ),
    )


@login_required
def card_detail(request, plan_id, card_id):
    plan = selectors.get_plan_for(request.actor, plan_id)
    card = selectors.get_card_for(request.actor, plan, card_id)
    return render(
        request,
        "emergencyplan/card_detail.html",
        {
            "plan": plan,
            "card": card,
            "events": selectors.linked_events(request.actor, card),
            "event_types": list(card.event_types.order_by("category", "name")),
            "can_edit": request.actor.can_edit_for(plan.owner_id),
        },
    )


@login_required
def card_edit(request, plan_id, card_id):
    plan = selectors.get_plan_for(request.actor, plan_id)
    card = selectors.get_card_for(request.actor, plan, card_id)
    ensure_can_edit(request.actor, card)
    kwargs = _card_kwargs(request, plan)
    form = CardForm(request.POST or None, actor=request.actor, instance=card, **kwargs)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.card_update(
                actor=request.actor,
                plan_id=plan.pk,
                card_id=card.pk,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                events=form.cleaned_data["events"],
                event_types=form.cleaned_data["event_types"],
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_card_for(request.actor, plan, card_id)
            form = conflict_form(CardForm, request, fresh, conflict.version, **kwargs)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The action card was saved."))
            return redirect("emergencyplan:card_detail", plan_id=plan.pk, card_id=card.pk)
    return render(
        request,
        "emergencyplan/form.html",
        _form_context(
            form,
            plan=plan,
            heading=_("Edit action card"),
            back_url=reverse("emergencyplan:card_detail", args=[plan.pk, card.pk]),
            conflict=conflict,
        ),
        status=409 if conflict else 200,
    )


@login_required
def card_delete(request, plan_id, card_id):
    """GET: what removing the card means, with the button; POST (with the version seen): remove it."""
    plan = selectors.get_plan_for(request.actor, plan_id)
    card = selectors.get_card_for(request.actor, plan, card_id)
    ensure_can_edit(request.actor, card)
    if request.method == "POST":
        try:
            title = services.card_delete(
                actor=request.actor,
                plan_id=plan.pk,
                card_id=card.pk,
                expected_version=_posted_version(request),
            )
        except Conflict:
            messages.error(
                request,
                _("Someone else changed the action card after you opened it. Check it and try again."),
            )
            return redirect("emergencyplan:card_detail", plan_id=plan.pk, card_id=card.pk)
        messages.success(request, _("The action card “%(title)s” was removed.") % {"title": title})
        return redirect(reverse("emergencyplan:plan_detail", args=[plan.pk]) + "#action-cards")
    return render(request, "emergencyplan/card_delete.html", {"plan": plan, "card": card})


@login_required
def card_history(request, plan_id, card_id):
    plan = selectors.get_plan_for(request.actor, plan_id)
    card = selectors.get_card_for(request.actor, plan, card_id, action="history")
    return render_history(
        request,
        record=card,
        versions=versions_of(card),
        title=card.title,
        back_url=reverse("emergencyplan:card_detail", args=[plan.pk, card.pk]),
        restore_name="emergencyplan:card_restore",
        restore_args=[plan.pk, card.pk],
        note=_("Links to risk events and event types are not part of the history."),
    )


@login_required
@require_POST
def card_restore(request, plan_id, card_id, history_id):
    return restore_then_redirect(
        request,
        lambda: services.card_restore(
            actor=request.actor, plan_id=plan_id, card_id=card_id, history_id=history_id
        ),
        redirect("emergencyplan:card_detail", plan_id=plan_id, card_id=card_id),
    )


# --- the plan binder -------------------------------------------------------------------------------------


def _download(body: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["Content-Length"] = str(len(body))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def binder_html(request, plan_id):
    """The self-contained HTML binder of what the reader may read (reading it is an export of the plan)."""
    plan = selectors.get_plan_for(request.actor, plan_id, action="export")
    stored, _content = binder.binder_for(request.actor, plan)
    return _download(stored.html.encode(), binder.HTML_TYPE, binder.file_name(plan, "html"))


@login_required
@require_GET
def binder_pdf(request, plan_id):
    plan = selectors.get_plan_for(request.actor, plan_id, action="export")
    stored, _content = binder.binder_for(request.actor, plan, pdf=True)
    return _download(bytes(stored.pdf), binder.PDF_TYPE, binder.file_name(plan, "pdf"))


# --- coverage --------------------------------------------------------------------------------------------


@login_required
@require_GET
def coverage(request, plan_id):
    """Which events of the risk analyses the plan answers, and which it does not (highlighted)."""
    plan = selectors.get_plan_for(request.actor, plan_id)
    context = selectors.coverage(request.actor, plan)
    unanswered_only = request.GET.get("unanswered") == "1"
    if unanswered_only:
        context["rows"] = [r for r in context["rows"] if not r["answers"]]
    context.update(plan=plan, unanswered_only=unanswered_only)
    return render(request, "emergencyplan/coverage.html", context)
