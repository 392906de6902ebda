"""Alembic environment: the app's engine and the models' metadata.

Run through `flask --app app db ...`, which passes the engine in `config.attributes`;
batch mode lets SQLite alter tables, the naming convention keeps constraint names stable.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import crm.models  # noqa: F401  (registers every table on the metadata)
from crm.db import Base
from crm.search.models import include_name

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,  # the search engines' own tables are raw SQL (0007)
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
