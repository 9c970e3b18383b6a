from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "nexus.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Registers this app's outbox handlers in every process (web, worker, beat).
        from nexus.notifications import effects  # noqa: F401
