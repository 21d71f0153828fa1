from charter.planning.querysets import InProjectQuerySet


class ChangeRequestQuerySet(InProjectQuerySet):
    policy_object = "changes.change_request"
