"""The region's rules page: national rule sets read-only, the region's own rule sets and rules edited by its
coordinators and administrators (plans.services_rules). Members of the region read (403 on the editing
pages); anyone else gets 404 for the region."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samvirke.core.errors import Conflict
from samvirke.core.forms import apply_validation_error
from samvirke.organisations import selectors as org_selectors
from samvirke.plans import selectors
from samvirke.plans import services_rules as services
from samvirke.plans.forms_rules import RuleForm, RuleSetForm
from samvirke.plans.models import RuleSet


@login_required
def rules(request, region_id):
    region = org_selectors.get_region_for(request.actor, region_id)
    context = selectors.region_rules(request.actor, region)
    context.update(
        region=region,
        can_edit=services.can_edit_rules(request.actor, region.pk),
        regions=list(org_selectors.regions_visible_to(request.actor)),
    )
    return render(request, "plans/rules.html", context)


def _editable_region(request, region_id):
    region = org_selectors.get_region_for(request.actor, region_id)
    services.ensure_can_edit_rules(request.actor, region)
    return region


@login_required
def rule_set_create(request, region_id):
    region = _editable_region(request, region_id)
    form = RuleSetForm(request.POST or None, instance=RuleSet(region=region))
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set_create(actor=request.actor, region=region, data=form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The rule set was saved. Add its rules below."))
            return redirect("plans:rules", region_id=region.pk)
    return render(request, "plans/rule_set_form.html", {"form": form, "region": region})


@login_required
def rule_set_edit(request, region_id, rule_set_id):
    region = _editable_region(request, region_id)
    rule_set = services.local_rule_set_for(region, rule_set_id)
    form = RuleSetForm(
        request.POST or None,
        instance=rule_set,
        initial={"fingerprint": services.rule_set_fingerprint(rule_set)},
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set_update(
                actor=request.actor,
                region=region,
                rule_set_id=rule_set.pk,
                expected_fingerprint=form.cleaned_data["fingerprint"],
                data=form.cleaned_data,
            )
        except Conflict as error:
            conflict = True
            fresh = services.local_rule_set_for(region, rule_set_id)
            form = _keep_typed(RuleSetForm, request, fresh, error, services.rule_set_fingerprint(fresh))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The rule set was saved."))
            return redirect("plans:rules", region_id=region.pk)
    return render(
        request,
        "plans/rule_set_form.html",
        {"form": form, "region": region, "rule_set": rule_set},
        status=409 if conflict else 200,
    )


def _keep_typed(form_class, request, fresh, error, fingerprint, **kwargs):
    """After a Conflict: what was typed, over the values saved meanwhile (the next save replaces them, so
    the form carries the fingerprint of what is saved now)."""
    data = request.POST.copy()
    data["fingerprint"] = fingerprint
    form = form_class(data, instance=fresh, **kwargs)
    form.is_valid()
    form.add_error(None, error.message)
    return form


@login_required
def rule_create(request, region_id, rule_set_id):
    region = _editable_region(request, region_id)
    rule_set = services.local_rule_set_for(region, rule_set_id)
    form = RuleForm(request.POST or None, rule_set=rule_set, initial={"reminder_offsets": "30, 7, 0"})
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_create(
                actor=request.actor, region=region, rule_set_id=rule_set.pk, data=form.service_data()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The rule was saved and the region's deadlines were updated."))
            return redirect("plans:rules", region_id=region.pk)
    return render(request, "plans/rule_form.html", {"form": form, "region": region, "rule_set": rule_set})


@login_required
def rule_edit(request, region_id, rule_id):
    region = _editable_region(request, region_id)
    rule = services.local_rule_for(region, rule_id)
    form = RuleForm(
        request.POST or None,
        instance=rule,
        rule_set=rule.rule_set,
        initial={"fingerprint": services.rule_fingerprint(rule)},
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(
                actor=request.actor,
                region=region,
                rule_id=rule.pk,
                expected_fingerprint=form.cleaned_data["fingerprint"],
                data=form.service_data(),
            )
        except Conflict as error:
            conflict = True
            fresh = services.local_rule_for(region, rule_id)
            form = _keep_typed(
                RuleForm, request, fresh, error, services.rule_fingerprint(fresh), rule_set=fresh.rule_set
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The rule was saved and the region's deadlines were updated."))
            return redirect("plans:rules", region_id=region.pk)
    return render(
        request,
        "plans/rule_form.html",
        {"form": form, "region": region, "rule_set": rule.rule_set, "rule": rule, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def rule_retire(request, region_id, rule_id):
    region = _editable_region(request, region_id)
    active = request.POST.get("active") == "1"
    rule = services.rule_set_active(actor=request.actor, region=region, rule_id=rule_id, active=active)
    if active:
        messages.success(request, _("“%(title)s” is in use again.") % {"title": rule.title})
    else:
        messages.success(
            request, _("“%(title)s” is retired: nothing more is due under it.") % {"title": rule.title}
        )
    return redirect("plans:rules", region_id=region.pk)
