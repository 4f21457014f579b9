"""What a user sees on the dashboard, in a real Chromium against a real
valet-api with groups and plans made over its API (issue 13 §4).

Screenshots of the runs go to doc/images/ (the README shows them).
"""

import pytest

from tests.browser.conftest import HOSTS, IMAGES, assignment, open_dashboard, server, volume

DIMENSIONS = ("vcpus", "memory_mb", "disk_gb")

TEMPLATE = """\
heat_template_version: 2018-08-31
description: Two application servers on different hosts.
parameters:
  flavor: {type: string, default: small}
resources:
  app-1:
    type: OS::Nova::Server
    properties: {flavor: {get_param: flavor}, image: cirros}
  app-2:
    type: OS::Nova::Server
    properties: {flavor: {get_param: flavor}, image: cirros}
  apart:
    type: OS::Valet::GroupAssignment
    properties:
      group_type: diversity
      level: host
      resources: [{get_resource: app-1}, {get_resource: app-2}]
"""

#: Two servers that each fill a host, asked to share one: never fits.
TOO_BIG = """\
heat_template_version: 2018-08-31
resources:
  big-1: {type: OS::Nova::Server, properties: {flavor: large, image: cirros}}
  big-2: {type: OS::Nova::Server, properties: {flavor: large, image: cirros}}
  together:
    type: OS::Valet::GroupAssignment
    properties:
      group_type: affinity
      level: host
      resources: [{get_resource: big-1}, {get_resource: big-2}]
"""


@pytest.fixture(scope="module")
def scene(valet):
    """A named group and two plans: ``web`` (two servers of the named group
    and a volume) and ``db`` (two servers in an in-stack rack affinity)."""
    valet.call("POST", "/v1/groups", {"name": "web-apart", "type": "diversity",
                                      "level": "host", "description": "web servers apart"})
    web = valet.plan("stack-web", "web", server("web1", groups=["web-apart"]),
                     server("web2", groups=["web-apart"]), volume("web-data"))
    db = valet.plan("stack-db", "db", server("db1", "medium"), server("db2", "medium"),
                    assignment("db-together", "affinity", "rack", ["orch-db1", "orch-db2"]))
    return {"web": web, "db": db}


def locations(plan):
    return {placed["location"] for placed in plan["placements"].values()}


def marked(page, class_name):
    """The hosts and backends drawn with ``class_name``."""
    return set(page.eval_on_selector_all(
        f"#datacentre rect.{class_name}",
        "rects => rects.map(rect => rect.dataset.host || rect.dataset.backend)"))


def shares(page):
    return dict(page.eval_on_selector_all(
        "#datacentre rect.host",
        "rects => rects.map(rect => [rect.dataset.host, Number(rect.dataset.share)])"))


def listed_rules(page):
    """The groups whose rules the selection panel lists, as shown."""
    return page.eval_on_selector_all("#selection-details li.rule[data-group]",
                                     "items => items.map(item => item.dataset.group)")


def expected_shares(hosts, dimension):
    return {host["name"]: host["used"][dimension] / host["capacity"][dimension]
            for host in hosts}


def test_every_host_is_drawn_in_its_rack_and_cluster(page, valet, scene):
    open_dashboard(page, valet.base)
    hosts = valet.call("GET", "/v1/hosts")["hosts"]
    assert sorted(host["name"] for host in hosts) == sorted(HOSTS)
    drawn = page.eval_on_selector_all("#datacentre rect.host", """rects => rects.map(rect => [
        rect.dataset.host, rect.closest("g.rack").dataset.rack,
        rect.closest("g.cluster").dataset.cluster])""")
    assert sorted(drawn) == sorted([host["name"], host["rack"], host["cluster"]] for host in hosts)
    for name in HOSTS:
        assert page.locator(f"rect.host[data-host='{name}']").is_visible()
    assert page.get_by_text("cluster c1", exact=True).is_visible()
    assert page.get_by_text("c1r2", exact=True).is_visible()
    assert page.locator("#status").inner_text() == \
        "engine ok (local) · database ok (sqlite)"
    assert page.problems == []


