"""PLACEHOLDER (replaced by the validation branch)."""

from typing import Literal

from pydantic import BaseModel, Field


class ClaimRequest(BaseModel):
    limit: int = Field(10, ge=1, le=100)
    site: str | None = None


class DecisionRequest(BaseModel):
    decision: Literal["approve", "reject", "spam"]
    reason: str | None = Field(None, max_length=500)
