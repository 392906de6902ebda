"""GET /api/v1/me: the caller."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from crm.api import api_actor
from crm.api.schemas import MeSchema, UserSchema
from crm.db import get_session
from crm.designations.queries import designations_of

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The calling user.")


@blp.route("")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """The caller's account, organisation, clearance and active designations."""
        user = api_actor()
        kinds = [d.kind.value for d in designations_of(get_session(), user.id)]
        return {**UserSchema().dump(user), "designations": kinds}
