"""Command line: ``python -m model run SCENARIO.yaml --out DIR``.

User mistakes (a bad scenario file, a missing file) print one clear line
and exit with status 2; they never show a traceback.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from model.member.inputs import MemberInputError
from .scenario import ScenarioError


def _run(args) -> int:
    from . import checks
    from model.io.outputs import Owned, check_out, write_outputs
    from model.engine.project import project
    from .scenario import load_scenario
    t0 = time.perf_counter()
    scen = load_scenario(args.scenario)
    check_out(args.out, Owned("run"), args.force)           # refuse before any work
    try:
        proj = project(scen, detail=not args.no_detail)
    except ValueError as exc:                       # parameter combinations found on resolving
        raise ScenarioError(f"{args.scenario}: {exc}") from None
    out = write_outputs(proj, args.out, time.perf_counter() - t0, force=args.force)
    a = proj.annual
    print(f"{scen.title}: {int(a.year.iloc[0])}-{int(a.year.iloc[-1])}, "
          f"{proj.seconds:.2f} s; wrote {out}/" + ", ".join(_written(out)))
    for w in proj.parameters.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return _identity_status(checks.all_identities(a), f"{out}/manifest.json")


def _quiet_after_interrupt(*loggers: str) -> None:
    """Silence the last words of stopped workers and kernels (their tracebacks say nothing to a user)."""
    import logging
    for name in ("asyncio", "distributed", "tornado", *loggers):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _written(out) -> list[str]:
    """The files a command wrote into ``out`` (its manifest's list, and the manifest)."""
    from model.io.outputs import MANIFEST, read_manifest
    return sorted([*(read_manifest(out) or {}).get("files", []), MANIFEST])


def _identity_status(failures: list[str], where: str) -> int:
    """Print the identity failures (money or people not conserved, NaN, negatives); 1 if any."""
    from . import checks
    return checks.print_failures(failures, where)


def _birth(text: str) -> tuple[int, int]:
    import re
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r}: write the birth year and month as YYYY-MM")
    return int(m.group(1)), int(m.group(2))


def _member(args) -> int:
    import json
    from model.member.calculator import illustrate
    from model.member.counter import Counter, check, province_code
    from model.member.inputs import member_from_fields
    from .scenario import load_scenario
    # no scenario file: the calibrated national scenario, with the province's rules if given
    from pathlib import Path
    scen = load_scenario(args.scenario or Path(__file__).resolve().parents[1] / "scenarios" / "national.yaml")
    counter = Counter(province=None if args.province is None else province_code(args.province),
                      basic_pension_yuan=args.basic_pension, subsidy_yuan=args.subsidy)
    check(counter)                                   # before anything is computed or written
    one = {"--birth": args.birth, "--enrol": args.enrol, "--tier": args.tier, "--sex": args.sex, "--area": args.area,
           "--severely-disabled": args.severely_disabled, "--dibao": args.dibao, "--village-cadre": args.village_cadre,
           "--one-child-parent": args.one_child_parent, "--stop-after-years": args.stop_after_years,
           "--catch-up": args.catch_up, "--make-up-at-60": args.make_up_at_60, "--pay-on": args.pay_on,
           "--lump-sum": args.lump_sum,
           "--interest-rate": args.interest_rate, "--death-age": args.death_age, "--statement": args.statement,
           "--json": args.json}
    if args.batch is not None:
        given = [k for k, v in one.items() if v not in (None, False)]
        if given:
            raise MemberInputError(f"{given[0]} is for one resident; with --batch give it as a column of the file "
                                   f"(--province, --basic-pension and --subsidy apply to every row)")
        return _member_batch(args, scen, counter)
    for opt, v in (("--out", args.out), ("--what-if", args.what_if)):
        if v not in (None, False):
            raise MemberInputError(f"{opt} is for --batch; one resident's statement goes to --statement FILE.html")
    if args.birth is None or args.enrol is None:
        raise MemberInputError("give --birth YYYY-MM and --enrol YYYY[-MM], or --batch FILE.csv --out DIR")
    flags = [f for f, on in (("severely_disabled", args.severely_disabled), ("dibao", args.dibao),
                             ("village_cadre", args.village_cadre)) if on]
    text = lambda v: "" if v is None else str(v)                     # noqa: E731
    m = member_from_fields({       # the same builder as a batch file's rows
        "birth": f"{args.birth[0]}-{args.birth[1]:02d}", "enrol": args.enrol, "tier": text(args.tier),
        "sex": args.sex or "M", "area": args.area or "rural", "flags": ";".join(flags),
        "one_child_parent": "yes" if args.one_child_parent else "no", "stop_after_years": text(args.stop_after_years),
        "make_up_at_60": "yes" if args.make_up_at_60 else "no", "pay_on": "yes" if args.pay_on else "no",
        "catch_up": text(args.catch_up),
        "lump_sum": text(args.lump_sum), "interest_rate": text(args.interest_rate), "death_age": text(args.death_age)})
    if args.pdf and args.statement is None:
        raise MemberInputError("--pdf needs --statement FILE.html")
    if args.statement is not None:
        from model.member.statement import StatementPathError, statement_targets
        try:
            statement_targets(args.statement, args.pdf, args.force)    # refuse before any work
        except StatementPathError as exc:
            raise MemberInputError(str(exc)) from None
    il = illustrate(scen, m, counter=counter)
    if args.json or args.statement:                  # what a higher tier or longer payment buys
        from dataclasses import replace as _replace
        from model.member.calculator import what_if
        il = _replace(il, what_if=what_if(scen, m, counter=counter))
    if args.json:
        summary = il.to_json_dict()
        bad = _non_finite(summary)
        if bad:                                      # never print NaN or Infinity as JSON
            print(f"error: the illustration has a figure that is not a finite number ({bad}); "
                  f"this is a model error, please report it", file=sys.stderr)
            return 1
        print(json.dumps(summary, ensure_ascii=False, indent=1, allow_nan=False))
    else:
        from model.member.statement import text_summary
        print(text_summary(il, args.lang))
    if args.statement:
        from model.member.statement import write_statement
        try:
            written = write_statement(il, args.statement, lang=args.lang, pdf=args.pdf, force=args.force)
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise MemberInputError(f"--statement {args.statement}: cannot write it ({why})") from None
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
    return 0


