"""Time the daily-digest job on the database of DATABASE_URL, then roll it back.

Rolled back so that every run measures the whole job (a second real run the same day would
find every digest sent already and insert nothing). Prints one JSON line.
"""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from crm import create_app
from crm.accounts.models import User
from crm.db import get_session, utcnow, write_intent
from crm.notifications.jobs import daily_digest


def main() -> None:
    app = create_app()
    with app.app_context(), write_intent():
        session = get_session()
        users = session.scalar(select(func.count()).select_from(User).where(User.is_active))
        started = time.perf_counter()
        outcome = daily_digest(session, utcnow())
        session.flush()
        seconds = time.perf_counter() - started
        session.rollback()
    print(json.dumps({"seconds": round(seconds, 2), "active_users": users, "outcome": outcome}))


if __name__ == "__main__":
    main()
