"""The batch report (``report.html``) and the Markdown summary's content.

The first tests build the page from small hand-made tables (fast).  The browser tests (slow
set) open the report of the session's run of the shipped scenarios (``shipped``, conftest.py)
in headless Chromium from the system's packages, driven by selenium with the system's
chromedriver; they are skipped, with the reason, only where no browser is installed
(``make test`` installs one where apt-get can).
"""
import base64
import io
import json
import re
import shutil
import tempfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from model import batch
from model.analysis.run import BatchRecord
from model.output import atomic, comparison, report, write
from model.output.comparison import PROJECT_ROOT, stack, summary_markdown
from model.targets.scorecard import MET, MISSED, NOT_MODELLED, NOT_PUBLISHED

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
LAUNCH_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync")
WIDTH = 1366                 # a laptop screen, in CSS pixels
PRINT_WIDTH = 703            # A4 portrait less 12 mm margins at 96 px per inch (the matrices: landscape)
MAX_BYTES, MAX_PAGES = 2_500_000, 40     # the shipped batch's report: its size, and its pages printed on A4


# ------------------------------------------------------------------ hand-made tables
def card(**overrides):
    """A scorecard of three targets: a share met, a revenue missed, one not modelled."""
    rows = [
        dict(target="share_t", description="High-tech share above 30 % of GDP", year=2025, comparator=">=",
             target_value="30", projected_value=33.41891, unit="%", gap=3.41891, gap_pct=11.4, status=MET,
             first_year_met=2021.0, source="s", p_met=0.9968, realized_value=float("nan"),
             realized_status=NOT_PUBLISHED, realized_source="", realized_note="no annual 2025 figure"),
        dict(target="rev_t", description="Revenue of 2.5 trillion <yuan> & more", year=2025, comparator=">=",
             target_value="25000", projected_value=12680.38, unit="100 million CNY", gap=-12319.6, gap_pct=-49.3,
             status=MISSED, first_year_met=float("nan"), source="s", p_met=0.0, realized_value=11000.0,
             realized_status=MISSED, realized_source="r", realized_note="latest release, 5th-census basis"),
        dict(target="nm_t", description="500 new firms", year=2025, comparator="not_modelled", target_value="500",
             projected_value=float("nan"), unit="count", gap=float("nan"), gap_pct=float("nan"),
             status=NOT_MODELLED, first_year_met=float("nan"), source="s", p_met=float("nan"),
             realized_value=float("nan"), realized_status=NOT_PUBLISHED, realized_source="", realized_note=""),
    ]
    out = pd.DataFrame(rows)
    for k, v in overrides.items():
        out[k] = v
    return out


GOALS = pd.DataFrame([{"target": "share_t", "status": "met already", "note": "met already (gap +3.4 pp)"},
                      {"target": "rev_t", "status": "reachable", "note": "needs 32.7 %/yr, assumes 12.2 %/yr"}])
ATTRIBUTION = pd.DataFrame([
    {"target": "rev_t", "reference": "baseline", "kind": "sector", "component": "ict (link)", "contribution": 5586.0,
     "unit": "100 million CNY"},
    {"target": "rev_t", "reference": "baseline", "kind": "sector", "component": "mfg_hightech (link)",
     "contribution": 223.0, "unit": "100 million CNY"},
    {"target": "rev_t", "reference": "baseline", "kind": "input", "component": "real growth", "contribution": 5205.0,
     "unit": "100 million CNY"},
    {"target": "rev_t", "reference": "baseline", "kind": "input", "component": "prices", "contribution": 604.0,
     "unit": "100 million CNY"},
])
SVG = ('<?xml version="1.0" encoding="utf-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
       '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns:xlink="http://www.w3.org/1999/xlink" '
       'width="72pt" height="36pt" viewBox="0 0 72 36" xmlns="http://www.w3.org/2000/svg" version="1.1">\n'
       ' <metadata><rdf:RDF><dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage"/></rdf:RDF></metadata>\n'
       ' <defs><clipPath id="p1"><rect x="0" y="0" width="72" height="36"/></clipPath>'
       '<path id="m1" d="M 0 0 L 0 3"/></defs>\n'
       ' <g id="figure_1" clip-path="url(#p1)"><use xlink:href="#m1" x="5" y="5"/><text>a</text></g>\n</svg>\n')


