from charter.core.policy import MANAGERS, STAFF, register

RULES = {
    # Change requests: the team sees and proposes them; managers edit, decide and delete them.
    # Clients have none of these: they see the requests marked visible to the client on the
    # client view of the plan (planning.clientplan).
    "changes.change_request": {
        "view": STAFF,
        "add": STAFF,
        "change": MANAGERS,
        "decide": MANAGERS,
        "delete": MANAGERS,
    },
}

register(RULES)
