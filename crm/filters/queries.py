"""Reading saved filters: one user's, for one page, by name."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.filters.models import SavedFilter
from crm.filters.policy import MAX_PER_PAGE, PAGING_ARGS, QUERY_MAX


def clean_query(query: str) -> str:
    """The query string without paging arguments (a saved filter starts at the first page),
    without empty values, re-encoded; at most QUERY_MAX characters (longer: cut at an argument)."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k not in PAGING_ARGS]
    while pairs and len(urlencode(pairs)) > QUERY_MAX:
        pairs.pop()
    return urlencode(pairs)


def list_filters(session: Session, *, user_id: int, page: str) -> list[SavedFilter]:
    """The user's saved filters of `page`, by name (at most MAX_PER_PAGE exist)."""
    query = (
        select(SavedFilter)
        .where(SavedFilter.user_id == user_id, SavedFilter.page == page)
        .order_by(func.lower(SavedFilter.name), SavedFilter.id)
        .limit(MAX_PER_PAGE)
    )
    return list(session.scalars(query))


def count_filters(session: Session, *, user_id: int, page: str) -> int:
    """How many filters the user has saved on `page`."""
    query = select(func.count()).where(SavedFilter.user_id == user_id, SavedFilter.page == page)
    return session.scalar(query) or 0


def find_by_name(session: Session, *, user_id: int, page: str, name: str) -> SavedFilter | None:
    """The user's filter of that name on `page`, whatever its capitals."""
    query = select(SavedFilter).where(
        SavedFilter.user_id == user_id, SavedFilter.page == page, func.lower(SavedFilter.name) == name.lower()
    )
    return session.scalar(query)


def get_filter(session: Session, filter_id: int) -> SavedFilter | None:
    """One saved filter (whoever owns it: the caller checks)."""
    return session.get(SavedFilter, filter_id)
