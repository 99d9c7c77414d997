from django.apps import AppConfig


class FacilitationConfig(AppConfig):
    name = "facilitation"
    verbose_name = "Facilitation"

    def ready(self) -> None:
        # The one place facilitation joins sessions' actions (sessions.listeners).
        from facilitation.session_listeners import register_listeners

        register_listeners()
