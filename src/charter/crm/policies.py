from charter.core.policy import EVERYONE, MANAGERS, STAFF, register

RULES = {
    # "view" scopes rows (a client user's own organisation, for the portal and shared files);
    # the CRM's pages and API about a client need "detail", which client users never have.
    "crm.client": {
        "view": EVERYONE,
        "detail": STAFF,
        "list": STAFF,
        "add": MANAGERS,
        "change": MANAGERS,
        "export": STAFF,
        "import": MANAGERS,
    },
    "crm.contact": {"view": STAFF, "add": STAFF, "change": STAFF, "merge": MANAGERS},
    "crm.opportunity": {"view": STAFF, "add": STAFF, "change": STAFF, "convert": MANAGERS},
    "crm.stage": {"view": STAFF, "change": MANAGERS},
    "crm.interaction": {"view": STAFF, "add": STAFF, "change": STAFF},
}

register(RULES)
