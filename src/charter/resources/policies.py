from charter.core.policy import MANAGERS, STAFF, register

RULES = {
    # The resource pool: colleagues see who and what there is; managers keep it.
    "resources.resource": {"view": STAFF, "add": MANAGERS, "change": MANAGERS, "delete": MANAGERS},
    "resources.assignment": {"view": STAFF, "change": MANAGERS},
    # Timesheets: everyone on staff keeps their own; project managers approve (see
    # services.timesheets for which sheets each may decide).
    "resources.timesheet": {"view": STAFF, "change": STAFF, "approve": MANAGERS},
    # Leveling: the team sees the proposals; managers propose, apply and discard them.
    "resources.leveling": {"view": STAFF, "add": MANAGERS, "apply": MANAGERS},
    # Roles and skills: the team sees them; managers keep them, and each resource's skills.
    "resources.role": {"view": STAFF, "change": MANAGERS},
    # What tasks need: the team sees it and the candidates; managers add needs and assign.
    "resources.need": {"view": STAFF, "change": MANAGERS},
    # Rates over time: managers and administrators only (see services.pool.sees_rates).
    "resources.rate": {"view": MANAGERS, "change": MANAGERS},
    # Budget: managers plan and read it (it shows rates); the team records expenses.
    "resources.budget": {"view": MANAGERS, "change": MANAGERS},
    "resources.expense": {
        "view": STAFF,
        "add": STAFF,
        "change": MANAGERS,
        "delete": MANAGERS,
    },
}

register(RULES)
