from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "nexus.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        # Projects and questions are followed like hubs and topics (notifications app).
        from nexus.notifications.permissions import followable_register

        followable_register("community.project")
        followable_register("community.question")