def _solve(args) -> int:
    """``solve SCENARIO --vary PATH --target ... --out DIR``: goal-seek (model/tools/solve.py)."""
    import os
    import shlex
    from pathlib import Path

    from . import checks
    from model.io.outputs import Owned, check_out, output_folder
    from model.results import VARIABLES
    from model.tools.solve import NoSolution, parse_condition, parse_vary, solve, solved_yaml
    from .scenario import file_sha256, load_scenario
    scen = load_scenario(args.scenario)
    years = list(range(scen.scheme.start_year, scen.scheme.start_year + scen.scheme.horizon_years))
    vary = parse_vary(args.vary, scen)
    target = parse_condition(args.target, "--target", ("=",), VARIABLES, years)
    subject = tuple(parse_condition(t, "--subject-to", ("<=", ">="), VARIABLES, years) for t in args.subject_to)
    check_out(args.out, Owned("solve"), args.force)                # refuse before any work
    try:
        sol = solve(scen, vary, target, subject, bounds=tuple(args.range) if args.range else None)
    except NoSolution as exc:
        b = exc.best
        print(f"error: no solution: {exc}; the best found: {vary.text} = {b.value:.6g} gives "
              f"{target.measure.text()} = {b.achieved:.6g}" + (f" ({', '.join(b.binding)} binding)" if b.binding else ""),
              file=sys.stderr)
        return 2
    command = "python -m model solve " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if sys.argv[1:2] == ["solve"] \
        else f"python -m model solve {args.scenario} --vary {args.vary!r} --target {args.target!r}"
    failures = checks.all_identities(sol.annual)
    out_dir = Path(args.out).resolve()
    with output_folder(args.out, "solve", force=args.force) as st:
        extends = os.path.relpath(Path(args.scenario).resolve(), out_dir)
        (st.dir / "solved.yaml").write_text(solved_yaml(sol, vary, scen, str(args.scenario), command, extends),
                                            encoding="utf-8")
        sol.annual.to_csv(st.dir / "annual.csv", index=False)
        rows = [{"value": x, **f} for x, f in sol.evaluations]
        import pandas as pd
        pd.DataFrame(rows).to_csv(st.dir / "evaluations.csv", index=False)
        st.manifest.update({
            "scenario": str(Path(args.scenario).resolve()), "scenario_sha256": file_sha256(Path(args.scenario)),
            "question": {"vary": vary.text, "range": list(sol.bounds), "target": target.text(),
                         "subject_to": [c.text() for c in subject]},
            "solution": {"value": sol.value, "achieved": sol.achieved, "met": sol.met(),
                         "constraints": sol.constraints, "binding": sol.binding, "method": sol.method,
                         "monotone": sol.monotone, "projections": len(sol.evaluations)},
            "identity_failures": failures})
    print(f"{vary.text} = {sol.value:.6g}: {target.measure.text()} = {sol.achieved:.6g} (target {target.value:.6g})"
          + "".join(f"; {c.text()}: {sol.constraints[c.text()]:.6g}" for c in subject)
          + (f"; binding: {', '.join(sol.binding)}" if sol.binding else ""))
    print(f"method: {sol.method}; {len(sol.evaluations)} projections; wrote {args.out}/solved.yaml, annual.csv, "
          f"evaluations.csv, manifest.json")
    return _identity_status(failures, f"{args.out}/manifest.json")