class Page(HTMLParser):
    """The ids, in-page links, tags and visible text of an HTML page."""

    def __init__(self, text):
        super().__init__()
        self.ids, self.links, self.tags, self.attrs, self.text = [], [], [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        for k, v in attrs:
            if k == "id":
                self.ids.append(v)
            if k in ("href", "xlink:href") and v and v.startswith("#"):
                self.links.append(v[1:])

    def handle_data(self, data):
        self.text.append(data)


def record(**kw):
    scenarios = {"solo": report.ScenarioRecord("A solo scenario", ((str(PROJECT_ROOT / "scenarios" / "solo.yaml"),
                                                                   "ab" * 32),), 10000, 20210811)}
    return report.RunRecord(run="0123456789ab", scenarios=scenarios, data_files={"figures.csv": "cd" * 32},
                          packages={"numpy": "2.0"}, **kw)


def page(**kw):
    args = dict(stacked=stack({"solo": card()}), record=record(),
                warnings={"solo": [f"{PROJECT_ROOT / 'scenarios' / 'solo.yaml'}:3: growth.ict: high"]},
                failures={}, goals={"solo": GOALS}, attributions={"solo": ATTRIBUTION},
                figures={"comparison": {"shares_by_scenario": SVG, "revenues_by_scenario": SVG}},
                figure_files={"comparison": {"shares_by_scenario": ["shares_by_scenario.png", "shares_by_scenario.svg"],
                                             "revenues_by_scenario": ["revenues_by_scenario.png",
                                                                      "revenues_by_scenario.svg"]},
                              "solo": {"tornado": ["tornado.png"], "shares": ["shares.png", "shares.svg"]}})
    args.update(kw)
    return report.report_html(**args)


def test_inline_svg_prefixes_every_id_and_reference_and_drops_the_prologue():
    out = report.inline_svg(SVG, "f0", "A <caption>")
    assert out.startswith('<svg role="img" aria-label="A &lt;caption&gt;" ')
    assert "<?xml" not in out and "DOCTYPE" not in out and "metadata" not in out and "dcmitype" not in out
    parsed = Page(out)
    assert sorted(parsed.ids) == ["f0-figure_1", "f0-m1", "f0-p1"]
    assert parsed.links == ["f0-m1"] and "url(#f0-p1)" in out


def test_page_says_what_each_target_is_with_values_status_symbols_and_escapes_text():
    text = page()
    visible = " ".join(Page(text).text)
    assert "High-tech share above 30 % of GDP" in visible
    assert "Revenue of 2.5 trillion <yuan> & more" in visible and "<yuan>" not in text    # escaped
    assert "share_t" not in visible                       # ids only as a tooltip (title), not as the label
    assert 'title="share_t: High-tech share above 30 % of GDP"' in text
    assert 'title="latest release, 5th-census basis"' in text           # the record's note on its cell
    for shown in ("33.4", "+3.42", "≥ 30", "12,680", "-12,320", "≥ 25,000", "99.7", "✓ met", "✗ missed",
                  "– not modelled", "○ not published", "11,000", "needs 32.7 %/yr, assumes 12.2 %/yr"):
        assert shown in visible, shown
    assert "met already (gap" not in visible              # what it would take: only for what is not met


def test_page_names_the_largest_contributors_by_sector_label_not_key():
    visible = " ".join(Page(page()).text)
    assert "Information transmission, software and IT services (link) +5,586" in visible
    assert "real growth +5,205" in visible and "+5,809 100 million CNY from baseline" in visible
    assert "ict (link)" not in visible


def test_page_is_self_contained_and_every_in_page_link_resolves():
    text = page()
    parsed = Page(text)
    assert "script" not in parsed.tags and "img" not in parsed.tags and "iframe" not in parsed.tags
    assert not [v for k, v in parsed.attrs if k == "src"]
    assert not [v for k, v in parsed.attrs if k == "href" and v and re.match(r"[a-z]+:", v) and v != "data:,"]
    # it links only within itself: a file of the results folder is named by its path, as text
    assert [v for k, v in parsed.attrs if k == "href" and not v.startswith("#")] == ["data:,"]
    assert "<code class=\"file\">solo/tornado.png</code>" in text
    assert "default-src 'none'" in text                   # the browser may fetch nothing
    assert parsed.links and set(parsed.links) <= set(parsed.ids)
    assert len(parsed.ids) == len(set(parsed.ids))        # two copies of one SVG: no id twice
    assert {"verdict", "matrix", "scenario-solo", "warnings", "run-record"} <= set(parsed.ids)
    assert parsed.tags.count("svg") == 2 and parsed.tags.count("figcaption") == 2     # the headline figures


def test_page_gives_the_run_record_and_project_relative_paths():
    text = page(failures={str(PROJECT_ROOT / "scenarios" / "bad.yaml"): [
        f"{PROJECT_ROOT / 'scenarios' / 'bad.yaml'}:2: horizon: 1999 is before 2021"]})
    visible = " ".join(Page(text).text)
    assert str(PROJECT_ROOT) not in text
    assert "solo: scenarios/solo.yaml:3: growth.ict: high" in visible
    assert "scenarios/bad.yaml:2: horizon" in visible
    for shown in ("0123456789ab", "ab" * 32, "cd" * 32, "10,000 draws, seed 20210811", "numpy", "2.0"):
        assert shown in visible, shown


def test_page_without_a_monte_carlo_has_no_probability_column_and_without_scenarios_says_so():
    assert "P(met)" not in page(stacked=stack({"solo": card(p_met=float("nan"))}))
    empty = page(stacked=pd.DataFrame(columns=["scenario", "target", "status"]), figures={})
    assert "No scenario ran" in empty and Page(empty).links and set(Page(empty).links) <= set(Page(empty).ids)


def test_control_characters_and_lone_surrogates_of_a_scenario_text_do_not_break_the_page():
    rec = record()
    rec = report.RunRecord(run=rec.run, scenarios={"solo": report.ScenarioRecord("bell \x07 and \ud800 alone")})
    text = page(record=rec)
    assert "bell \ufffd and \ufffd alone" in text
    text.encode("utf-8")                                 # writable as UTF-8: no lone surrogate left


def test_figures_in_reading_order_with_captions_from_descriptions_and_sector_names():
    stems = ["tornado", "levers_mfg_hightech_ict", "waterfall_share_t", "backtest", "shares", "fan"]
    assert report.figure_order(stems) == ["shares", "fan", "backtest", "waterfall_share_t", "tornado",
                                        "levers_mfg_hightech_ict"]
    assert report.figure_caption("waterfall_share_t", {"share_t": "High-tech share"}).startswith("High-tech share:")
    assert report.figure_caption("levers_mfg_hightech_ict", {}).endswith(
        "High-tech manufacturing and Information transmission, software and IT services")


def test_the_headline_figures_are_shown_within_the_budget_and_every_other_figure_named_as_a_file():
    text = page(figures={"comparison": {"shares_by_scenario": SVG}},
                figure_files={"comparison": {"zz_new": ["zz_new.png"],
                                             "shares_by_scenario": ["shares_by_scenario.svg"]},
                              "solo": {"fan": ["fan.png", "fan.svg"]}})
    assert Page(text).tags.count("figure") == 1 and 'aria-label="High-tech, manufacturing' in text
    for path in ("comparison/zz_new.png", "solo/fan.png", "solo/fan.svg"):     # every file of a figure not shown
        assert f'<code class="file">{path}</code>' in text, path
    big = SVG.replace("<text>a</text>", "<text>" + "a" * report.FIGURE_BUDGET + "</text>")
    text = page(figures={"comparison": {"shares_by_scenario": SVG, "revenues_by_scenario": big}})
    assert Page(text).tags.count("figure") == 1 and len(text) < report.FIGURE_BUDGET
    assert '<code class="file">comparison/revenues_by_scenario.svg</code>' in text


def test_rounding_for_reading():
    assert comparison.format_value(33.41891, "%") == "33.4"
    assert comparison.format_value(12680.38, "100 million CNY") == "12,680"
    assert comparison.format_value(4.0, "count") == "4" and comparison.format_value(0.254, "count") == "0.254"
    assert comparison.format_gap(0.026727, "%") == "+0.03" and comparison.format_gap(-12319.6, "x") == "-12,320"
    assert comparison.format_gap(0.0, "count") == "0" and comparison.format_gap(-1.0, "count") == "-1"
    assert comparison.format_probability(0.9968) == "99.7" and comparison.format_probability(float("nan")) == ""
    assert comparison.target_text({"comparator": ">=", "target_value": "30000"}) == "≥ 30,000"
    assert comparison.target_text({"comparator": "~", "target_value": "13 ± 1"}) == "13 ± 1"


def test_summary_gives_values_the_record_beside_the_target_relative_paths_and_points_to_the_report():
    warnings = {"solo": [f"{PROJECT_ROOT / 'scenarios' / 'solo.yaml'}:3: growth.ict: high"]}
    text = summary_markdown(stack({"solo": card()}), warnings, {}, {"solo": GOALS}, report=True)
    assert "| `share_t` | ≥ 30 % | 33.4 | +3.42 pp | ✓ met | 99.7 |" in text          # the scorecard
    assert "| `rev_t` | ≥ 25,000 100m CNY | 12,680 | -12,320 | ✗ missed | 0.0 |" in text
    # the set's table: target, target value, what happened (the record) beside it, then each scenario
    assert "| target | target value | happened | 1 |" in text and "Scenarios by number: 1 solo." in text
    assert "| `rev_t` | ≥ 25,000 100m CNY | ✗ 11,000 | ✗ |" in text and "| `share_t` | ≥ 30 % | ○ | ✓ |" in text
    assert "- `nm_t` (500 count): no series." in text                 # not modelled: one line, not a table row
    assert "- solo: scenarios/solo.yaml:3: growth.ict: high" in text and str(PROJECT_ROOT) not in text
    assert "[`report.html`](report.html)" in text
    assert "[`comparison/realized_matrix.csv`](comparison/realized_matrix.csv)" in text   # the wide table: a CSV
    assert "report.html" not in summary_markdown(stack({"solo": card()}), {}, {})


def test_a_pipe_in_a_target_value_does_not_break_the_summary_tables():
    text = summary_markdown(stack({"solo": card(target_value="a | b", comparator="~")}), {}, {})
    rows = [line for line in text.splitlines() if line.startswith("| `share_t`")]
    assert len(rows) == 2                                # the set's table and the scenario's scorecard
    assert all("a \\| b" in r for r in rows) and [r.replace("\\|", "").count("|") for r in rows] == [5, 7]


def wide_batch(n: int = 20) -> pd.DataFrame:
    """``n`` scenarios with long names, ids and notes: the summary's worst case."""
    long = card(target=["a_very_long_target_identifier_of_forty_chars", "rev_t", "nm_t"],
                note="scope: " + "words " * 60)
    return stack({f"scenario_with_a_rather_long_name_{i:02d}": long for i in range(n)})


def test_no_line_of_the_summary_is_wider_than_120_characters():
    warnings = {"solo": ["a warning " * 40], "other": [f"{PROJECT_ROOT / 'x.yaml'}:1: " + "y" * 30]}
    goals = {name: GOALS.assign(note="needs " + "a lot " * 40) for name in wide_batch()["scenario"].unique()}
    text = summary_markdown(wide_batch(), warnings, {"bad.yaml": ["z " * 100]}, goals, report=True)
    assert max(len(line) for line in text.splitlines()) <= comparison.WIDTH == 120
    # twenty scenarios do not fit one table: the targets repeat in as many tables as needed, every scenario kept
    heads = [line for line in text.splitlines() if line.startswith("| target | target value | happened |")]
    assert len(heads) > 1 and sum(h.count(" | ") - 2 for h in heads) == 20


def test_the_realized_path_that_disagrees_with_the_record_is_flagged_with_the_reason():
    """The record says missed (11,000 against 25,000); a realized path that meets the target disagrees."""
    path = card(status=[MET, MET, NOT_MODELLED], projected_value=[33.4, 26000.0, float("nan")])
    stacked = stack({"realized": path, "solo": card()})
    text = page(stacked=stacked)
    verdict = text[text.index('id="verdict"'):text.index('id="matrix"')]
    assert "⚠ disagrees: the path gives 26,000 against the published 11,000 100 million CNY" in verdict
    assert "⚠ The realized path disagrees with the record on 1 of 1" in verdict
    summary = summary_markdown(stacked, {}, {})
    assert "- ⚠ `rev_t`: the path gives 26,000 against the published 11,000 100 million CNY" in summary
    agreeing = page(stacked=stack({"realized": card(), "solo": card()}))
    assert "⚠" not in agreeing and "The realized path agrees with the record on all 1." in agreeing


def test_the_verdict_counts_each_scenarios_statuses_and_the_records():
    text = page(stacked=stack({"solo": card(), "other": card(status=[MISSED, MISSED, NOT_MODELLED])}))
    verdict = text[text.index('id="verdict"'):text.index('id="matrix"')]
    rows = re.findall(r'<tr><th scope="row"><a href="#scenario-(\w+)">\w+</a></th>(.*?)</tr>', verdict)
    counts = {name: re.findall(r">(\d+)</td>", cells) for name, cells in rows}
    assert counts == {"other": ["0", "2", "1"], "solo": ["1", "1", "1"]}
    assert "Record</strong> (2025): 0 ✓ met, 1 ✗ missed, 2 ○ not published." in verdict


def test_a_target_no_scenario_models_takes_one_line_with_its_reason():
    text = page(stacked=stack({"solo": card(note=["", "", "An adoption rate. More words."],
                                            target_value=["30", "25000", "qualitative"], unit=["%", "x", "none"])}))
    matrix = text[text.index('id="matrix"'):text.index('id="comparison-figures"')]
    row = re.search(r'<tr class="collapsed">(.*?)</tr>', matrix).group(1)
    assert 'colspan="2"' in row and "An adoption rate" in row and "More words" not in row
    assert "qualitative none" not in text and "gap in none" not in text and "2025: qualitative<" in row


# ------------------------------------------------------------------ the batch writes it
@pytest.fixture
def quick():
    """Options of a batch without goal-seeking, sensitivity, attribution and lever maps (tested
    elsewhere), to keep these tests short."""
    return batch.RunOptions(analyses=False)


@pytest.mark.slow             # a whole batch with every figure
def test_the_batch_writes_the_report_beside_the_summary(tmp_path, quick):
    (tmp_path / "solo.yaml").write_text("name: solo\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("<title>Beijing scenario model: results against the plan&#x27;s targets (run "
                                     "0123456789ab)</title> an earlier version's report", encoding="utf-8")
    outcomes = batch.run_batch([tmp_path / "solo.yaml"], out, ["test"], quick)
    assert all(o.ok for o in outcomes)
    text = (out / "report.html").read_text(encoding="utf-8")
    run = json.loads((out / "solo" / "manifest.json").read_text())["run"]
    assert f"Run <code>{run}</code>" in text
    shown = [p for p in (out / "comparison").glob("*.svg") if p.stem in report.HEADLINE_FIGURES]
    assert Page(text).tags.count("figure") == len(shown) == 2       # the headline figures; the others by path
    for p in [*(out / "solo").glob("*.[ps][nv]g"), *(out / "comparison").glob("*.[ps][nv]g")]:   # PNG, SVG
        assert f"{p.parent.name}/{p.name}" in text, p
    assert "[`report.html`](report.html)" in (out / "summary.md").read_text(encoding="utf-8")
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != ".lock"]   # nothing temporary left


