"""The RQ worker `flask worker` runs: no fork per job, a fresh app context per job.

RQ's default worker forks a child for every job, and each child starts cold (mapper
configuration, a new database connection): about 200 ms a job, under 5 e-mails a second
(bench/jobs.py). Running jobs in the worker process itself is ten times faster; each job
still gets its own app context, hence its own database session, so a job that fails
half-way cannot leave a broken transaction to the next one.
"""

from __future__ import annotations

from flask import Flask
from rq import SimpleWorker
from rq.job import Job
from rq.queue import Queue


class AppContextWorker(SimpleWorker):
    def __init__(self, *args, app: Flask, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.app = app

    def execute_job(self, job: Job, queue: Queue):
        with self.app.app_context():
            return super().execute_job(job, queue)
