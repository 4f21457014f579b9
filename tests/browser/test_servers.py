"""The dashboard against valet-api servers of their own: one whose data
centre changes under its plans (a violation appears), one in keystone mode,
one without the dashboard; and the token field in noauth mode."""

import pytest

from tests.browser.conftest import (
    INVENTORY,
    assignment,
    open_dashboard,
    server,
    start_valet,
    write_inventory,
)
from tests.support import live_server


@pytest.fixture
def own_valet(tmp_path):
    """Starts valet-api servers for one test and stops every one left running."""
    running = []

    def start(inventory, port=None, **sections):
        process, log, valet = start_valet(tmp_path / "api", inventory, port=port, **sections)
        running.append((process, log))
        return valet

    def stop(valet):
        process, log = running.pop()
        assert live_server.stop(process, log) == 0

    start.stop = stop
    yield start
    for process, log in running:
        live_server.stop(process, log)


def test_a_violation_appears_once_the_data_centre_breaks_a_rule(page, own_valet, tmp_path):
    inventory = write_inventory(tmp_path / "inventory.yaml")
    valet = own_valet(inventory)
    # Each server fills a host: the rack affinity keeps them on two hosts of one rack.
    plan = valet.plan("stack-pair", "pair", server("a", "large"), server("b", "large"),
                      assignment("pair-rack", "affinity", "rack", ["orch-a", "orch-b"]))
    hosts = {placed["location"] for placed in plan["placements"].values()}
    assert len(hosts) == 2
    open_dashboard(page, valet.base)
    assert page.locator("#violation-count").inner_text() == "0"
    assert page.locator("#violations li.violation").count() == 0

    # b's host moves to another rack; valet-api reads the inventory at start.
    moved = plan["placements"]["orch-b"]["location"]
    rack = next(entry["rack"] for entry in INVENTORY["hosts"] if entry["name"] == moved)
    changed = {**INVENTORY, "hosts": [
        {**entry, "rack": next(other for other in INVENTORY["racks"] if other != rack)}
        if entry["name"] == moved else entry for entry in INVENTORY["hosts"]]}
    write_inventory(inventory, changed)
    port = int(valet.base.rsplit(":", 1)[1])
    own_valet.stop(valet)
    valet = own_valet(inventory, port=port)
    found = valet.call("GET", "/v1/resources")["resources"]
    assert found, "the API reports no violation"
    page.reload()
    page.wait_for_selector("body[data-loaded=done]")
    assert page.locator("#violation-count").inner_text() == str(len(found))
    listed = page.locator("#violations li.violation")
    assert sorted(listed.evaluate_all("items => items.map(item => item.dataset.resource)")) == \
        sorted(found)
    for key, violation in found.items():
        reason = page.locator(f"#violations li[data-resource='{key}'] .reason")
        assert reason.inner_text() == violation["message"]
        assert "pair-rack" in violation["message"]
    page.select_option("#selection", f"plan:{plan['id']}")
    rule = page.locator("#selection-details li.rule[data-group='pair-rack']")
    assert rule.get_attribute("data-state") == "violated"
    violated = set(page.eval_on_selector_all("#datacentre rect.violated",
                                             "rects => rects.map(rect => rect.dataset.host)"))
    assert violated <= hosts and violated


def api_requests(page):
    """The page's v1 API requests, as they are sent."""
    seen = []
    page.on("request", lambda request: "/v1/" in request.url and seen.append(request))
    return seen


def test_without_keystone_no_token_is_sent_until_one_is_given(page, own_valet, tmp_path):
    valet = own_valet(write_inventory(tmp_path / "inventory.yaml"))
    seen = api_requests(page)
    open_dashboard(page, valet.base)
    assert seen and all("x-auth-token" not in request.headers for request in seen)
    assert page.locator("#auth-message").is_hidden()
    seen.clear()
    page.fill("#token", "a-token")
    # NOTE: the submit handler marks the page loading before it calls the API.
    page.click("#token-save")
    page.wait_for_selector("body[data-loaded=done]")
    assert page.evaluate("() => sessionStorage.getItem('valet.token')") == "a-token"
    assert seen and all(request.headers.get("x-auth-token") == "a-token" for request in seen)
    # Kept for the tab only: the same page after a reload still sends it.
    seen.clear()
    page.reload()
    page.wait_for_selector("body[data-loaded=done]")
    assert seen and all(request.headers.get("x-auth-token") == "a-token" for request in seen)
    assert page.locator("#token").input_value() == "a-token"


def test_in_keystone_mode_the_page_loads_without_a_token_and_asks_for_one(page, own_valet,
                                                                         tmp_path):
    # NOTE: auth_token refuses a request without a token by itself; the
    # Keystone it names is never reached (nothing listens there).
    nowhere = f"http://127.0.0.1:{live_server.free_port()}/v3"
    valet = own_valet(write_inventory(tmp_path / "inventory.yaml"),
                      api={"auth_strategy": "keystone"},
                      keystone_authtoken={"www_authenticate_uri": nowhere, "auth_url": nowhere,
                                          "auth_type": "password", "username": "valet",
                                          "password": "unused", "project_name": "service"})
    loaded = []
    page.on("response", lambda response: loaded.append((response.url, response.status)))
    answer = page.goto(f"{valet.base}/dashboard")
    assert answer.status == 200
    page.wait_for_selector("body[data-loaded=error]")
    assert page.locator("#auth-message").inner_text() == "this Valet asks for a Keystone token"
    files = {url: status for url, status in loaded if "/dashboard/static/" in url}
    assert files and set(files.values()) == {200}
    api = {url: status for url, status in loaded if "/v1/" in url}
    assert api and set(api.values()) == {401}


def test_without_the_option_there_is_no_dashboard(page, own_valet, tmp_path):
    valet = own_valet(write_inventory(tmp_path / "inventory.yaml"), api={"dashboard": "false"})
    for path in ("/dashboard", "/dashboard/static/app.js"):
        answer = page.goto(f"{valet.base}{path}")
        assert answer.status == 404
        assert answer.json()["error"]["type"] == "NotFound"
    assert valet.call("GET", "/v1/hosts")["hosts"]


def test_reads_the_policy_refuses_leave_their_part_empty(page, own_valet, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text('"valet:hosts:list": "!"\n"valet:resources:list": "!"\n')
    valet = own_valet(write_inventory(tmp_path / "inventory.yaml"),
                      oslo_policy={"policy_file": policy})
    plan = valet.plan("stack-one", "one", server("solo"))
    open_dashboard(page, valet.base)
    notice = page.locator("#load-error")
    assert notice.is_visible()
    assert "v1/hosts" in notice.inner_text() and "v1/resources" in notice.inner_text()
    # Without the hosts, a host cannot be told from a storage backend: neither is drawn.
    assert page.locator("#datacentre rect.host, #datacentre rect.backend").count() == 0
    page.select_option("#selection", f"plan:{plan['id']}")
    where = plan["placements"]["orch-solo"]["location"]
    assert page.locator("#selection-details tr[data-orch-id='orch-solo'] td.location") \
        .inner_text() == where