@pytest.mark.parametrize("step", ["report_page", "_svgs"], ids=["its page prepared", "its figures read"])
def test_a_failing_report_is_reported_and_the_summary_still_written(tmp_path, monkeypatch, step):
    def broken(*args, **kwargs):
        raise KeyError("boom")
    monkeypatch.setattr(write, step, broken)
    outcome = batch.write_batch_outputs(tmp_path, BatchRecord(run_id="r1", command=("test",), results={}))
    assert outcome.problems == ["report.html: internal error (KeyError: 'boom'); please report it"]
    assert not (tmp_path / "report.html").exists() and not list(tmp_path.glob(".report.*"))
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "Run `r1`" in summary and "report.html" not in summary


def test_a_batch_without_a_report_removes_the_previous_one_with_the_comparison_at_its_end(tmp_path):
    """The batch's outputs are one set: what a run does not write of it goes, when its set is swapped in."""
    (tmp_path / "comparison").mkdir()
    (tmp_path / "comparison" / "manifest.json").write_text('{"tool": "beijing-scenarios", "run": "r0"}',
                                                           encoding="utf-8")
    (tmp_path / "report.html").write_text('<meta name="generator" content="beijing-scenarios">an earlier run\'s',
                                          encoding="utf-8")
    staged = atomic.stage(tmp_path)
    write.write_summary(staged, "# s\n\nRun `0123456789ab`: no scenario ran\n")
    atomic.commit(tmp_path, staged, ["comparison", "summary.md", "report.html", "results.xlsx"])
    assert [p.name for p in tmp_path.iterdir()] == ["summary.md"]