def _explain(args) -> int:
    """``explain OLD NEW --column COLUMN@YEAR --out DIR``: what changed and why (model/tools/explain.py)."""
    from model.io.outputs import Owned, check_out, output_folder
    from model.results import VARIABLES
    from model.tools.explain import explain, scenario_of, waterfall
    from model.tools.solve import parse_measure
    old, old_src = scenario_of(args.old)
    new, new_src = scenario_of(args.new)
    y0 = max(old.scheme.start_year, new.scheme.start_year)
    y1 = min(old.scheme.start_year + old.scheme.horizon_years, new.scheme.start_year + new.scheme.horizon_years) - 1
    measure = parse_measure(args.column, "--column", VARIABLES, list(range(y0, y1 + 1)))
    check_out(args.out, Owned("explain"), args.force)              # refuse before any work
    ex = explain(old, new, measure, shapley=args.shapley, old_source=old_src, new_source=new_src)
    table = ex.table()
    with output_folder(args.out, "explain", force=args.force) as st:
        table.to_csv(st.dir / "explain.csv", index=False)
        waterfall(ex, st.dir / "waterfall.png", args.lang)
        st.manifest.update({"old": old_src, "new": new_src, "measure": ex.measure, "old_value": ex.old_value,
                            "new_value": ex.new_value, "difference": ex.total, "order": ex.order_note,
                            "shapley": args.shapley, "projections": ex.projections})
    print(f"{ex.measure}: {ex.old_value:,.6g} ({old_src}) -> {ex.new_value:,.6g} ({new_src}), "
          f"difference {ex.total:+,.6g}")
    for r in table.itertuples():
        extra = f"  Shapley {r.shapley_part:+,.6g}" if args.shapley else ""
        print(f"  {r.group:<12} {r.part:+,.6g}{extra}")
    print(f"order: {ex.order_note}; {ex.projections} projections; wrote {args.out}/explain.csv, waterfall.png, "
          f"manifest.json")
    return 0


def _member_batch(args, scen, counter) -> int:
    """``member --batch FILE --out DIR``: every row of the file (model/member/batch.py)."""
    from pathlib import Path

    from model.io.outputs import Owned, check_out, output_folder
    from model.member.batch import read_rows, run_batch
    from .scenario import file_sha256
    if args.out is None:
        raise MemberInputError("--batch needs --out DIR (a folder for the statements)")
    rows = read_rows(Path(args.batch))            # the whole file refused in one line before any work
    check_out(args.out, Owned("member-batch"), args.force)
    with output_folder(args.out, "member-batch", force=args.force) as st:
        counts = run_batch(scen, rows, st.dir, counter, lang=args.lang, pdf=args.pdf,
                           with_what_if=args.what_if, progress=True)
        st.manifest.update({"batch": str(Path(args.batch).resolve()), "batch_sha256": file_sha256(Path(args.batch)),
                            "scenario": scen.title, **counts})
    print(f"{counts['statements']} statements, {counts['errors']} rows with errors "
          f"({'see errors.csv' if counts['errors'] else 'none'}) in {args.out}", file=sys.stderr)
    return 1 if counts["errors"] else 0


