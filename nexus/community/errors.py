from nexus.core.errors import Conflict, NexusError, NotFound


class CommentNotFound(NotFound):
    code = "comment_not_found"
    message = "No such comment."


class QuestionNotFound(NotFound):
    code = "question_not_found"
    message = "No such question."


class AnswerNotFound(NotFound):
    code = "answer_not_found"
    message = "No such answer."


class ProjectNotFound(NotFound):
    code = "project_not_found"
    message = "No such project."


class AnnouncementNotFound(NotFound):
    code = "announcement_not_found"
    message = "No such announcement."


class CollaborationRequestNotFound(NotFound):
    code = "collaboration_request_not_found"
    message = "No such collaboration request."


class TeamNotFound(NotFound):
    code = "team_not_found"
    message = "No such team."


class CommentDeleted(NexusError):
    code = "comment_deleted"
    status = 400
    message = "This comment was deleted; it can no longer be edited or answered."


class CommentConflict(Conflict):
    code = "comment_conflict"
    message = "The comment changed since you loaded it; reload it and edit again."


class PostingTooFast(NexusError):
    """Too many comments or answers in a minute: spam, or a script gone wrong."""

    code = "posting_too_fast"
    status = 429
    message = "You are posting too fast."

    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(
            f"You posted {limit} times in the last minute; wait {retry_after} s before posting again.",
            details={"retry_after_seconds": retry_after, "limit_per_minute": limit},
        )


class AnswerNotAccepted(NexusError):
    code = "answer_not_accepted"
    status = 400
    message = "Only an accepted answer can become an entry: accept it first."


class AlreadyPromoted(Conflict):
    code = "already_promoted"
    message = "This question already became an entry."


class NotAnOpenChallenge(NexusError):
    code = "not_an_open_challenge"
    status = 400
    message = "Only a challenge without a solution can be turned into a question."


class AlreadyAnnounced(Conflict):
    code = "already_announced"
    message = "You already announced this project; change your announcement instead."


class NotAnnounced(NexusError):
    code = "not_announced"
    status = 400
    message = "Announce the project first: requests go between learners who build it."


class RequestClosed(NexusError):
    code = "collaboration_request_closed"
    status = 400
    message = "This request was already answered."


class RequestExists(Conflict):
    code = "collaboration_request_exists"
    message = "You already asked this learner; wait for their answer."
