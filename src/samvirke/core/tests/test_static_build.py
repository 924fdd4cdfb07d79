from django.core.management import call_command
from django.test import override_settings


def test_production_static_build_resolves_every_reference(tmp_path, settings):
    """The hashed-name storage used in production fails on any missing referenced file (e.g. a source map)."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", "-v0")
    assert (tmp_path / "staticfiles.json").exists()
