from charter.core.policy import MANAGERS, STAFF, register

RULES = {
    # The resource pool: colleagues see who and what there is; managers keep it.
    "resources.resource": {"view": STAFF, "add": MANAGERS, "change": MANAGERS, "delete": MANAGERS},
    "resources.assignment": {"view": STAFF, "change": MANAGERS},
}

register(RULES)
