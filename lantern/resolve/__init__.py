"""Identity resolution: who is who across agencies."""
