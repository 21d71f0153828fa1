from charter.core.policy import ADMINS, EVERYONE, register

RULES = {
    # Administration of other people's accounts; everyone can read and edit their own profile.
    "accounts.user": {"view": ADMINS, "add": ADMINS, "change": ADMINS},
    "accounts.profile": {"view": EVERYONE, "change": EVERYONE},
    "accounts.apitoken": {"view": EVERYONE, "add": EVERYONE, "delete": EVERYONE},
}

register(RULES)
