"""Activities API (社区活动): staff write, publish and check in; owners sign up in the mini-program."""

from __future__ import annotations

from tenants.activities.api.owner import OwnerActivityViewSet, OwnerSignUpViewSet
from tenants.activities.api.signups import ActivitySignUpList
from tenants.activities.api.staff import ActivityViewSet

__all__ = ["ActivitySignUpList", "ActivityViewSet", "OwnerActivityViewSet", "OwnerSignUpViewSet"]
