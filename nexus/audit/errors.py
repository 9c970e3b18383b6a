from nexus.core.errors import InvalidInput


class AuditFilterInvalid(InvalidInput):
    code = "audit_filter_invalid"
    message = "The audit filter is invalid."
