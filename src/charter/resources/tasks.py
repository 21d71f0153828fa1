"""Background work of resource leveling: computing a proposal."""

from django.tasks import task

from charter.resources.services import leveling as services


@task()
def run_leveling(proposal_id: int) -> str:
    """Run a leveling proposal; returns its status ("" when it was not running any more)."""
    proposal = services.run_proposal(proposal_id)
    return proposal.status if proposal is not None else ""
