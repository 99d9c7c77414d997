from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Steady core"

    def ready(self) -> None:
        from django.urls import register_converter

        from core import checks  # noqa: F401  (registers the system checks)
        from core.converters import SecretTokenConverter

        # `<secret:token>` in an app's urls.py: a URL-safe secret, or the URL does not match (404).
        register_converter(SecretTokenConverter, "secret")
        from core.escalation import autodiscover

        autodiscover()