def test_report_is_written_through_a_temporary_file(tmp_path, monkeypatch):
    (tmp_path / "report.html").write_text("old", encoding="utf-8")

    def fail(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError):
        write.write_report(tmp_path, BatchRecord(run_id="r1", command=("test",), results={}))
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# ------------------------------------------------------------------ in a real browser
def _browser_missing() -> str | None:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return (f"no browser installed ({CHROMIUM} and {CHROMEDRIVER}; `make test` installs Debian's chromium "
                "and chromium-driver where apt-get is usable)")
    return None


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from the system's packages, a new empty profile, a 1366-px wide window."""
    missing = _browser_missing()
    if missing:
        pytest.skip(missing)
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the `test` extra) is not installed")
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix="report-browser-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*LAUNCH_FLAGS, f"--user-data-dir={profile}", f"--window-size={WIDTH},900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def opened(shipped, browser):
    """The shipped run's report opened in the browser: ``(driver, output folder, requests, console log)``,
    the requests being every URL the browser asked for while loading it."""
    code, out = shipped
    assert code == 0
    browser.get_log("performance")                        # drop what the browser did before (its start page)
    browser.get((out / "report.html").as_uri())
    requests = [(e["params"].get("documentURL", ""), e["params"]["request"]["url"]) for e in
                (json.loads(m["message"])["message"] for m in browser.get_log("performance"))
                if e["method"] == "Network.requestWillBeSent"]
    return browser, out, requests, browser.get_log("browser")