def test_a_disabled_host_is_marked(page, valet, scene):
    open_dashboard(page, valet.base)
    disabled = page.locator("rect.host[data-host='c2r1h3']")
    assert disabled.get_attribute("data-enabled") == "false"
    assert "disabled" in disabled.get_attribute("class").split()
    assert page.get_by_text("c2r1h3 (off)", exact=True).is_visible()
    assert page.locator("rect.host.disabled").count() == 1


def test_hosts_are_coloured_by_the_chosen_dimension(page, valet, scene):
    open_dashboard(page, valet.base)
    hosts = valet.call("GET", "/v1/hosts")["hosts"]
    # c1r1h2's load Valet did not place fills vCPU and RAM unequally.
    vcpus, memory = (expected_shares(hosts, dimension) for dimension in ("vcpus", "memory_mb"))
    assert vcpus["c1r1h2"] != memory["c1r1h2"]
    fills = {}
    for dimension in DIMENSIONS:
        page.select_option("#metric", dimension)
        # NOTE: the page shows three decimals (JavaScript rounds half up).
        assert shares(page) == pytest.approx(expected_shares(hosts, dimension), abs=1e-3)
        fills[dimension] = page.locator("rect.host[data-host='c1r1h2']").get_attribute("fill")
        assert page.locator("#legend").inner_text().startswith(
            {"vcpus": "vCPU", "memory_mb": "RAM", "disk_gb": "disk"}[dimension])
    assert fills["vcpus"] != fills["memory_mb"]


def test_hovering_a_host_shows_its_figures_placements_and_groups(page, valet, scene):
    open_dashboard(page, valet.base)
    where = scene["web"]["placements"]["orch-web1"]["location"]
    host = valet.call("GET", f"/v1/hosts/{where}")["host"]
    page.hover(f"rect.host[data-host='{where}']")
    tooltip = page.locator("#tooltip")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert text.splitlines()[0] == where
    assert f"rack {host['rack']} · cluster {host['cluster']}" in text
    assert f"vCPU\t{host['used']['vcpus']} of {host['capacity']['vcpus']}" in text
    assert "web1 (plan web)" in text
    assert "web-apart" in text
    page.mouse.move(1, 1)
    tooltip.wait_for(state="hidden")


def test_selecting_a_plan_highlights_exactly_its_hosts_and_volumes(page, valet, scene):
    open_dashboard(page, valet.base)
    web, db = scene["web"], scene["db"]
    assert len(locations(web)) == 3       # two hosts apart, and a storage backend
    page.select_option("#selection", f"plan:{web['id']}")
    assert marked(page, "highlighted") == locations(web)
    details = page.locator("#selection-details")
    assert details.locator("li.rule[data-group='web-apart']").get_attribute("data-state") == "met"
    for orch_id, placed in web["placements"].items():
        assert details.locator(f"tr[data-orch-id='{orch_id}'] td.location").inner_text() == \
            placed["location"]
    page.hover(f"rect.host[data-host='{web['placements']['orch-web1']['location']}']")
    page.locator("#tooltip").wait_for(state="visible")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "dashboard.png"), full_page=True)

    page.select_option("#selection", f"plan:{db['id']}")
    assert marked(page, "highlighted") == locations(db)
    rule = details.locator("li.rule[data-group='db-together']")
    assert rule.get_attribute("data-state") == "met"
    assert "in the stack" in rule.inner_text()
    # The rules listed are exactly the groups the plan's answer names.
    for plan in (web, db):
        page.select_option("#selection", f"plan:{plan['id']}")
        assert listed_rules(page) == sorted(
            {name for placed in plan["placements"].values() for name in placed["groups"]})
    page.select_option("#selection", "")
    assert marked(page, "highlighted") == set()


