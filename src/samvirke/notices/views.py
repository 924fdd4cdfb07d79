from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samvirke.core.errors import Conflict
from samvirke.core.forms import EXEMPTION_SUGGESTIONS, apply_validation_error, conflict_form
from samvirke.core.services import ensure_can_edit, history_with_changes
from samvirke.core.views import render_history, restore_then_redirect
from samvirke.core.visibility import log_reads
from samvirke.notices import selectors, services
from samvirke.notices.forms import NoticeForm
from samvirke.notices.models import Notice


def notice_list(request):
    """Anonymous visitors see public (CLEAR) notices only; members see what the chokepoint allows."""
    page = Paginator(selectors.notices_visible_to(request.actor), 25).get_page(request.GET.get("page"))
    log_reads(request.actor, page.object_list, action="list")
    return render(request, "notices/list.html", {"page": page})


def notice_detail(request, notice_id):
    notice = selectors.get_notice_for(request.actor, notice_id)
    return render(
        request,
        "notices/detail.html",
        {"notice": notice, "can_edit": request.actor.can_edit_for(notice.owner_id)},
    )


def _form_context(form, **extra):
    return {"form": form, "exemption_suggestions": EXEMPTION_SUGGESTIONS, **extra}


@login_required
def notice_create(request):
    if not request.actor.editable_organisation_ids():
        messages.error(request, _("You are not an editor in any organisation, so you cannot create notices."))
        return redirect("notices:list")
    form = NoticeForm(request.POST or None, actor=request.actor, instance=Notice())
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(
                actor=request.actor,
                owner_id=form.cleaned_data["owner"],
                data=form.service_data(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The notice was saved."))
            return redirect("notices:detail", notice_id=notice.pk)
    return render(request, "notices/form.html", _form_context(form))


@login_required
def notice_edit(request, notice_id):
    notice = selectors.get_notice_for(request.actor, notice_id)
    ensure_can_edit(request.actor, notice)
    form = NoticeForm(request.POST or None, actor=request.actor, instance=notice)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_update(
                actor=request.actor,
                notice_id=notice.pk,
                expected_version=form.cleaned_data["version"],
                data=form.service_data(),
                shared_with=form.cleaned_data["shared_with"],
                named_people=form.cleaned_data["named_people"],
            )
        except Conflict as error:
            conflict = error.current
            fresh = selectors.get_notice_for(request.actor, notice_id)
            form = conflict_form(NoticeForm, request, fresh, conflict.version)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The notice was saved."))
            return redirect("notices:detail", notice_id=notice.pk)
    status = 409 if conflict else 200
    return render(
        request, "notices/form.html", _form_context(form, notice=notice, conflict=conflict), status=status
    )


@login_required
def notice_history(request, notice_id):
    notice = selectors.get_notice_for(request.actor, notice_id, action="history")
    return render_history(
        request,
        record=notice,
        versions=history_with_changes(notice),
        title=notice.title,
        back_url=reverse("notices:detail", args=[notice.pk]),
        restore_name="notices:restore",
        restore_args=[notice.pk],
    )


@login_required
@require_POST
def notice_restore(request, notice_id, history_id):
    return restore_then_redirect(
        request,
        lambda: services.notice_restore(actor=request.actor, notice_id=notice_id, history_id=history_id),
        redirect("notices:detail", notice_id=notice_id),
    )
