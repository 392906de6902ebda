"""Lists that used to stop at a fixed number of rows now page with a keyset cursor."""

from __future__ import annotations

from crm.accounts.models import Clearance, Role
from crm.designations.models import DesignationKind
from crm.governance.services import draft_recommendation, propose_nomination
from crm.governance.views import PAGE_SIZE
from tests.factories import make_user


def test_recommendations_page_by_id_with_a_next_link(seed, login):
    def build(s):
        keeper = make_user(s, role=Role.SECRETARIAT, org="DMW", username="dmw.keeper")
        for number in range(PAGE_SIZE + 2):
            draft_recommendation(s, actor=keeper, title=f"Recommendation {number:03}", text="Text.")
        return keeper

    keeper = seed(build)
    client = login(keeper)

    first = client.get("/governance/recommendations").get_data(as_text=True)
    assert "Recommendation 000" in first
    assert f"Recommendation {PAGE_SIZE - 1:03}" in first
    assert f"Recommendation {PAGE_SIZE:03}" not in first
    next_link = first.split('href="/governance/recommendations?after=')[1].split('"')[0]

    second = client.get(f"/governance/recommendations?after={next_link}").get_data(as_text=True)
    assert f"Recommendation {PAGE_SIZE:03}" in second
    assert f"Recommendation {PAGE_SIZE + 1:03}" in second
    assert "Recommendation 000" not in second
    assert "?after=" not in second


def test_nominations_page_by_id(seed, login):
    def build(s):
        keeper = make_user(s, role=Role.SECRETARIAT, org="DMW", username="dmw.nominator")
        nominees = [make_user(s, org="MoIT", username=f"nominee.{n:03}", clearance=Clearance.RESTRICTED)
                    for n in range(PAGE_SIZE + 1)]  # fmt: skip
        for nominee in nominees:
            propose_nomination(s, actor=keeper, kind=DesignationKind.SPOKESPERSON, nominee_id=nominee.id)
        return keeper

    client = login(seed(build))

    first = client.get("/governance/nominations").get_data(as_text=True)
    table = first.split("</table>")[0]
    assert "Nominee 000" in table
    assert f"Nominee {PAGE_SIZE:03}" not in table
    cursor = first.split('href="/governance/nominations?after=')[1].split('"')[0]
    second = client.get(f"/governance/nominations?after={cursor}").get_data(as_text=True).split("</table>")[0]
    assert f"Nominee {PAGE_SIZE:03}" in second
    assert "Nominee 000" not in second


def test_a_garbage_cursor_starts_over(seed, login):
    keeper = seed(lambda s: make_user(s, role=Role.SECRETARIAT, org="DMW", username="dmw.garbage"))

    assert login(keeper).get("/governance/recommendations?after=abc").status_code == 200
