"""Follows, events and what they fan out to: in-app notifications, e-mails, digests and
webhook deliveries."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from nexus.accounts.models import User
from nexus.core.encryption import EncryptedTextField
from nexus.core.models import TimeStampedModel


class EventKind(models.TextChoices):
    ENTRY_PUBLISHED = "entry.published", "Entry published"
    PROPOSAL_OPENED = "proposal.opened", "Proposal opened"
    PROPOSAL_MERGED = "proposal.merged", "Proposal merged"
    QUESTION_ASKED = "question.asked", "Question asked"
    ANSWER_POSTED = "answer.posted", "Answer posted"
    ANSWER_ACCEPTED = "answer.accepted", "Answer accepted"
    COMMENT_POSTED = "comment.posted", "Comment posted"
    # Sent to a webhook's owner only, never to followers or other webhooks.
    WEBHOOK_DISABLED = "webhook.disabled", "Webhook disabled"


# The kinds a webhook may subscribe to (everything people do, nothing about webhooks).
WEBHOOK_EVENT_KINDS = [kind for kind in EventKind.values if kind != EventKind.WEBHOOK_DISABLED]


class Follow(models.Model):
    """A user follows a hub, topic, technology, project or question (any followable model)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follows")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="follow_unique"),
        ]
        # Fan-out reads the followers of a few objects at once.
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_target_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.content_type_id}:{self.object_id}"


class Event(models.Model):
    """Something that happened, recorded once (by its idempotency key) by the fan-out."""

    kind = models.CharField(max_length=40, choices=EventKind.choices)
    key = models.CharField(max_length=255, unique=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hub = models.ForeignKey("knowledge.Hub", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class NotificationReason(models.TextChoices):
    FOLLOW = "follow", "You follow this"
    MENTION = "mention", "You were mentioned"
    OWNER = "owner", "You own this"
    PARTICIPANT = "participant", "You take part in this discussion"


class Notification(models.Model):
    """One event for one recipient, shown in-app and mailed by their preference."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    reason = models.CharField(max_length=20, choices=NotificationReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A redelivered fan-out finds the row and adds nothing.
            models.UniqueConstraint(fields=["recipient", "event"], name="notification_once_per_event"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox_idx"),
            # The header's unread count reads only the unread rows of one user.
            models.Index(
                fields=["recipient"], name="notification_unread_idx", condition=models.Q(read_at__isnull=True)
            ),
            models.Index(fields=["recipient", "created_at"], name="notification_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} for {self.recipient_id}"


class EmailFrequency(models.TextChoices):
    INSTANT = "instant", "Right away"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "Never"


class NotificationPreference(TimeStampedModel):
    """How a user wants notifications mailed; a user without a row has the default."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="notification_preference")
    email_frequency = models.CharField(max_length=10, choices=EmailFrequency.choices, default=EmailFrequency.DAILY)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email_frequency}"


class DigestDelivery(models.Model):
    """A digest mailed to one user for one period: written in the transaction that sends it,
    so a re-run of the scheduled job finds it and sends nothing twice."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=10, choices=EmailFrequency.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    notification_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period_start", "frequency"], name="digest_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest for {self.user_id} from {self.period_start:%Y-%m-%d}"


class WebhookFormat(models.TextChoices):
    DISCORD = "discord", "Discord"
    SLACK = "slack", "Slack"
    JSON = "json", "Generic JSON"


class Webhook(TimeStampedModel):
    """Where a hub's (or, with no hub, the whole site's) events are posted."""

    hub = models.ForeignKey("knowledge.Hub", null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks")
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=100)
    format = models.CharField(max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.JSON)
    url = models.URLField(max_length=500)
    # Signs every delivery (HMAC-SHA256); shown to the owner once, at creation; encrypted
    # at rest, since the server must read it back to sign.
    secret = EncryptedTextField()
    events = models.JSONField(default=list, help_text="Event kinds this webhook receives")
    is_active = models.BooleanField(default=True)
    # Set only by an admin: the URL may resolve to a private or loopback address.
    allow_private_network = models.BooleanField(default=False)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["hub", "is_active"], name="webhook_hub_active_idx")]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event posted to one webhook, with every attempt's outcome logged."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["webhook", "event"], name="delivery_once_per_event")]
        indexes = [
            models.Index(fields=["webhook", "-id"], name="delivery_log_idx"),
            # The retry sweep reads only deliveries still waiting.
            models.Index(fields=["next_attempt_at"], name="delivery_due_idx", condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.webhook_id} ({self.status})"


class WebhookAttempt(models.Model):
    """The log of one HTTP attempt of a delivery: status, response time, error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