def _serve(args) -> int:
    """``serve [SCENARIO]``: the member calculator as a local web page (model/member/web.py)."""
    from pathlib import Path

    from model.member.web import make_server, url_of
    from .scenario import load_scenario
    scen = load_scenario(args.scenario or Path(__file__).resolve().parents[1] / "scenarios" / "national.yaml")
    try:
        server = make_server(scen, args.host, args.port)
    except OSError as exc:                           # port in use, no permission, unknown host
        print(f"error: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); "
              f"choose another --port, or check --host", file=sys.stderr)
        return 2
    print(f"算账 member calculator: {url_of(server)}  ({scen.title}; Ctrl-C stops)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("warning: listening beyond this computer, without any login; anyone who can reach it "
              "can use it", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:                        # Ctrl-C (and SIGTERM, made one by main)
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0


def _non_finite(obj, at: str = "") -> str | None:
    """The key path of the first NaN or infinite number in a JSON-like object, else None."""
    import math
    if isinstance(obj, float) and not math.isfinite(obj):
        return at or "(top level)"
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for k, v in items:
        found = _non_finite(v, f"{at}[{k}]" if isinstance(k, int) else (f"{at}.{k}" if at else str(k)))
        if found:
            return found
    return None


def _report(args) -> int:
    from pathlib import Path
    from model.io.outputs import out_path
    from .report.params import check_against_scenarios, parse_params
    from .report.runner import NATIONAL_NOTEBOOKS, NOTEBOOKS, declared_params, run_reports, scenario_files
    from .scenario import load_scenario
    if args.batch is None and args.scenario is None:
        raise ScenarioError("give a scenario file, or --batch [GLOB] for many (default: every shipped "
                            "scenario)")
    if args.batch is not None and args.scenario is not None:
        raise ScenarioError("give a scenario file or --batch, not both")
    if args.batch is not None:
        scenarios = scenario_files(args.batch or None)
        if not scenarios:
            raise ScenarioError(f"no scenario files match {args.batch!r}")
    else:
        scenarios = [Path(args.scenario)]
    stems = [s.stem for s in scenarios]
    twice = sorted({x for x in stems if stems.count(x) > 1})
    if twice:                                        # OUT/<scenario>/ is named by the file name
        raise ScenarioError(f"two scenario files are named {twice[0]}.yaml; their reports would share "
                            f"one folder: rename one, or report them one at a time")
    loaded = [load_scenario(s) for s in scenarios]      # a bad file is reported before anything runs
    names = list(NOTEBOOKS) if args.notebook == "all" else [args.notebook]
    if not set(names) <= set(NOTEBOOKS) | set(NATIONAL_NOTEBOOKS):
        raise ScenarioError(f"--notebook {args.notebook!r}: allowed all, " + ", ".join(NOTEBOOKS + NATIONAL_NOTEBOOKS))
    params = parse_params(args.p, set().union(*(declared_params(n) for n in names)))
    check_against_scenarios(params, loaded, names)
    for f in params.get("scenarios") or []:             # the files to compare: each must load
        load_scenario(f)
    out_root = out_path(args.out)                    # relative to where the command is run
    try:
        results = run_reports(scenarios, names, out_root, params, progress=not args.quiet, force=args.force)
    except KeyboardInterrupt:
        _quiet_after_interrupt("papermill", "nbclient", "traitlets")
        raise
    failed = 0
    for r in results:
        for w in r.written:
            print(f"wrote {w}")
        if r.failed:
            failed += 1
            print(f"error: {r.scenario.name}: notebook {r.failed} failed: {r.error}", file=sys.stderr)
    return 1 if failed else 0


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2), like every other user mistake."""

    def error(self, message):
        self.exit(2, f"error: {self.prog}: {message} (see --help)\n")


def _calibrate(args) -> int:
    import pandas as pd
    from model.tools import calibration as cal
    if args.county == "provinces":
        from model.tools import provinces as pv
        from .scenario import load_scenario
        table = pv.fit(load_scenario(pv.ROOT / "scenarios" / "national.yaml"))
        inp = pv.inputs().set_index("province_code")
        with pd.option_context("display.width", 160):
            print(table.join(inp[["registered", "employees_own", "top_up_yuan_2024", "target_share_2024"]])
                  .to_string(float_format="{:.4g}".format))
        if args.write:
            print(f"wrote {pv.write_table(table)}")
        return 0
    if args.county == "national":
        from model.tools import national_fit as nf
        fit = nf.fit()
        out = nf.leave_last_year_out()
        last = nf.TREND_END
        t = pd.concat([fit.table.assign(run="fit"),
                       out.table[out.table["year"] == last].assign(run=f"fit without {last}")])
        with pd.option_context("display.width", 160):
            print(t[["run", "year", "measure", "published", "model", "relative_error", "goal", "fitted", "weight"]]
                  .to_string(index=False, formatters={
                      "published": "{:,.0f}".format, "model": "{:,.0f}".format,
                      "relative_error": "{:+.2%}".format, "goal": "{:.0%}".format}))
            print("\nscores (absolute relative error):")
            print(nf.scores(fit.table).to_string(index=False, float_format="{:.2%}".format))
        print("\nfitted:")
        for f, v in zip(nf.FREE, fit.x):
            print(f"  {f.name:<17} {float(v):>12.6g}  {f.meaning}")
        print(f"{fit.evaluations} + {out.evaluations} model runs")
        if args.write:
            print(f"wrote {nf.write_national(fit, out)}")
        inside = fit.table[fit.table["fitted"]]
        return 1 if (~inside["meets_goal"]).any() else 0
    fit = cal.fit_qiubei()
    t = fit.table.copy()
    with pd.option_context("display.width", 160, "display.max_colwidth", 60):
        print(t.to_string(index=False, formatters={
            "reported": "{:,.0f}".format, "model": "{:,.1f}".format,
            "relative_error": "{:+.4%}".format, "goal": lambda g: "" if pd.isna(g) else f"{g:.0%}"}))
    u_r, u_u, u_60, rho_r, rho_u = fit.x
    print(f"\nfitted: enrolment 16-59 rural {u_r:.4f}, urban {u_u:.4f}; 60+ {u_60:.4f}; "
          f"tier mix falls by {rho_r:.4f} (rural) and {rho_u:.4f} (urban) a tier; "
          f"{fit.evaluations} model runs")
    print("fitted tier mix:", {a: {f"{k:g}": round(v, 4) for k, v in getattr(
        fit.scenario.contributions.tier_mix, a).items()} for a in ("rural", "urban")})
    if args.write:
        print(f"wrote {cal.write_fitted(fit)}")
    return 1 if (t.meets_goal == False).any() else 0  # noqa: E712


def _sweep(args) -> int:
    from model.io.outputs import out_path
    from model.tools.sweep import run_sweep
    try:
        results, man = run_sweep(args.sweep, args.out, subset=args.subset, workers=args.workers,
                                 scheduler=args.scheduler, progress=not args.quiet, force=args.force)
    except KeyboardInterrupt:
        _quiet_after_interrupt()
        raise
    print(f"{man['runs']} runs ({man['computed_now']} computed now) in {man['seconds']:.1f} s; "
          f"wrote {out_path(args.out)}/results.parquet ({len(results):,} rows), runs/ and manifest.json")
    return _identity_status(man["identity_failures"], f"{args.out}/manifest.json")


def _counties(args) -> int:
    from pathlib import Path
    from model.tools.counties import county_codes, project_counties
    from model.tools.counties import rollup
    from .scenario import load_scenario
    from model.io.outputs import Owned, check_out, output_folder
    t0 = time.perf_counter()
    scen = load_scenario(args.scenario)
    check_out(args.out, Owned("counties"), args.force)      # refuse before any work
    address = args.scheduler or (os.environ.get("DASK_SCHEDULER_ADDRESS") if args.workers else None)
    if address:
        from model.tools.sweep import check_scheduler
        check_scheduler(address)
    codes = county_codes(args.province)
    if args.limit is not None:
        codes = codes[:args.limit]
    try:
        from model.tools.provinces import table_for_counties
        if args.national_rules and args.provinces:
            raise ScenarioError("counties: give --provinces or --national-rules, not both")
        table = None if args.national_rules else table_for_counties(args.provinces)
        if table is not None:
            from model.tools.provinces import stale
            if (words := stale()) is not None:
                print(words, file=sys.stderr)
        res = project_counties(scen, codes, chunk=args.chunk, workers=args.workers, scheduler=args.scheduler,
                               provinces=table)
    except KeyboardInterrupt:
        _quiet_after_interrupt()
        raise
    from . import checks
    from .scenario import file_sha256, scenario_files
    from model.tools.provinces import TABLE as pv_table
    with output_folder(args.out, "counties", force=args.force) as st:
        res.to_parquet(st.dir / "counties.parquet", index=False)
        rollup(res, "prefecture").to_parquet(st.dir / "prefectures.parquet", index=False)
        rollup(res, "province").to_parquet(st.dir / "provinces.parquet", index=False)
        pools = len(scen.scheme.rollout) if scen.scheme.rollout else 1   # each stage's counties keep their own pool
        failures = []
        for code, part in res.groupby("county", sort=False):
            one = part.drop(columns="county").reset_index(drop=True)
            one.attrs["pools"] = pools
            failures += [f"county {code}: {f}" for f in checks.all_identities(one)]
        st.manifest.update({
            "scenario": str(Path(args.scenario).resolve()),
            "scenario_files_sha256": {str(f): file_sha256(f) for f in scenario_files(scen)},
            "counties": len(codes), "province": args.province, "identity_failures": failures,
            "province_table": None if table is None else {
                "file": str(pv_table), "sha256": file_sha256(pv_table),
                "overrides": None if args.provinces is None else str(Path(args.provinces).resolve())},
            "seconds": round(time.perf_counter() - t0, 2)})
    out = st.out
    print(f"{len(codes)} counties in {time.perf_counter() - t0:.1f} s; wrote {out}/counties.parquet, "
          f"prefectures.parquet, provinces.parquet, manifest.json")
    return _identity_status(failures, f"{out}/manifest.json")


def _register(args) -> int:
    from pathlib import Path
    from model.tools import register as reg
    from model.io.outputs import Owned, check_out
    from .scenario import file_sha256, load_scenario, scenario_files
    scen = load_scenario(args.scenario)
    command = f"register {args.action}"
    check_out(args.out, Owned(command), args.force)          # refuse before reading the register
    import datetime as _dt
    try:
        as_of = _dt.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        raise reg.RegisterError(f"--as-of {args.as_of!r}: give a date YYYY-MM-DD") from None
    today = _dt.date.today()
    if as_of is not None and not scen.scheme.start_year <= as_of.year <= today.year + 1:
        raise reg.RegisterError(f"--as-of {args.as_of}: give a date from the scheme's start "
                                f"({scen.scheme.start}) to next year ({today.year + 1})")
    register = reg.read_register(args.register, reg.read_mapping(args.columns))
    for warning in register.warnings:                                  # sheets not read, tiers without a year
        print(f"warning: {warning}", file=sys.stderr)
    tier_cols = register.tier_cols
    res = reg.check_register(register.data, tier_cols, scen, reg.read_employee_ids(args.employee_scheme),
                             today=as_of)
    read = {"register": args.register, "scenario": args.scenario, "employee_scheme": args.employee_scheme,
            "columns": args.columns}
    sources = {"inputs_sha256": {k: {"file": Path(v).name, "sha256": file_sha256(v)}
                                 for k, v in read.items() if v},
               "scenario_files_sha256": {str(f): file_sha256(f) for f in scenario_files(scen)},
               "as_of": (as_of or _dt.date.today()).isoformat(), "warnings": list(register.warnings)}
    if args.action == "check":
        out = reg.write_check(res, args.out, force=args.force, sources=sources)
        print(f"rows in {res.rows_in}, clean {len(res.clean)}, rejected {len(res.rejected)}, "
              f"findings {len(res.findings)}; wrote {out}/" + ", ".join(_written(out)))
        if res.rows_in != len(res.clean) + len(res.rejected):              # nothing lost, ever
            print(f"error: rows in {res.rows_in} but clean + rejected = {len(res.clean) + len(res.rejected)}; "
                  f"a model error, please report it", file=sys.stderr)
            return 1
        return 0
    if len(res.clean) == 0:
        raise reg.RegisterError(f"{args.register}: no row passes the checks, so there is nothing to "
                                f"aggregate; run `register check` to see why")
    written = reg.write_aggregate(reg.aggregate(res.clean, tier_cols, scen, today=as_of), args.scenario,
                                  args.out, force=args.force, sources=sources)
    print(f"rows in {res.rows_in}, clean {len(res.clean)} aggregated; wrote {written[0].parent}/"
          + ", ".join(_written(written[0].parent)))
    return 0


def _data(args) -> int:
    from model.io.derive import build
    for path in build():
        print(f"wrote {path}")
    return 0


def _count(lo: int, hi: int):
    """An argparse type: a whole number from ``lo`` to ``hi``."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: give a whole number from {lo} to {hi}") from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"{text!r}: give a whole number from {lo} to {hi}")
        return n
    return parse


