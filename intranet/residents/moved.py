"""The residents' pages used to live under /matching and /rent: the old addresses redirect
permanently to the new ones, so that bookmarks and open tabs keep working.

308 keeps the method, so a form posted from a page loaded before the move still lands.
"""

from flask import Blueprint, abort, redirect, url_for

from ..models import RentCharge, Role
from ..security import roles_required

bp = Blueprint("moved", __name__)

READERS = (Role.MANAGER, Role.STAFF)
PAGE, ACTION = ["GET"], ["POST"]

# (old rule, new endpoint, methods), the arguments passing through unchanged.
MOVED = [
    ("/matching/residents", "residents.index", PAGE),
    ("/matching/outcomes", "residents.outcomes", PAGE),
    ("/matching/tenancies/<int:tenancy_id>", "residents.detail", PAGE),
    ("/matching/tenancies/<int:tenancy_id>/notice", "residents.notice", ACTION),
    ("/matching/tenancies/<int:tenancy_id>/move-out", "residents.move_out", ACTION),
    ("/rent/residents/<int:tenancy_id>", "residents.rent", PAGE),
    ("/rent/residents/<int:tenancy_id>/plans", "residents.create_plan", ACTION),
    ("/rent/residents/<int:tenancy_id>/notices", "residents.record_notice", ACTION),
]


def _redirect_to(endpoint: str):
    @roles_required(*READERS)
    def view(**arguments):
        return redirect(url_for(endpoint, **arguments), 308)

    return view


for rule, endpoint, methods in MOVED:
    bp.add_url_rule(rule, endpoint.split(".")[1], _redirect_to(endpoint), methods=methods)


@bp.route("/rent/charges/<int:charge_id>/rent-money", methods=ACTION)
@roles_required(*READERS)
def rent_money(charge_id):
    """The old address named only the month's charge; the new one names its resident too."""
    charge = RentCharge.get_or_none(RentCharge.id == charge_id)
    if charge is None:
        abort(404)
    return redirect(
        url_for("residents.rent_money", tenancy_id=charge.tenancy_id, charge_id=charge_id), 308
    )
