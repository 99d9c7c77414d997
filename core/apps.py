from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Steady core"

    def ready(self) -> None:
        from django.urls import register_converter
        from django.utils.module_loading import autodiscover_modules

        from core import checks  # noqa: F401  (registers the system checks)
        from core.converters import SecretTokenConverter

        # `<secret:token>` in an app's urls.py: a URL-safe secret, or the URL does not match (404).
        register_converter(SecretTokenConverter, "secret")
        from core.escalation import autodiscover

        autodiscover()

        # Each app's personal_data.py registers how its models are exported, erased and purged
        # (core.personal_data); imported in INSTALLED_APPS order, so erasers run higher apps first.
        from core.data_rights import register_core

        register_core()
        autodiscover_modules("personal_data")