def test_selecting_a_group_highlights_the_hosts_of_its_servers(page, valet, scene):
    open_dashboard(page, valet.base)
    page.select_option("#selection", "group:web-apart")
    web = scene["web"]["placements"]
    assert marked(page, "highlighted") == {web["orch-web1"]["location"],
                                           web["orch-web2"]["location"]}
    rule = page.locator("#selection-details li.rule[data-group='web-apart']")
    assert rule.get_attribute("data-state") == "met"
    assert "diversity(host)" in rule.inner_text()


def test_a_dry_run_of_a_pasted_template_shows_where_it_would_go(page, valet, scene):
    open_dashboard(page, valet.base)
    plans_before = valet.call("GET", "/v1/plans")
    page.fill("#template", TEMPLATE)
    page.fill("#parameters", "flavor=medium")
    page.click("#dry-run")
    result = page.locator("#dry-run-fits")
    result.wait_for()
    # NOTE: by the name each row shows (a template's orchestration ids are uuids).
    rows = page.eval_on_selector_all("#dry-run-fits tbody tr", """rows => rows.map(row =>
        [row.querySelector("td").textContent, row.querySelector("td.location").textContent])""")
    where = dict(rows)
    assert set(where) == {"app-1", "app-2"}
    enabled = {host["name"] for host in valet.call("GET", "/v1/hosts")["hosts"] if host["enabled"]}
    assert set(where.values()) <= enabled
    assert where["app-1"] != where["app-2"]
    assert marked(page, "proposed") == set(where.values())
    assert "apart" in result.inner_text()
    # Nothing stored: the API lists the same plans.
    assert valet.call("GET", "/v1/plans") == plans_before
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "dashboard-dry-run.png"), full_page=True)


def test_a_refused_dry_run_shows_why(page, valet, scene):
    open_dashboard(page, valet.base)
    refused = valet.call("POST", "/v1/plans", {"template": TOO_BIG, "parameters": {},
                                               "dry_run": True}, expect=(409,))
    assert refused["error"]["type"] == "NoPlacement"
    page.fill("#template", TOO_BIG)
    page.click("#dry-run")
    shown = page.locator("#dry-run-refusal")
    shown.wait_for()
    assert shown.locator(".reason").inner_text() == refused["error"]["message"]
    assert "It would not fit" in shown.inner_text()
    hints = refused["error"].get("hints") or []
    assert shown.locator("ul.hints li").all_inner_texts() == hints
    assert page.locator("#dry-run-fits").count() == 0
    assert marked(page, "proposed") == set()


def test_a_bad_template_shows_the_apis_reason(page, valet, scene):
    open_dashboard(page, valet.base)
    answer = valet.call("POST", "/v1/plans", {"template": "resources: [", "dry_run": True},
                        expect=(400,))
    page.fill("#template", "resources: [")
    page.click("#dry-run")
    shown = page.locator("#dry-run-refusal")
    shown.wait_for()
    assert shown.locator(".reason").inner_text() == answer["error"]["message"]
    assert "The request was refused" in shown.inner_text()


def test_an_uploaded_template_is_the_one_dry_run(page, valet, scene, tmp_path):
    open_dashboard(page, valet.base)
    uploaded = tmp_path / "stack.yaml"
    uploaded.write_text(TEMPLATE.replace("app-", "uploaded-"))
    page.set_input_files("#template-file", str(uploaded))
    page.wait_for_selector("#template:not(:placeholder-shown)")
    assert page.input_value("#template") == uploaded.read_text()
    page.click("#dry-run")
    page.locator("#dry-run-fits").wait_for()
    assert sorted(page.eval_on_selector_all(
        "#dry-run-fits tbody tr", "rows => rows.map(row => row.querySelector('td').textContent)"
    )) == \
        ["uploaded-1", "uploaded-2"]
