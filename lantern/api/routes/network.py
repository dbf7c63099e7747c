"""network routes (filled in as the network service lands)."""

from fastapi import APIRouter

router = APIRouter(prefix="/network", tags=["network"])
