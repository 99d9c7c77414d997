from django.apps import AppConfig


class GroupSessionsConfig(AppConfig):
    name = "sessions"
    # django.contrib.sessions already holds the label "sessions".
    label = "group_sessions"
    verbose_name = "Group sessions"

    def ready(self) -> None:
        from sessions import programme_uses

        programme_uses.register()
