"""Hand rows that must leave the process to the job queue once their transaction commits.

The outbox pattern, for any table of work items (e-mails, webhook calls): a service adds a
row in the caller's transaction, already marked `queued` with a hand-over time; after the
outermost commit its id goes to the queue in one go, with no second database round trip in
the request. If the queue is down the rows go back to `pending`; if the process dies between
the commit and the hand-over they stay `queued` with an old hand-over time. The table's own
relay (run periodically) picks up both and hands each over through `HandOver.relay`, which
claims every row with a conditional UPDATE so that concurrent relays never collide.

A table takes part by registering a `HandOver`: its model, the job that works one row, the
column holding the hand-over time and a name for the ids a transaction added; its status
column uses the values "pending" and "queued".
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.models import utcnow

log = logging.getLogger(__name__)

PENDING = "pending"
QUEUED = "queued"
SENDING = "sending"  # a worker holds the row (a lease: see `claim_for_work`)
RETRYING = "retrying"
# A row still `queued` this long after its hand-over was lost with its process.
STALE_HANDOVER = timedelta(minutes=15)


@dataclass(frozen=True)
class HandOver:
    model: type
    job_path: str  # "module:function", imported when first needed (jobs import the web app)
    stamp: str  # the column holding the hand-over time
    info_key: str  # where the session keeps the ids of rows this transaction added
    # Rows per job. A job that reuses one connection for several rows (SMTP) takes a batch:
    # one claim, one queue entry and one worker round for many rows instead of one each.
    batch_size: int = 1

    def job(self) -> Callable:
        module, _, name = self.job_path.partition(":")
        return getattr(importlib.import_module(module), name)

    def relay(self, ids: Iterable[int]) -> int:
        """Claim committed `pending` rows (→ `queued`) and hand each over exactly once."""
        model = self.model
        claimed = db.session.scalars(
            update(model)
            .where(model.id.in_(list(ids)), model.status == PENDING)
            .values({"status": QUEUED, self.stamp: utcnow()})
            .returning(model.id)
        ).all()
        db.session.commit()
        return self.hand_over(sorted(claimed))

    def claim_for_work(self, row_ids: Sequence[int], lease: timedelta) -> list[int]:
        """Mark rows as being worked on by this worker (one more attempt each, committed).

        Returns the ids claimed: not those done or held by another worker. A holder silent
        for longer than `lease` is taken to have died, so its row may be claimed again.
        This claim is what keeps a row handed over twice from being sent twice.
        """
        model, stamp, now = self.model, getattr(self.model, self.stamp), utcnow()
        claimed = db.session.scalars(
            update(model)
            .where(
                model.id.in_(list(row_ids)),
                or_(
                    model.status.in_((PENDING, QUEUED, RETRYING)),
                    (model.status == SENDING) & (stamp < now - lease),
                ),
            )
            .values({"status": SENDING, "attempts": model.attempts + 1, self.stamp: now})
            .returning(model.id)
            .execution_options(synchronize_session=False)
        ).all()
        db.session.commit()
        return sorted(claimed)

    def relay_stale(
        self, lease: timedelta, retry_after: timedelta | None = None, limit: int = 500
    ) -> int:
        """The periodic safety net: hand over again what would otherwise wait forever.

        Rows still `pending` (the queue was down), `queued` for longer than STALE_HANDOVER
        (the hand-over died with its process), `sending` for longer than `lease` (the worker
        died) and, with `retry_after`, `retrying` that long after their last attempt. Each
        goes back to `pending` with a conditional UPDATE and `relay` claims it again, so
        concurrent relays never collide; the job's own claim keeps it from being done twice.
        """
        model, stamp, now = self.model, getattr(self.model, self.stamp), utcnow()
        stale = [
            (model.status == QUEUED) & (stamp < now - STALE_HANDOVER),
            (model.status == SENDING) & (stamp < now - lease),
        ]
        if retry_after is not None:
            stale.append((model.status == RETRYING) & (stamp <= now - retry_after))
        ids = db.session.scalars(
            select(model.id)
            .where(or_(model.status == PENDING, *stale))
            .order_by(model.id)
            .limit(limit)
        ).all()
        if not ids:
            return 0
        db.session.execute(
            update(model)
            .where(model.id.in_(ids), or_(*stale))
            .values(status=PENDING)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return self.relay(ids)

    def hand_over(self, ids: list[int]) -> int:
        """Enqueue rows already marked `queued`, `batch_size` per job, in one queue round trip.

        If the queue is down they all go back to `pending` for the periodic relay.
        """
        from jobs import enqueue_many

        batches = [tuple(ids[i : i + self.batch_size]) for i in range(0, len(ids), self.batch_size)]
        try:
            enqueue_many(self.job(), batches)
        except Exception:  # the queue is down: these rows wait for the periodic relay
            log.warning("%s: queue unavailable, %s row(s) wait", self.model.__name__, len(ids))
            db.session.execute(
                update(self.model)
                .where(self.model.id.in_(ids), self.model.status == QUEUED)
                .values({"status": PENDING, self.stamp: None})
            )
            db.session.commit()
            return 0
        return len(ids)


_registered: dict[type, HandOver] = {}


def register(handover: HandOver) -> None:
    _registered[handover.model] = handover


def _mark_new_rows_queued(session: Session, flush_context, instances) -> None:
    """New rows are written as `queued`: the commit's hand-over needs no second UPDATE."""
    now = utcnow()
    for obj in session.new:
        handover = _registered.get(type(obj))
        if handover is not None and obj.status in (None, PENDING):
            obj.status = QUEUED
            setattr(obj, handover.stamp, now)


def _remember_new_rows(session: Session, flush_context) -> None:
    # In after_flush, session.new still lists the rows just inserted, ids assigned. A row
    # written already done (an e-mail of recorded history, `outbox.delivered_as_written`)
    # was never `queued`, and has nothing to hand over.
    for obj in session.new:
        handover = _registered.get(type(obj))
        if handover is not None and obj.status == QUEUED:
            session.info.setdefault(handover.info_key, set()).add(obj.id)


def _hand_over_after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        # A savepoint was released: the rows are not committed yet (and on SQLite the
        # outer transaction holds the write lock). The outermost commit hands them over.
        return
    new_ids = [(h, session.info.pop(h.info_key, None)) for h in _registered.values()]
    new_ids = [(h, ids) for h, ids in new_ids if ids]
    if not new_ids:
        return
    app = current_app._get_current_object()
    # A fresh app context gives a fresh session: this one is finishing its commit.
    with app.app_context():
        for handover, ids in new_ids:
            handover.hand_over(sorted(ids))


def _forget_after_rollback(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # only a savepoint was rolled back; ids of vanished rows hand over nothing
    for handover in _registered.values():
        session.info.pop(handover.info_key, None)


def init_app(app: Flask) -> None:
    if not getattr(init_app, "_listening", False):
        event.listen(Session, "before_flush", _mark_new_rows_queued)
        event.listen(Session, "after_flush", _remember_new_rows)
        event.listen(Session, "after_commit", _hand_over_after_commit)
        event.listen(Session, "after_rollback", _forget_after_rollback)
        init_app._listening = True
