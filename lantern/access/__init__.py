"""Who may see what: users, roles, area scope, purposes, credentials and the audit log.

Every use case that reads or writes identifiable data goes through ``Principal`` checks
(``lantern.access.roles``) and appends to the hash-chained audit log
(``lantern.access.audit``) before its result leaves the service.
"""

from lantern.access.roles import (
    PURPOSES,
    AccessDenied,
    Permission,
    Principal,
    Role,
)

__all__ = ["PURPOSES", "AccessDenied", "Permission", "Principal", "Role"]
