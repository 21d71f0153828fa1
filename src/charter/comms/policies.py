from charter.core.policy import MANAGERS, STAFF, register

RULES = {
    # Chat robots post to the client's or the team's groups: managers set them up and test them.
    "comms.chatrobot": {"view": STAFF, "add": MANAGERS, "change": MANAGERS, "delete": MANAGERS},
}

register(RULES)
