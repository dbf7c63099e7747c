"""Guards and adapters every use case shares."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import import_module
from typing import Any

from lantern.access import audit
from lantern.access.roles import AccessDenied, Permission, Principal
from lantern.api.context import AppContext, Call, ServiceUnavailable


@contextmanager
def guarded(
    ctx: AppContext,
    principal: Principal,
    action: str,
    call: Call,
    *,
    permission: Permission | None = None,
    subject: str | None = None,
    purpose: str | None = None,
) -> Iterator[None]:
    """Check the permission; any refusal inside is written to the audit log, then raised."""
    try:
        if permission is not None:
            principal.require(permission)
        yield
    except AccessDenied as exc:
        audit.record(
            ctx.engine,
            actor=principal,
            action=action,
            outcome="denied",
            purpose=purpose,
            subject=subject,
            detail={"reason": str(exc)},
            client=call.client,
        )
        raise


def log_read(
    ctx: AppContext,
    principal: Principal,
    action: str,
    call: Call,
    *,
    result_ids: Sequence[str] = (),
    subject: str | None = None,
    purpose: str | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    """Record a successful read or write; called before the result is returned."""
    audit.record(
        ctx.engine,
        actor=principal,
        action=action,
        outcome="ok",
        purpose=purpose,
        subject=subject,
        result_ids=result_ids,
        detail=detail,
        client=call.client,
    )


def optional_service(module: str, name: str) -> Callable[..., Any]:
    """A function of another package, or 503 when that package has not landed yet."""
    try:
        mod = import_module(module)
    except ModuleNotFoundError as exc:
        raise ServiceUnavailable(f"{module} is not available") from exc
    func = getattr(mod, name, None)
    if func is None:
        raise ServiceUnavailable(f"{module}.{name} is not available")
    return func  # type: ignore[no-any-return]


def plain(value: Any) -> Any:
    """Dataclasses, pydantic models, pandas frames and dates to JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in dataclasses.asdict(value).items()}
    if hasattr(value, "model_dump"):
        return plain(value.model_dump())
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        frame = value.astype(object).where(value.notna(), None)
        return [plain(r) for r in frame.to_dict(orient="records")]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    return value
