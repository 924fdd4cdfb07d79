import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from samvirke.accounts import oidc
from samvirke.accounts.forms import ApiTokenForm, OTPForm, ProfileForm
from samvirke.accounts.middleware import session_language_cookie
from samvirke.accounts.models import ApiToken

security_log = logging.getLogger("samvirke.security")


def _next_url(request, default="web:overview"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_providers"] = oidc.login_buttons()
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        # A password sign-in never inherits an identity provider's verification.
        self.request.session.pop(oidc.SESSION_VERIFIED_KEY, None)
        self.request.session.pop(oidc.SESSION_PROVIDER_KEY, None)
        return session_language_cookie(response, form.get_user().language)


def _otp_login(request, device):
    """Mark the session verified and give it a new key: the privilege level changed (ASVS V7.2.4)."""
    otp_login(request, device)
    request.session.cycle_key()


def _throttle_message(data) -> str:
    """django-otp doubles the wait after each wrong code; tell the person how long it is now."""
    import math

    from django.utils.translation import ngettext

    locked_until = (data or {}).get("locked_until")
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 1
    wait = ngettext(
        "A wrong code was entered just now. Wait %(seconds)d second, then type the newest code.",
        "A wrong code was entered just now. Wait %(seconds)d seconds, then type the newest code.",
        seconds,
    ) % {"seconds": seconds}
    longer = _("Each wrong code makes the wait longer.")
    return f"{wait} {longer}"


@login_required
def mfa_setup(request):
    """First-time set-up of TOTP: show a QR code, confirm one code, then the device counts."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if user_has_device(request.user) and request.user.is_verified() is False:
        return redirect("accounts:mfa_verify")
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator", confirmed=False)
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _throttle_message(_data))
        elif device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save()
            _otp_login(request, device)
            messages.success(
                request, _("Two-factor authentication is on. You will need your app each time you sign in.")
            )
            return redirect(_next_url(request))
        else:
            form.add_error(
                "code",
                _("The code was not accepted. Check that the clock on your phone is right and try again."),
            )
    import segno

    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1E2B3C", title=_("QR code"))
    return render(
        request,
        "accounts/mfa_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": _b32(device), "next": request.GET.get("next", "")},
    )


def _b32(device):
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@login_required
def mfa_verify(request):
    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if not devices:
        return redirect("accounts:mfa_setup")
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            allowed, _data = device.verify_is_allowed()
            if not allowed:
                form.add_error("code", _throttle_message(_data))
                break
            if device.verify_token(form.cleaned_data["code"]):
                _otp_login(request, device)
                return redirect(_next_url(request))
        else:
            form.add_error(
                "code", _("The code was not accepted. Codes change every 30 seconds; try the newest one.")
            )
    demo_code = None
    if settings.DEMO_MODE and not settings.PRODUCTION and request.user.username.startswith("demo-"):
        # Demo-only help, refused in production by the system checks (samvirke.E003).
        from django_otp.oath import totp

        demo_code = f"{totp(devices[0].bin_key, step=devices[0].step, digits=devices[0].digits):06d}"
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "demo_code": demo_code, "next": request.GET.get("next", "")},
    )


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return session_language_cookie(redirect("accounts:profile"), form.instance.language)
    tokens = request.user.api_tokens.all()
    memberships = request.user.memberships.select_related("organisation").order_by("organisation__name")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "tokens": tokens, "token_form": ApiTokenForm(), "memberships": memberships},
    )


@login_required
@require_POST
def token_create(request):
    # A token carries the user's memberships without a second factor (see api/auth.py), so it may only
    # be issued from a two-factor-verified session, also to people who do not (yet) need two factors.
    if not request.actor.is_verified:
        messages.error(request, _("Turn on two-factor authentication before you create an API token."))
        return redirect("accounts:mfa_setup" if not user_has_device(request.user) else "accounts:mfa_verify")
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name (at most 100 characters)."))
        return redirect("accounts:profile")
    token, raw = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
    return render(request, "accounts/token_created.html", {"token": token, "raw": raw})


@login_required
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:profile")


# --- OpenID Connect (see accounts/oidc.py for the design) -------------------------------------------


def _oidc_provider_or_404(key):
    provider = oidc.get_provider(key)
    if provider is None:
        raise Http404
    return provider


def _oidc_failure(request, provider, error: oidc.OIDCError, *, unavailable=False):
    security_log.warning("oidc sign-in refused provider=%s reason=%s", provider.key, error.reason)
    if unavailable:
        message = _(
            "We could not reach %(provider)s. Try again in a few minutes, or sign in with your password."
        )
    else:
        message = _(
            "The sign-in from %(provider)s could not be verified, so you are not signed in. Try again; "
            "if it keeps failing, contact the person responsible for Samvirke in your organisation."
        )
    return render(
        request,
        "accounts/oidc_error.html",
        {"message": message % {"provider": provider.label}},
        status=502 if unavailable else 400,
    )


def oidc_login(request, key):
    provider = _oidc_provider_or_404(key)
    target = request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        request.session[oidc.SESSION_NEXT_KEY] = target
    else:
        request.session.pop(oidc.SESSION_NEXT_KEY, None)
    redirect_uri = request.build_absolute_uri(reverse("accounts:oidc_callback", args=[provider.key]))
    try:
        return oidc.start(request, provider, redirect_uri)
    except oidc.OIDCError as error:
        return _oidc_failure(request, provider, error, unavailable=True)


def oidc_callback(request, key):
    provider = _oidc_provider_or_404(key)
    try:
        claims = oidc.finish(request, provider)
    except oidc.OIDCError as error:
        return _oidc_failure(request, provider, error)
    user, created = oidc.user_for_claims(provider, claims)
    if not user.is_active:
        return _oidc_failure(request, provider, oidc.OIDCError(f"user {user.pk} is not active"))
    target = request.session.pop(oidc.SESSION_NEXT_KEY, None)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    # Only a provider that enforces multi-factor authentication satisfies our two-factor rule.
    request.session[oidc.SESSION_VERIFIED_KEY] = provider.mfa_at_idp
    request.session[oidc.SESSION_PROVIDER_KEY] = provider.key
    security_log.info(
        "oidc sign-in user=%s provider=%s mfa_at_idp=%s", user.pk, provider.key, provider.mfa_at_idp
    )
    if created or not user.memberships.filter(active=True).exists():
        messages.info(
            request,
            _(
                "You are signed in with %(provider)s, but you do not have access to your organisation's "
                "information yet. Ask the preparedness advisor in your organisation to give you access."
            )
            % {"provider": provider.label},
        )
    response = redirect(target or reverse("web:overview"))
    return session_language_cookie(response, user.language)
