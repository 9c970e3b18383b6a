from nexus.core.errors import NexusError, NotFound


class UserNotFound(NotFound):
    code = "user_not_found"
    message = "No such user."


class RegistrationInvalid(NexusError):
    code = "invalid"
    message = "The account could not be created; see the fields in details."
