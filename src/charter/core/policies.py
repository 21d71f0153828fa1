from charter.core.policy import ADMINS, EVERYONE, STAFF, register

RULES = {
    "core.dashboard": {"view": EVERYONE},
    "core.admin": {"view": ADMINS},
    "core.auditevent": {"view": STAFF},
    # Attachments also need access to their parent object; see core.attachments.
    "core.attachment": {"view": EVERYONE, "add": STAFF, "delete": STAFF},
}

register(RULES)
