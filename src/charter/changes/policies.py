from charter.core.policy import MANAGERS, STAFF, register

RULES = {
    # Change requests: the team sees and proposes them; managers edit, decide and delete them.
    "changes.change_request": {
        "view": STAFF,
        "add": STAFF,
        "change": MANAGERS,
        "decide": MANAGERS,
        "delete": MANAGERS,
    },
}

register(RULES)
