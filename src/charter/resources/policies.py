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
}

register(RULES)
