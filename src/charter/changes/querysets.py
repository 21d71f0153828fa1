from charter.planning.querysets import InProjectQuerySet


class ChangeRequestQuerySet(InProjectQuerySet):
    policy_object = "changes.change_request"

    def client_visible(self) -> "ChangeRequestQuerySet":
        """The change requests marked visible to the client (the client view of the plan)."""
        return self.filter(client_visible=True)
