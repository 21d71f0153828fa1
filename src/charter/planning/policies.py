from charter.core.policy import CLIENT, MANAGERS, STAFF, register

RULES = {
    # Members see (and tick the kickoff steps of) the projects they manage or are on.
    "planning.project": {"view": STAFF, "add": MANAGERS, "change": MANAGERS, "kickoff": STAFF},
    "planning.projecttemplate": {
        "view": STAFF,
        "add": MANAGERS,
        "change": MANAGERS,
        "delete": MANAGERS,
    },
    # Managers shape the plan; team members report progress on the tasks they see.
    "planning.task": {"view": STAFF, "change": MANAGERS, "progress": STAFF},
    "planning.baseline": {"view": STAFF, "save": MANAGERS},
    "planning.calendar": {"view": STAFF, "add": MANAGERS, "change": MANAGERS, "delete": MANAGERS},
    # Anyone on the team logs risks, assumptions, issues and decisions; managers delete.
    "planning.raid": {"view": STAFF, "add": STAFF, "change": STAFF, "delete": MANAGERS},
    "planning.goal": {"view": STAFF, "change": MANAGERS},
    # The client's view of a plan: the tasks and milestones marked visible to the client. Staff
    # open it to check what the client sees.
    "planning.clientplan": {"view": STAFF | {CLIENT}},
}

register(RULES)
