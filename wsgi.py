"""The application for a WSGI server: ``gunicorn wsgi:app``."""

from intranet import create_app

app = create_app()