@pytest.mark.slow
def test_report_loads_without_console_errors_or_network_requests(opened):
    driver, out, requests, console = opened
    assert driver.title.startswith(report.TITLE)
    assert [e for e in console if e["level"] in ("SEVERE", "WARNING")] == []
    page_uri = (out / "report.html").as_uri()
    assert not [u for _, u in requests if re.match(r"(https?|wss?|ftp)://", u)]     # nothing from the network
    own = {u for document, u in requests if document == page_uri}     # not the browser's own start page
    assert {u for u in own if not u.startswith("data:")} == {page_uri}


@pytest.mark.slow
def test_every_figure_renders_with_a_size(opened):
    driver, out, _, _ = opened
    sizes = driver.execute_script(
        "return Array.from(document.querySelectorAll('img, figure > svg')).map(e => {"
        "const r = e.getBoundingClientRect(); return [e.tagName, e.naturalWidth ?? null, r.width, r.height]; })")
    assert len(sizes) == len(report.HEADLINE_FIGURES)
    for tag, natural, width, height in sizes:
        assert width > 100 and height > 50, (tag, width, height)
        assert tag.lower() == "svg" or natural > 0


@pytest.mark.slow
def test_every_in_page_link_resolves_to_an_element(opened):
    driver, _, _, _ = opened
    broken = driver.execute_script(
        "const out = []; for (const e of document.querySelectorAll('*')) {"
        "  for (const a of e.attributes) {"
        "    if ((a.localName === 'href') && a.value.startsWith('#') &&"
        "        !document.getElementById(decodeURIComponent(a.value.slice(1)))) out.push(a.value); } }"
        "return [out, document.querySelectorAll('nav a[href^=\"#\"]').length];")
    assert broken[0] == [] and broken[1] > 5


