"""Operations endpoints for load balancers and deploy scripts: /healthz and /readyz."""

from crm.ops.views import init_app

__all__ = ["init_app"]
