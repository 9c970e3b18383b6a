from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "nexus.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Registers this app's outbox handlers in every process (web, worker, beat).
        from nexus.accounts import effects  # noqa: F401