@pytest.mark.slow
def test_page_fits_a_laptop_screen_and_a_printed_page_without_sideways_scrolling(opened):
    driver, _, _, _ = opened
    width = "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    scroll, client = driver.execute_script(width)
    assert client > WIDTH - 40 and scroll <= client
    try:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": PRINT_WIDTH, "height": 700, "deviceScaleFactor": 1, "mobile": False})
        scroll, client = driver.execute_script(width)
        assert client <= PRINT_WIDTH
        wide = driver.execute_script(          # what is wider than a portrait page: only the matrices (landscape)
            "return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right"
            " > document.documentElement.clientWidth + 1 && !e.closest('#matrix')).length")
        assert wide == 0
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


@pytest.mark.slow
def test_screenshot_is_not_blank(opened):
    from PIL import Image
    driver, _, _, _ = opened
    driver.execute_script("window.scrollTo(0, 0)")
    image = Image.open(io.BytesIO(base64.b64decode(driver.get_screenshot_as_base64()))).convert("RGB")
    assert image.width >= WIDTH - 40
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 20      # text, table borders and status colours, not one fill
    dominant = max(colours)[0] / (image.width * image.height)
    assert dominant < 0.95


def test_scenarios_scored_against_different_target_sets_keep_their_targets_apart():
    """A 2030 scenario (15th plan) beside a 2025 one (14th plan): one matrix per set, each with its
    own scenarios and targets only (the page failed with a KeyError, then grew too wide)."""
    old = card(target_set="plan14")
    new = card(target_set="plan15").iloc[:1].assign(target="gdp_t", description="GDP growth of about 5 %")
    text = page(stacked=stack({"solo": old, "next": new}), goals={}, attributions={})
    tables = re.findall(r'<table class="matrix">(.*?)</table>', text, flags=re.S)
    assert len(tables) == 2
    first, second = tables                  # sets in the registry's order: plan14, then plan15
    assert "High-tech share above 30 % of GDP" in first and "GDP growth of about 5 %" not in first
    assert "GDP growth of about 5 %" in second and "High-tech share above 30 % of GDP" not in second
    assert "solo" in first and "next" not in first and "next" in second and "solo" not in second
    assert '<h3 id="matrix-plan14">plan14 ' in text and '<h3 id="matrix-plan15">plan15 ' in text


