"""The one task the queue knows: run a job (jobs/running.py). The job row holds the rest."""

from django.tasks import task

from jobs import running


@task
def run_job(job_id: str) -> str:
    return running.run(job_id)
