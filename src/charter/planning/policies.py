from charter.core.policy import MANAGERS, STAFF, register

RULES = {
    # Members see (and tick the kickoff steps of) the projects they manage or are on.
    "planning.project": {"view": STAFF, "add": MANAGERS, "change": MANAGERS, "kickoff": STAFF},
    "planning.projecttemplate": {
        "view": STAFF,
        "add": MANAGERS,
        "change": MANAGERS,
        "delete": MANAGERS,
    },
}

register(RULES)
