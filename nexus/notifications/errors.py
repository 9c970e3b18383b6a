from nexus.core.errors import NexusError, NotFound


class FollowTargetNotFound(NotFound):
    code = "follow_target_not_found"
    message = "There is nothing to follow here."


class NotificationNotFound(NotFound):
    code = "notification_not_found"
    message = "No such notification."


class WebhookNotFound(NotFound):
    code = "webhook_not_found"
    message = "No such webhook."


class WebhookUrlRefused(NexusError):
    code = "webhook_url_refused"
    status = 400
    message = "This webhook URL cannot be used."


class UnsubscribeLinkInvalid(NexusError):
    code = "unsubscribe_link_invalid"
    status = 400
    message = "This unsubscribe link is broken or was changed; sign in and set your e-mail preference instead."
