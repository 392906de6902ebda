import time
import pytest
from tests.browser.test_keyboard import site, _hold_posts  # noqa
from tests.browser.people import ROLES, sign_in

def test_debug(page, site, tmp_path):
    sign_in(page, site.server.url, ROLES["secretariat"])
    upload = tmp_path / "c.csv"; upload.write_text("name,health\nSlow Co,amber\n")
    page.goto(site.server.url + "/companies/import")
    held=[]
    page.route("**/companies/import", lambda route: _hold_posts(route, held))
    page.get_by_label("CSV file").set_input_files(upload)
    page.get_by_role("button", name="Preview the import").click(no_wait_after=True)
    for i in range(5):
        try:
            print(i, len(held), page.evaluate("() => [document.querySelector('.working').textContent, document.querySelector('main form button').disabled]"))
        except Exception as e:
            print("ERR", e)
        page.wait_for_timeout(200)
