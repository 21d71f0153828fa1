from charter.core.policy import MANAGERS, STAFF, register

RULES = {
    "planning.project": {"view": STAFF, "add": MANAGERS, "change": MANAGERS},
    "planning.projecttemplate": {"view": STAFF, "add": MANAGERS, "change": MANAGERS},
}

register(RULES)
