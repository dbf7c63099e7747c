"""API routers, one module per use-case group, all under ``/api/v1``."""

from __future__ import annotations

from importlib import import_module

from fastapi import FastAPI

MODULES = (
    "auth",
    "persons",
    "alerts",
    "network",
    "national",
    "submissions",
    "review",
    "admin",
)


def register_api(app: FastAPI) -> None:
    for name in MODULES:
        module = import_module(f"lantern.api.routes.{name}")
        app.include_router(module.router, prefix="/api/v1")
