"""Use cases shared by the API and the web pages: access checks and the audit record sit
here, once, around the analytical packages' own services."""
