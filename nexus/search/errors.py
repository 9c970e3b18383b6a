from nexus.core.errors import NexusError


class SearchQueryTooLong(NexusError):
    code = "search_query_too_long"
    status = 400
    message = "The search is too long: keep it under 500 characters."


class SearchQueryEmpty(NexusError):
    code = "search_query_empty"
    status = 400
    message = 'Type something to search for (words, a "phrase", or a filter such as kind:challenge).'


class SearchInvalid(NexusError):
    code = "search_invalid"
    status = 400
    message = "This search request is not valid."
