"""Saving and deleting a user's named filters of a list page (audited like every write)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm.accounts.models import User
from crm.audit.services import Target, record
from crm.errors import Forbidden, Invalid, NotFound
from crm.filters import policy, queries
from crm.filters.models import SavedFilter


def save_filter(session: Session, *, actor: User, page: str, name: str, query: str) -> SavedFilter:
    """Save `query` (paging arguments dropped) under `name` for the actor on `page`.

    Invalid (422) on an unknown page, an empty or long name, a name the actor already uses on
    that page (any capitals, `duplicate_name`) or a 51st filter (`too_many_filters`).
    """
    if not policy.can_save(actor):
        raise Forbidden("You cannot save filters.")
    if page not in policy.PAGES:
        raise Invalid("This page has no saved filters.", fields={"page": ["Unknown list page."]})
    name = " ".join(name.split())
    if not name or len(name) > policy.NAME_MAX:
        raise Invalid("Name the filter.", fields={"name": [f"Give a name of 1 to {policy.NAME_MAX} characters."]})
    if queries.find_by_name(session, user_id=actor.id, page=page, name=name) is not None:
        raise Invalid(f"You already have a saved filter named “{name}” on this page.", code=policy.DUPLICATE_NAME,
                      fields={"name": [f"You already have a filter named “{name}” here: choose another."]})  # fmt: skip
    if queries.count_filters(session, user_id=actor.id, page=page) >= policy.MAX_PER_PAGE:
        raise Invalid(f"You have {policy.MAX_PER_PAGE} saved filters on this page.", code=policy.TOO_MANY,
                      fields={"name": [f"At most {policy.MAX_PER_PAGE} per page: delete one first."]})  # fmt: skip
    saved = SavedFilter(user_id=actor.id, page=page, name=name, query=queries.clean_query(query))
    session.add(saved)
    session.flush()
    record(session, actor=actor, action="saved_filter.create", target=Target.of(saved),
           after={"page": page, "name": name, "query": saved.query})  # fmt: skip
    return saved


def delete_filter(session: Session, *, actor: User, filter_id: int) -> SavedFilter:
    """Delete one of the actor's saved filters; NotFound for anyone else's (ids reveal nothing)."""
    saved = queries.get_filter(session, filter_id)
    if saved is None or not policy.owns(actor, saved.user_id):
        raise NotFound("No such saved filter.")
    record(session, actor=actor, action="saved_filter.delete", target=Target.of(saved),
           before={"page": saved.page, "name": saved.name, "query": saved.query})  # fmt: skip
    session.delete(saved)
    session.flush()
    return saved
