"""The printable statement: Chinese by default, English on request, every figure from the model."""
import datetime as dt
from pathlib import Path

import pytest

from model import load_scenario
from model.member.calculator import Member, illustrate
from model.member.statement import chromium_run, find_chromium, statement_html, write_statement

ROOT = Path(__file__).resolve().parents[2]
IL = illustrate(load_scenario(ROOT / "scenarios" / "beibei_2011.yaml"),
                Member(birth_year=1958, birth_month=9, enrol_year=2011, tier=200, sex="female",
                       one_child_parent=True), today=dt.date(2026, 11, 28))


def test_statement_is_chinese_by_default_with_the_model_figures():
    page = statement_html(IL, "zh")
    assert '<html lang="zh-CN">' in page and "城乡居民养老保险个人算账单" in page
    s = IL.summary
    for v in (s["monthly_total"], s["monthly_basic_pension"], s["personal_paid_total"]):
        assert f"{v:,.2f}" in page
    assert s["first_payment"] in page and "<svg" in page and "账户余额" in page


def test_ineligible_statement_explains_in_chinese():
    il = illustrate(load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml"),
                    Member(birth_year=1976, birth_month=3, enrol_year=2011, tier=100, stop_after_years=12),
                    today=dt.date(2026, 11, 28))
    page = statement_html(il, "zh")
    assert "不足应缴的15年" in page and "paid 12 years" not in page


def test_statement_in_english():
    page = statement_html(IL, "en")
    assert "Residents&#x27; pension: personal statement" in page and "城乡居民养老保险个人算账单" not in page


@pytest.mark.skipif(find_chromium() is None, reason="Chromium not installed (apt-get install chromium)")
@pytest.mark.slow  # headless Chromium
def test_statement_renders_in_headless_chromium(tmp_path):
    # A real browser draws the page; the screenshot must be a full page with ink on it
    # (docs/member_statement_zh.png is the image that was looked at, see README).
    from dataclasses import replace
    from model.member.calculator import what_if
    # the largest what-if table (12 national tiers x 7 spans of years) and heirs at five ages: one page still
    nat = load_scenario(ROOT / "scenarios" / "national.yaml")
    young = Member(birth_year=1995, birth_month=3, enrol_year=2012, tier=300, death_age=65)
    il = replace(illustrate(nat, young, today=dt.date(2026, 11, 28)),
                 what_if=what_if(nat, young, today=dt.date(2026, 11, 28)))
    assert len(il.what_if) == 12 * 7
    html = write_statement(il, tmp_path / "s.html", lang="zh", pdf=True)
    assert [p.suffix for p in html] == [".html", ".pdf"] and html[1].stat().st_size > 10_000
    import re
    pages = re.findall(rb"/Type\s*/Page[^s]", html[1].read_bytes())
    assert len(pages) == 1                       # one printable page
    png = tmp_path / "s.png"
    chromium_run(html[0], "--screenshot", png, size="900,1300")
    import matplotlib.image as mpimg
    img = mpimg.imread(png)
    assert img.shape[0] == 1300 and img.shape[1] == 900
    dark = (img[..., :3].mean(axis=-1) < 0.5).mean()
    assert 0.01 < dark < 0.5                    # text and chart drawn, not a blank or black page


def test_statement_says_when_paying_on_after_60_ends_and_the_pension_starts():
    from model.scenario import with_overrides
    scen = with_overrides(load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml"), {"contributions": {
        "pay_on_after_60": {"allowed": True, "share": 0.5, "up_to_age": 65}}})
    il = illustrate(scen, Member(birth_year=1970, birth_month=5, enrol_year=2011, tier=100, stop_after_years=12,
                                 pay_on=True), today=dt.date(2026, 11, 28))
    zh, en = statement_html(il, "zh"), statement_html(il, "en")
    assert "延长缴费3年(2031—2033年,61—63岁),缴满后从2033-06起领取养老金" in zh
    assert "开始领取时个人账户储存额" in zh and "60岁时个人账户储存额" not in zh
    assert "you pay on for 3 more years (2031-2033, ages 61-63), then draw the pension from 2033-06" in en


def test_english_statement_lists_special_statuses_with_commas():
    il = illustrate(load_scenario(ROOT / "scenarios" / "qiannan_2011.yaml"),
                    Member(birth_year=1970, birth_month=5, enrol_year=2011, tier=100,
                           flags=frozenset({"severely_disabled", "dibao"})), today=dt.date(2026, 11, 28))
    assert "minimum living allowance, severely disabled" in statement_html(il, "en")
    assert "低保、重度残疾" in statement_html(il, "zh")
