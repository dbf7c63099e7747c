"""Server-rendered pages (Jinja2) with small progressive enhancement; vendored assets."""
