"""One helper decides whether a request gets a whole page or a fragment."""

from flask import make_response, render_template
from jinja2_fragments.flask import render_block

from .extensions import htmx


def wants_fragment() -> bool:
    """A targeted htmx request: not boosted, not a history restore."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **context):
    """Render ``template`` whole, or only ``block`` of it for a targeted htmx request."""
    if block is not None and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.headers.add("Vary", "HX-Request")
    return response
