from charter.core.policy import MANAGERS, STAFF, register

RULES = {
    # Chat robots post to the client's or the team's groups: managers set them up and test them.
    "comms.chatrobot": {"view": STAFF, "add": MANAGERS, "change": MANAGERS, "delete": MANAGERS},
    # The message log: the team reads it; managers send a failed message again.
    "comms.message": {"view": STAFF, "retry": MANAGERS},
    # The team schedules, changes and cancels its meetings and keeps their minutes.
    "comms.meeting": {"view": STAFF, "add": STAFF, "change": STAFF, "cancel": STAFF},
    # The team keeps its projects' communication plans and handles their occurrences.
    "comms.communication": {"view": STAFF, "add": STAFF, "change": STAFF, "delete": STAFF},
    # Message templates are the company's words: managers write them, the team uses them.
    "comms.messagetemplate": {
        "view": STAFF,
        "add": MANAGERS,
        "change": MANAGERS,
        "delete": MANAGERS,
    },
    # Whether a contact unsubscribed: the team sees it and records what a contact asked for.
    "comms.optout": {"view": STAFF, "change": STAFF},
}

register(RULES)