def _force_option(parser) -> None:
    from model.io.outputs import add_force_option
    add_force_option(parser)


def _dask_options(parser) -> None:
    """--workers and --scheduler, shared by the commands that can run on Dask."""
    parser.add_argument("--workers", type=_count(0, 256), default=2,
                        help="local Dask worker processes (0: no Dask)")
    parser.add_argument("--scheduler", default=None, help="an existing Dask scheduler, tcp://host:8786 "
                        "(default $DASK_SCHEDULER_ADDRESS)")


def main(argv=None) -> int:
    ap = _Parser(prog="python -m model",
                                 description="URRBPI cohort model (城乡居民社会养老保险精算模型)")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="project a scenario and write annual.csv, detail and manifest")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--out", required=True, help="output folder: annual.csv, detail.parquet, manifest.json")
    _force_option(run)
    run.add_argument("--no-detail", action="store_true", help="skip the detailed long table")
    run.set_defaults(func=_run)

    rep = sub.add_parser("report", help="run the report notebooks (papermill) into OUT/<scenario>/<notebook>/")
    rep.add_argument("scenario", nargs="?", help="scenario YAML file (or use --batch)")
    rep.add_argument("--notebook", default="all", help="one of the notebooks, or all (default)")
    rep.add_argument("--out", default="outputs", help="output root (default outputs/)")
    rep.add_argument("--batch", nargs="?", const="", default=None, metavar="GLOB",
                     help="every scenario matching GLOB (default scenarios/*.yaml)")
    rep.add_argument("-p", nargs=2, action="append", metavar=("KEY", "VALUE"),
                     help="notebook parameter, e.g. -p lang en -p horizon 30")
    rep.add_argument("--quiet", action="store_true", help="no progress bar")
    _force_option(rep)
    rep.set_defaults(func=_report)

    cal = sub.add_parser("calibrate", help="fit a scenario to a county's reported figures")
    cal.add_argument("county", choices=["qiubei", "national", "provinces"])
    cal.add_argument("--write", action="store_true",
                     help="write scenarios/qiubei_2011_calibrated.yaml, scenarios/national.yaml or scenarios/provinces.csv")
    cal.set_defaults(func=_calibrate)

    sw = sub.add_parser("sweep", help="run a sweep file: every combination of its axes (Dask)")
    sw.add_argument("sweep", help="sweep YAML file (see scenarios/sweeps/)")
    sw.add_argument("--out", required=True, help="output folder (finished runs are reused)")
    sw.add_argument("--subset", default=None, help="a named subset of the sweep file")
    _dask_options(sw)
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    _force_option(sw)
    sw.set_defaults(func=_sweep)

    so = sub.add_parser("solve", help="goal-seek: the value of one parameter that meets a target on an output")
    so.add_argument("scenario", help="scenario YAML file")
    so.add_argument("--vary", required=True, metavar="PATH",
                    help="the parameter: a key path, list items by index; a dated path's value from a year "
                         "(PATH@2027), its growth after its last date (PATH:growth) or all its values scaled "
                         "(PATH:scale), e.g. benefits.basic_pension[1].monthly@2027")
    so.add_argument("--range", nargs=2, type=float, metavar=("LO", "HI"), default=None,
                    help="where to look (default: 0 to 1 for a share, 0 to 4 for a scale, else 0 to 4 x now)")
    so.add_argument("--target", required=True, metavar='"COLUMN@YEAR[-YEAR:sum|mean] = VALUE"',
                    help="the output to meet, a column of annual.csv")
    so.add_argument("--subject-to", action="append", default=[], metavar='"COLUMN@... <= VALUE"',
                    help="a constraint (<= or >=); give it again for more")
    so.add_argument("--out", required=True, help="output folder: solved.yaml, annual.csv, evaluations.csv, manifest.json")
    _force_option(so)
    so.set_defaults(func=_solve)

    ex = sub.add_parser("explain", help="what changed and why: a difference between two projections by group")
    ex.add_argument("old", help="the old scenario YAML file, or a saved run's folder (its manifest.json)")
    ex.add_argument("new", help="the new one, likewise")
    ex.add_argument("--column", required=True, metavar="COLUMN[@YEAR[-YEAR:sum|mean]]",
                    help="a column of annual.csv, in a year (default: the last both project) or summed over years")
    ex.add_argument("--shapley", action="store_true",
                    help="also the Shapley average over every order of the groups (2^n projections)")
    ex.add_argument("--lang", default="zh", choices=["zh", "en"], help="the chart's labels")
    ex.add_argument("--out", required=True, help="output folder: explain.csv, waterfall.png, manifest.json")
    _force_option(ex)
    ex.set_defaults(func=_explain)

    from model.tools import adequacy as _adequacy
    from model.tools import liability as _liability
    _liability.add_parser(sub)                                     # liability SCENARIO --valuation-year ...
    _adequacy.add_parser(sub)                                      # adequacy SCENARIO --out DIR

    co = sub.add_parser("counties", help="every real county (2020 census) under one scenario's rules")
    co.add_argument("scenario", help="scenario YAML file (its rules and behaviour)")
    co.add_argument("--province", default=None, help="a province's 6-digit code (default: all of China)")
    co.add_argument("--out", required=True, help="output folder")
    _dask_options(co)
    co.add_argument("--chunk", type=_count(1, 10000), default=50, help="counties side by side in one projection")
    co.add_argument("--limit", type=_count(1, 100000), default=None, help="only the first N counties")
    co.add_argument("--provinces", default=None, metavar="FILE",
                    help="your own values for some provinces (CSV: province_code and any of employee_ratio, "
                         "top_up_ratio, enrolment_factor, enrolment_factor_60) over scenarios/provinces.csv")
    co.add_argument("--national-rules", action="store_true",
                    help="every province under the scenario's national rules (no province table)")
    _force_option(co)
    co.set_defaults(func=_counties)

    rg = sub.add_parser("register", help="check a county's member register, or aggregate it for a scenario")
    rg.add_argument("action", choices=["check", "aggregate"])
    rg.add_argument("register", help="the register, .xlsx or .csv (Chinese headers, see README)")
    rg.add_argument("--scenario", required=True, help="the scenario whose rules apply (tiers, start)")
    rg.add_argument("--employee-scheme", default=None, help="CSV of ID numbers in the employee scheme")
    rg.add_argument("--columns", default=None, help="YAML column mapping for the county's own headers")
    rg.add_argument("--out", default="outputs/register", help="output folder (default outputs/register)")
    _force_option(rg)
    rg.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                    help="the register's date: ages, dates in the future and this year's rates (default today)")
    rg.set_defaults(func=_register)

    data = sub.add_parser("data", help="rebuild the derived data tables (model/data/derived/)")
    data.add_argument("action", choices=["build"])
    data.set_defaults(func=_data)

    mem = sub.add_parser("member", help="one resident's illustration (算账): payments, account, pension")
    mem.add_argument("scenario", nargs="?", default=None,
                     help="scenario YAML file (default: scenarios/national.yaml, the national scheme "
                          "as calibrated; with --province, that province's rules on it)")
    mem.add_argument("--province", default=None, metavar="CODE|NAME",
                     help="the province's basic pension, tiers and subsidies (scenarios/provinces.csv; "
                          "low confidence), e.g. 520000 or 贵州")
    mem.add_argument("--basic-pension", type=float, default=None, metavar="YUAN_PER_MONTH",
                     help="the basic pension a month, every year, for this run")
    mem.add_argument("--subsidy", type=float, default=None, metavar="YUAN_PER_YEAR",
                     help="the government's subsidy a year on any tier, every year, for this run")
    mem.add_argument("--birth", default=None, type=_birth, help="birth year and month, YYYY-MM")
    mem.add_argument("--enrol", default=None, metavar="YYYY[-MM]",
                     help="year of enrolment, or year and month: for those already 60 at the start, "
                          "the pension is paid from the month after they register (D1 Art. 22); "
                          "a later year alone: the expected 5.5 months that year")
    mem.add_argument("--tier", default=None, help="yuan a year, or by year 2011=100,2016=300 "
                     "(default: the lowest tier)")
    mem.add_argument("--sex", default=None, choices=["F", "M", "f", "m"], help="default M")
    mem.add_argument("--area", default=None, choices=["rural", "urban"], help="default rural")
    mem.add_argument("--severely-disabled", action="store_true", help="disability grade 1-2 (D1 Art. 32)")
    mem.add_argument("--dibao", action="store_true", help="receives the minimum living allowance (低保)")
    mem.add_argument("--one-child-parent", action="store_true", help="holds a one-child certificate (D3 §8(三))")
    mem.add_argument("--village-cadre", action="store_true", help="serving village cadre (D5 §2(三)4)")
    mem.add_argument("--stop-after-years", type=int, default=None, help="stop paying after N years")
    mem.add_argument("--catch-up", default=None, metavar="YEAR=N[,YEAR=N]",
                     help="missed years made up in a year, without subsidy (D1 Art. 7-8), e.g. 2024=2")
    mem.add_argument("--make-up-at-60", action="store_true",
                     help="make up the missing years to 15 at 60, without subsidy (D1 Art. 21)")
    mem.add_argument("--pay-on", action="store_true",
                     help="short of years at 60: pay on year by year until they are reached (延缴), where the "
                          "scenario's rules allow it (contributions.pay_on_after_60)")
    mem.add_argument("--lump-sum", type=float, default=None, metavar="MONTHLY",
                     help="60+ at the start: buy this monthly account pension (D3 §6(一)2)")
    mem.add_argument("--interest-rate", type=float, default=None, help="flat rate a year, e.g. 0.03")
    mem.add_argument("--death-age", type=int, default=None, help="show what heirs get on death at this age")
    mem.add_argument("--json", action="store_true", help="print one JSON object")
    mem.add_argument("--lang", default="zh", choices=["zh", "en"])
    mem.add_argument("--statement", default=None, metavar="FILE.html",
                     help="write a one-page printable statement")
    mem.add_argument("--pdf", action="store_true", help="also print the statement to PDF (needs Chromium)")
    mem.add_argument("--force", action="store_true",
                     help="replace FILE.html/.pdf even if they are not an earlier statement")
    mem.add_argument("--batch", default=None, metavar="FILE.csv",
                     help="many residents, a row each (columns: model/member/batch.py, README); needs --out")
    mem.add_argument("--out", default=None, metavar="DIR", help="--batch: the folder for the statements")
    mem.add_argument("--what-if", action="store_true",
                     help="--batch: the what-if table in each statement too (about 0.9 s a resident)")
    mem.set_defaults(func=_member)

    srv = sub.add_parser("serve", help="the member calculator (算账) as a local web page for township staff")
    srv.add_argument("scenario", nargs="?", default=None,
                     help="scenario YAML file (default: scenarios/national.yaml; the page chooses a province)")
    srv.add_argument("--port", type=_count(0, 65535), default=8765, help="port (default 8765; 0: any free one)")
    srv.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1, this computer only; 0.0.0.0 opens it "
                          "to the network, with no login)")
    srv.set_defaults(func=_serve)
    args = ap.parse_args(argv)
    previous = _terminate_as_interrupt()
    try:
        return args.func(args)
    except MemberInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ScenarioError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    except OSError as exc:                           # disk full, a file vanished, no permission
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}; nothing written", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        said = {"sweep": "interrupted; finished runs are kept (run it again to resume), nothing else written",
                "report": "interrupted; notebooks finished before are kept, the one running was not written"}
        print(said.get(args.command, "interrupted; nothing written"), file=sys.stderr)
        return 143 if _TERMINATED else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


_TERMINATED = False


def _terminate_as_interrupt():
    """Make SIGTERM stop the command like Ctrl-C: temporary files removed, earlier outputs kept.

    Returns the previous handler (None when not in the main thread, where signals cannot be set).
    """
    def handler(signum, frame):
        global _TERMINATED
        _TERMINATED = True
        raise KeyboardInterrupt
    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:
        return None


if __name__ == "__main__":
    sys.exit(main())
