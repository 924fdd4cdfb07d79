from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from samvirke.accounts.forms import ApiTokenForm, OTPForm, ProfileForm
from samvirke.accounts.middleware import session_language_cookie
from samvirke.accounts.models import ApiToken


def _next_url(request, default="web:overview"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    from django.urls import reverse

    return reverse(default)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        return session_language_cookie(response, form.get_user().language)


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
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on. You will need your app each time you sign in."))
            return redirect(_next_url(request))
        form.add_error("code", _("The code was not accepted. Check that the clock on your phone is right and try again."))
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
                form.add_error(
                    "code", _("Too many wrong codes. Wait a little and try again; each wrong code adds to the wait.")
                )
                break
            if device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                return redirect(_next_url(request))
        else:
            form.add_error("code", _("The code was not accepted. Codes change every 30 seconds; try the newest one."))
    demo_code = None
    if settings.DEMO_MODE and not settings.PRODUCTION and request.user.username.startswith("demo-"):
        # Demo-only help, refused in production by the system checks (samvirke.E003).
        from django_otp.oath import totp

        demo_code = f"{totp(devices[0].bin_key, step=devices[0].step, digits=devices[0].digits):06d}"
    return render(request, "accounts/mfa_verify.html", {"form": form, "demo_code": demo_code, "next": request.GET.get("next", "")})


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
