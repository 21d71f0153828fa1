from charter.core.policy import MANAGERS, STAFF, register

# Rows are scoped in querysets.py: members reach the discovery records of the projects they are
# on (and of every deal); client users see none here (the portal shows client-visible ones).
# Contacts answer questionnaires and confirm documents through personal links (public views
# that check the link's token), never through these rules.
RULES = {
    "discovery.requirement": {
        "view": STAFF,
        "add": STAFF,
        "change": STAFF,
        "comment": STAFF,
        "import": STAFF,
    },
    "discovery.questionnaire": {
        "view": STAFF,
        "add": STAFF,
        "change": STAFF,
        "delete": MANAGERS,
        "manage_templates": MANAGERS,
    },
    "discovery.campaign": {"view": STAFF, "add": STAFF, "change": STAFF},
    "discovery.interview": {"view": STAFF, "add": STAFF, "change": STAFF, "delete": MANAGERS},
    "discovery.focusgroup": {"view": STAFF, "add": STAFF, "change": STAFF, "delete": MANAGERS},
    "discovery.finding": {"view": STAFF, "add": STAFF, "change": STAFF},
    "discovery.requirementsdocument": {
        "view": STAFF,
        "change": STAFF,
        "publish": MANAGERS,
        "send": MANAGERS,
    },
}

register(RULES)