@pytest.mark.slow
def test_the_first_screen_gives_the_verdict_counts_and_the_record(opened):
    """At 1366x768 (a viewport of 1366x625 under a browser's bars): without scrolling, every target set's
    counts for every scenario, and the record's column beside the targets whose outcome is published."""
    driver, out, _, _ = opened
    driver.set_window_size(WIDTH, 768)
    driver.execute_script("window.scrollTo(0, 0)")
    height = min(driver.execute_script("return window.innerHeight"), 625)
    seen = driver.execute_script(
        "const h = arguments[0]; const inside = e => { const r = e.getBoundingClientRect();"
        " return r.bottom <= h && r.height > 0 && r.right <= innerWidth; };"
        "return {counts: Array.from(document.querySelectorAll('#verdict table.counts tbody tr'))"
        "   .filter(inside).map(r => r.innerText),"
        " record: Array.from(document.querySelectorAll('#verdict th.record')).filter(inside).map(e => e.innerText),"
        " recordRows: Array.from(document.querySelectorAll('#verdict table.record-table tbody tr')).filter(inside)"
        "   .length};", height)
    names = sorted(p.name for p in out.iterdir() if (p / "scorecard.csv").is_file())
    assert sorted(row.split("\t")[0] for row in seen["counts"]) == names      # every scenario's counts, on screen
    for row in seen["counts"]:
        name, *numbers = row.split("\t")
        statuses = pd.read_csv(out / name / "scorecard.csv")["status"].value_counts()
        assert [int(n) for n in numbers[:3]] == [statuses.get(s, 0) for s in (MET, MISSED, NOT_MODELLED)], name
    assert seen["record"] == ["Record"] and seen["recordRows"] >= 1


