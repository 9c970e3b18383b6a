from nexus.core.errors import Conflict, NexusError, NotFound


class HubNotFound(NotFound):
    code = "hub_not_found"
    message = "No such hub."


class EntryNotFound(NotFound):
    code = "entry_not_found"
    message = "No such entry."


class RevisionNotFound(NotFound):
    code = "revision_not_found"
    message = "No such revision."


class ProposalNotFound(NotFound):
    code = "proposal_not_found"
    message = "No such proposal."


class TopicNotFound(NotFound):
    code = "topic_not_found"
    message = "No such topic."


class TechnologyNotFound(NotFound):
    code = "technology_not_found"
    message = "No such technology."


class EntryConflict(Conflict):
    """A stale write whose changes overlap the changes made since its base revision."""

    code = "entry_conflict"
    message = "The entry changed since you loaded it, in the same places you changed."


class ProposalConflict(Conflict):
    code = "proposal_conflict"
    message = "The entry changed since this proposal was made, in the same places; update the proposal first."


class ProposalClosed(NexusError):
    code = "proposal_closed"
    status = 400
    message = "This proposal is already merged or rejected."


class OwnEntryProposal(NexusError):
    code = "own_entry_proposal"
    status = 400
    message = "This is your own entry: edit it directly instead of proposing a change."
