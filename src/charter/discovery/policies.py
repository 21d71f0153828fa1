from charter.core.policy import STAFF, register

# Rows are scoped in querysets.py: members reach the requirements of the projects they are on
# (and of every deal); client users see none here (the portal shows client-visible ones).
RULES = {
    "discovery.requirement": {"view": STAFF, "add": STAFF, "change": STAFF},
}

register(RULES)