def _pdf_pages(pdf: bytes) -> list[tuple[bool, float]]:
    """Each page of a PDF that Chromium printed: (landscape, how far down it is drawn, 0 to 1).  Reads
    the page objects and their content streams (zlib) and follows the drawing operators that place
    something (rectangles other than the background and the clip, path points, text matrices)."""
    objs = {int(m[1]): m[2] for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S)}
    pages = []
    for body in (objs[n] for n in sorted(objs)):
        if not re.search(rb"/Type\s*/Page[^s]", body):
            continue
        box = [float(x) for x in re.search(rb"/MediaBox\s*\[([^\]]*)\]", body)[1].split()]
        stream = objs[int(re.search(rb"/Contents\s+(\d+) 0 R", body)[1])]
        data = stream[stream.index(b"stream") + 6:stream.rindex(b"endstream")].lstrip(b"\r\n")
        lines = zlib.decompress(data).decode("latin1").splitlines()
        height, ctm, stack, lowest = box[3] - box[1], (1, 0, 0, 1, 0, 0), [], 0.0

        def y_of(m, x, y):
            return m[1] * x + m[3] * y + m[5]

        def times(m, n):
            a, b, c, d, e, f = m
            p, q, r, s, t, u = n
            return a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u
        for i, line in enumerate(lines):
            *args, op = line.split() or ["", ""]
            try:
                args = [float(a) for a in args]
            except ValueError:
                continue
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop()
            elif op == "cm" and len(args) == 6:
                ctm = times(args, ctm)
            elif op == "re" and len(args) == 4 and not (i + 1 < len(lines) and lines[i + 1].startswith("W")):
                x, y, w, h = args
                ys = y_of(ctm, x, y), y_of(ctm, x + w, y + h)
                if abs(ys[0] - ys[1]) < 0.9 * height:          # not the page's background
                    lowest = max(lowest, height - min(ys))
            elif op in ("m", "l") and len(args) == 2:
                lowest = max(lowest, height - y_of(ctm, *args))
            elif op == "Tm" and len(args) == 6:
                lowest = max(lowest, height - y_of(times(args, ctm), 0, 0))
        pages.append((box[2] > box[3], lowest / height))
    return pages


@pytest.mark.slow
def test_the_shipped_report_is_small_and_prints_on_at_most_40_a4_pages_none_half_empty_but_a_sections_last(opened):
    driver, out, _, _ = opened
    assert (out / "report.html").stat().st_size <= MAX_BYTES
    pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True,
                                                                      "printBackground": True})["data"])
    pages = _pdf_pages(pdf)
    assert 5 < len(pages) <= MAX_PAGES
    assert sum(landscape for landscape, _ in pages) >= 1                  # the matrices, on landscape pages
    sections = driver.execute_script("return document.querySelectorAll('section.part').length + 1")
    short = [i for i, (_, fill) in enumerate(pages, 1) if fill < 0.5]
    assert len(short) <= sections, short                 # at most one short page a section: its last


@pytest.mark.slow
def test_the_shipped_summary_is_readable_at_120_columns(shipped):
    code, out = shipped
    assert code == 0
    text = (out / "summary.md").read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= comparison.WIDTH
    assert text.count("| target | target value | happened |") >= 3          # one table per target set at least
    assert "(comparison/realized_matrix.csv)" in text and (out / "comparison" / "realized_matrix.csv").is_file()
