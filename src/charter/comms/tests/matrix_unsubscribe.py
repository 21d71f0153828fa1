"""Permission-matrix rows of unsubscribing: the public page behind the link in e-mails, the
team's buttons on a contact's page, and the contact's subscription in the API."""

from typing import Any

from charter.comms import unsubscribe
from charter.testing.matrix import LOGIN, Case, roles


def _contact(w: Any) -> Any:
    return w.client_org.contacts.create(name=w.unique("联系人"), email="matrix@example.com")


def _token(w: Any) -> dict[str, str]:
    return {"token": unsubscribe.token_for(_contact(w))}


def _contact_pk(w: Any) -> dict[str, int]:
    return {"pk": _contact(w).pk}


def _contact_id(w: Any) -> dict[str, int]:
    return {"contact_id": _contact(w).pk}


STAFF_POST = roles(LOGIN, 302, 302, 302, 403)

HTML: dict[str, Case] = {
    # Public: the signed token in the link is the key; anyone holding the link may use it.
    "comms:unsubscribe": Case(roles(200, 200, 200, 200, 200), kwargs=_token),
    "comms:contact_unsubscribe": Case(STAFF_POST, kwargs=_contact_pk, method="post"),
    "comms:contact_resubscribe": Case(STAFF_POST, kwargs=_contact_pk, method="post"),
}

API: dict[str, Case] = {
    "GET /api/v1/contacts/<contact_id>/subscription": Case(
        roles(401, 200, 200, 200, 403), kwargs=_contact_id
    ),
    "PUT /api/v1/contacts/<contact_id>/subscription": Case(
        roles(401, 200, 200, 200, 403), kwargs=_contact_id, data={"unsubscribed": True}
    ),
}
