"""The interface language: the user's choice, else the browser's, else Swedish."""

from flask import has_request_context, request, session
from flask_login import current_user

LANGUAGES = {"sv": "Svenska", "en": "English"}
DEFAULT_LANGUAGE = "sv"


def select_locale() -> str:
    """Pick the language for this request; Swedish for a command, which has none."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE
