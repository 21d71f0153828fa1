"""Background work of the CRM: large imports, checked and committed by a worker."""

from django.tasks import task

from charter.crm.services import imports


@task()
def run_import_job(job_id: int, phase: str) -> str:
    """Check or commit import job ``job_id`` (phase "check" or "commit"); returns its status.

    The job keeps ``rows_done`` up to date for the progress bar.
    """
    return imports.run_job(job_id, phase).status
