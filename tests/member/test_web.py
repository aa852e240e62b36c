"""The member calculator's web page (model/member/web.py): its pure functions, a server in a thread
answering two residents at once, and (slow) a real headless Chromium filling in the form."""
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from model import load_scenario
from model.member import web
from model.member.calculator import illustrate
from model.member.inputs import FIELDS, member_from_fields
from model.member.statement import find_chromium, t

ROOT = Path(__file__).resolve().parents[2]
BEIBEI_PATH = ROOT / "scenarios" / "beibei_2011.yaml"
BEIBEI = load_scenario(BEIBEI_PATH)          # 5 tiers: a small what-if table keeps the JSON test fast


@pytest.fixture(scope="module")
def server():
    """The page under Beibei's rules, on a free port, in a thread (``url`` ends in /)."""
    srv = web.make_server(BEIBEI, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield web.url_of(srv)
    srv.shutdown()
    srv.server_close()


def get(url: str, path: str, **query) -> tuple[int, str]:
    """(status, body) of GET url+path?query, errors included (a 400 page is an answer too)."""
    full = url + path + ("?" + urllib.parse.urlencode(query) if query else "")
    try:
        with urllib.request.urlopen(full, timeout=60) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def monthly_total_on(page: str) -> float:
    """The figure the page shows in its element ``monthly_total`` [yuan/month]."""
    return float(re.search(r'id="monthly_total" data-value="([^"]*)"', page).group(1))


# ---------------------------------------------------------------- (a) the pure functions
def test_query_gives_the_form_fields_and_joins_the_ticked_flags():
    f = web.fields_of_query("birth=+1975-05+&enrol=2012&flags=dibao&flags=village_cadre&flags="
                            "&one_child_parent=yes&province=%E8%B4%B5%E5%B7%9E&utm=x&birth=1999-01")
    assert f == {"birth": "1975-05", "enrol": "2012", "flags": "dibao;village_cadre", "one_child_parent": "yes",
                 "province": "贵州"}                        # first value kept, unknown names dropped
    assert web.fields_of_query("") == {"flags": ""}


@pytest.mark.parametrize("message, field", [
    ("birth = '19x5': YYYY-MM (required)", "birth"),
    ("--birth 2030-01 is in the future (today is 2026-01-01)", "birth"),
    ("--birth: month 13 does not exist (1 to 12)", "birth"),
    ("enrol is empty: YYYY or YYYY-MM (required)", "enrol"),
    ("--enrol 2005 is before the scheme starts (2011-07) in this scenario", "enrol"),
    ("--tier 333: not a tier of this scenario for rural members; allowed: 100", "tier"),
    ("--lump-sum: only for people already 60 when the scheme starts", "lump_sum"),
    ("--catch-up 2024=2: give a year from enrolment to the 60th birthday", "catch_up"),
    ("--province 火星: not a province", "province"),
    ("--basic-pension -5.0: give yuan a month from 0 to 10,000", "basic_pension"),
    ("one_child_parent = 'maybe': give yes or no", "one_child_parent"),
    ("--stop-after-years 500: give a number of years from 0 to 100", "stop_after_years"),
    ("unknown member flag 'rich': allowed ...", ""),              # names no field: the top of the form
    ("scenarios/x.yaml: benefits: bad", ""),
])
def test_each_message_goes_to_the_field_it_names(message, field):
    assert web.field_of_error(message) == field


def test_every_bad_field_gets_its_own_message_at_once():
    r = web.resident_of({"birth": "19x5", "enrol": "2012", "province": "火星", "basic_pension": "abc",
                         "subsidy": "-3", "lang": "fr"})
    assert r.member is None
    assert set(r.errors) == {"birth", "province", "basic_pension", "subsidy", "lang"}
    assert r.errors["basic_pension"] == ["basic_pension = 'abc': give yuan a month as a number"]
    ok = web.resident_of({"birth": "1975-05", "enrol": "2012", "province": "贵州", "subsidy": "40",
                          "what_if": "yes", "lang": "en"})
    assert not ok.errors and ok.counter.province == "520000" and ok.counter.subsidy_yuan == 40.0
    assert ok.with_what_if and ok.lang == "en"
    assert ok.member == member_from_fields({"birth": "1975-05", "enrol": "2012"})   # the batch/CLI builder


def test_the_form_escapes_what_was_typed_and_shows_every_field():
    evil = '"><script>alert(1)</script>'
    fields = {"birth": evil, "tier": "<b>300</b>", "province": evil, "sex": evil}
    page = web.form_html(fields, {"birth": [f"birth = {evil!r}: YYYY-MM"], "": ["a <general> problem"]}, BEIBEI)
    assert "<script>" not in page and "<b>300" not in page
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "a &lt;general&gt; problem" in page and 'id="err-top"' in page
    for name in FIELDS:                  # a field FIELDS gains appears without touching the page
        assert f'id="row-{name}"' in page
    assert 'name="province"' in page and ">贵州省<" in page and 'value=""' in page   # national rules first


def test_a_field_added_to_FIELDS_gets_a_text_box_with_its_help(monkeypatch):
    monkeypatch.setitem(FIELDS, "bank_card", "the card the pension is paid to")
    monkeypatch.setitem(FIELDS, "by_post", "yes or no: the statement is posted")
    page = web.form_html({"bank_card": "6222<x>", "by_post": "yes"}, {}, BEIBEI)
    assert 'name="bank_card"' in page and "the card the pension is paid to" in page and "6222&lt;x&gt;" in page
    assert re.search(r'type="checkbox" name="by_post" value="yes"[^>]*checked', page)      # a yes/no: a box
    assert "the statement is posted" in page and '<details id="more" open>' in page        # filled: unfolded


def test_the_form_is_hidden_on_paper_and_the_page_runs_only_its_print_script():
    assert re.search(r"@media print \{ \.web \{ display: none", web.WEB_CSS)
    page = web.page_html("<form></form>", None, "<button id='print'></button>")
    assert page.count("<script>") == 1 and web.PRINT_SCRIPT in page and web.SCRIPT_HASH in web.CSP


# ---------------------------------------------------------------- (b) the server
def test_json_is_what_member_json_prints_for_the_same_inputs(server, cli):
    # the same builder and calls as `python -m model member --json` (what-if table included)
    r = cli("member", BEIBEI_PATH, "--birth", "1975-05", "--enrol", "2011", "--tier", "200", "--sex", "F",
            "--one-child-parent", "--stop-after-years", "20", "--json")
    assert r.returncode == 0
    status, body = get(server, "json", birth="1975-05", enrol="2011", tier="200", sex="F", one_child_parent="yes",
                       stop_after_years="20")
    assert status == 200
    assert json.loads(body) == json.loads(r.stdout) and len(json.loads(body)["what_if"]) > 0


def test_two_residents_at_once_get_their_own_figures(server):
    asks = [dict(birth="1975-05", enrol="2011", tier="100"), dict(birth="1962-03", enrol="2011", tier="400", sex="F")]
    want = [illustrate(BEIBEI, member_from_fields(q)).summary["monthly_total"] for q in asks]
    assert want[0] != want[1]
    barrier = threading.Barrier(2)

    def ask(q):
        barrier.wait()                             # both requests in flight together
        return get(server, "statement", **q)
    with ThreadPoolExecutor(2) as pool:
        pages = list(pool.map(ask, asks * 2))
    assert [s for s, _ in pages] == [200] * 4
    assert [monthly_total_on(p) for _, p in pages] == want * 2


def test_a_bad_birth_shows_the_form_again_with_the_message_beside_birth(server):
    status, page = get(server, "statement", birth="1975-13", enrol="2011", tier="200")
    assert status == 400 and "Traceback" not in page
    row = re.search(r'<div class="f bad" id="row-birth">.*?id="err-birth" role="alert">([^<]*)</div>', page)
    assert row and "--birth: month 13 does not exist" in row.group(1)
    assert 'value="1975-13"' in page and 'value="200"' in page            # what was entered, kept
    assert "monthly_total" not in page
    status, page = get(server, "statement", birth="1975-05", enrol="2011", tier="333")
    assert status == 400 and re.search(r'id="err-tier" role="alert">--tier 333: not a tier', page)


def test_an_internal_error_is_logged_not_shown(server, monkeypatch, capfd):
    def broken(*a, **k):
        raise RuntimeError("secret detail")
    monkeypatch.setattr(web, "illustrate", broken)
    status, page = get(server, "statement", birth="1975-05", enrol="2011")
    assert status == 500 and "secret" not in page and "Traceback" not in page
    assert web.INTERNAL.split(";")[0] in page and 'value="1975-05"' in page
    status, body = get(server, "json", birth="1975-05", enrol="2011")
    assert status == 500 and "secret" not in body
    err = capfd.readouterr().err
    assert "Traceback" in err and "RuntimeError: secret detail" in err and "1975-05" not in err   # query not logged


def test_the_start_page_and_unknown_paths(server):
    status, page = get(server, "")
    assert status == 200 and 'action="/statement"' in page and 'method="get"' in page
    assert re.search(r'name="what_if" value="yes" id="f-what_if"[^>]*checked', page)   # what-if by default
    assert get(server, "nothing-here")[0] == 404


def test_a_port_in_use_is_one_line_and_status_2(cli):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        r = cli("serve", BEIBEI_PATH, "--port", s.getsockname()[1])
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "cannot listen on 127.0.0.1" in r.stderr


# ---------------------------------------------------------------- (c) slow: a real process, a real browser
@pytest.mark.slow  # starts the interpreter
def test_serve_prints_its_address_and_stops_cleanly_on_ctrl_c():
    p = subprocess.Popen([sys.executable, "-m", "model", "serve", str(BEIBEI_PATH), "--port", "0"], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        assert get(url, "")[0] == 200
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0 and "stopped" in err and "Traceback" not in err


def _browser_or_skip(monkeypatch):
    """Selenium driving Debian's Chromium and chromedriver (and its fresh profile); nothing is downloaded."""
    pytest.importorskip("selenium")
    if find_chromium() is None or not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium not installed (apt-get install chromium)")
    if not Path("/usr/bin/chromedriver").exists():
        pytest.skip("chromedriver not installed (apt-get install chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = Path(tempfile.mkdtemp(prefix="web-test-profile-"))
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=1200,1600"):
        options.add_argument(flag)
    # both paths given, so Selenium Manager is never run; SE_OFFLINE keeps it off the network if it were
    monkeypatch.setenv("SE_OFFLINE", "true")
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options), profile


@pytest.mark.slow  # headless Chromium
def test_a_clerk_fills_the_form_in_a_real_browser_and_gets_the_cli_figure(tmp_path, monkeypatch):
    import base64

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.print_page_options import PrintOptions
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait
    driver, profile = _browser_or_skip(monkeypatch)
    srv = web.make_server(load_scenario(ROOT / "scenarios" / "national.yaml"), "127.0.0.1", 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        driver.get(web.url_of(srv))
        driver.find_element(By.ID, "f-birth").send_keys("1975-05")
        driver.find_element(By.ID, "f-enrol").send_keys("2012")
        driver.find_element(By.ID, "f-tier").send_keys("300")
        Select(driver.find_element(By.ID, "f-province")).select_by_visible_text("贵州省")
        driver.find_element(By.ID, "f-flags-dibao").click()
        assert driver.find_element(By.ID, "f-what_if").is_selected()          # ticked on a fresh form
        driver.find_element(By.ID, "submit").click()
        shown = WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.ID, "monthly_total")))
        on_page = float(shown.text.replace(",", ""))
        assert "/statement?" in driver.current_url and "province=520000" in driver.current_url   # a bookmark
        assert driver.find_element(By.ID, "f-birth").get_attribute("value") == "1975-05"     # the form, refilled
        assert driver.find_element(By.ID, "f-flags-dibao").is_selected()
        cli = subprocess.run([sys.executable, "-m", "model", "member", "--json", "--province", "贵州", "--birth",
                              "1975-05", "--enrol", "2012", "--tier", "300", "--dibao"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert cli.returncode == 0, cli.stderr
        assert on_page == pytest.approx(json.loads(cli.stdout)["monthly_total"], abs=0.005)
        key = driver.find_element(By.XPATH, f"//td[normalize-space()='{t('monthly_total', 'zh')}']"
                                            "/following-sibling::td")
        assert key.text == f"{on_page:,.2f}"                                # the statement's own key figure too
        assert driver.find_elements(By.CSS_SELECTOR, "table.whatif")    # the what-if table asked for
        # printed: the form hidden, the statement on one A4 page
        opts = PrintOptions()
        opts.page_width, opts.page_height = 21.0, 29.7
        pdf = base64.b64decode(driver.print_page(opts))
        assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
        driver.save_screenshot(str(tmp_path / "page.png"))
        import matplotlib.image as mpimg
        img = mpimg.imread(tmp_path / "page.png")
        assert img.shape[1] == 1200 and (img[..., :3] < 0.5).mean() > 0.01    # a page with ink on it
    finally:
        driver.quit()
        srv.shutdown()
        srv.server_close()
        shutil.rmtree(profile, ignore_errors=True)
