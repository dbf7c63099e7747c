"""The HTTP layer: a FastAPI app whose routes stay thin (routes -> dependencies ->
services -> store). ``lantern.api.app.create_app`` builds it."""
