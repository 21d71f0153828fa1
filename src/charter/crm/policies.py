from charter.core.policy import EVERYONE, MANAGERS, STAFF, register

RULES = {
    # A client user may open their own organisation (rows are scoped) but not the client list.
    "crm.client": {"view": EVERYONE, "list": STAFF, "add": MANAGERS, "change": MANAGERS},
}

register(RULES)
