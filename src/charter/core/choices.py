from django.utils.translation import gettext_lazy as _

# What audit events say, by action code. Apps add their own verbs with ACTION_LABELS.update().
ACTION_LABELS = {
    "created": _("created"),
    "updated": _("updated"),
    "deleted": _("deleted"),
    "attachment_added": _("added a file to"),
    "attachment_deleted": _("deleted a file from"),
    "api_token_created": _("created an API token for"),
    "api_token_revoked": _("revoked an API token of"),
    "password_changed": _("changed the password of"),
    "invited": _("sent an invitation to"),
}

# Labels of change keys that are not model fields (e.g. the file named in "attachment_added").
CHANGE_LABELS = {
    "attachment": _("file"),
    "token": _("API token"),
    "client_visible": _("visible to the client"),
}
