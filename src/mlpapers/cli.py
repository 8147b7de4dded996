"""The course command line: ``python -m mlpapers <command>`` (the Makefile's targets call it)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mlpapers import catalog


def _problems(args) -> list[catalog.Problem]:
    probs = list(catalog.problems(args.chapter)) if getattr(args, "chapter", None) else list(catalog.problems())
    if getattr(args, "problem", None):
        wanted = set(args.problem)
        probs = [p for p in probs if p.id in wanted]
    return probs


def cmd_normalize(args) -> int:
    from mlpapers.notebooks import normalize
    from mlpapers.paths import SOLUTIONS
    changed = normalize(sorted(SOLUTIONS.glob("*/*.ipynb")))
    for p in changed:
        print(f"normalized {p}")
    return 0


def cmd_release(args) -> int:
    from mlpapers import catalog
    from mlpapers.release import ready_chapters, release
    if args.problem:
        chapters = list(dict.fromkeys(catalog.problem(i).chapter for i in args.problem))
    else:
        chapters = [args.chapter] if args.chapter else ready_chapters()
    changed = release(chapters, args.problem)
    print(f"release: {len(chapters)} chapter(s) generated, changed: {', '.join(changed) or 'none'}")
    return 0


def cmd_validate(args) -> int:
    from mlpapers.validate import validate
    from mlpapers.leaks import summary
    from mlpapers.release import ready_problems
    chosen = _problems(args)
    if not (args.chapter or args.problem):  # the whole course: the problems written so far
        chosen = [p for p in chosen if p in ready_problems()]
    findings = validate(chosen, jobs=args.jobs, mutants=not args.no_mutants, leaks=not args.no_leaks)
    for f in findings:
        if not f.ok or args.verbose:
            print(f.line())
    if not args.no_leaks:
        print(f"leak check: {summary(findings)}")
    bad = sum(not f.ok for f in findings)
    print(f"{len(findings) - bad} passed, {bad} failed")
    return 1 if bad else 0


def cmd_leaks(args) -> int:
    from mlpapers.leaks import leak_findings, summary
    from mlpapers.release import ready_problems
    findings = [f for p in _problems(args) if p in ready_problems() for f in leak_findings(p)]
    for f in findings:
        if not f.ok or args.verbose:
            print(f.line())
    print(summary(findings))
    return 1 if any(not f.ok for f in findings) else 0


def cmd_solutions(args) -> int:
    from mlpapers.solutions_run import format_report, run_solutions
    reports = run_solutions(_problems(args), device=args.device)
    print(format_report(reports))
    return 1 if any(r.status != "passed" for r in reports) else 0


def cmd_check(args) -> int:
    from mlpapers.student_check import check_notebook
    return 1 if check_notebook(Path(args.notebook)) else 0


def cmd_hand_out(args) -> int:
    from mlpapers.nbgrader_cli import run_nbgrader
    from mlpapers.paths import RELEASE
    for pid in args.problem:
        p = catalog.problem(pid)
        if not (RELEASE / p.released).exists():
            raise SystemExit(f"hand-out: {p.id} has no release folder; run `make release` first")
        run_nbgrader("release_assignment", p.assignment, f"--CourseDirectory.release_directory={RELEASE / p.chapter}",
                     *(["--force"] if args.force else []), plain=True)
        print(f"handed out {p.assignment} (release/{p.folder}) to the exchange")
    return 0


def cmd_collect(args) -> int:
    from mlpapers.nbgrader_cli import run_nbgrader
    for pid in args.problem:
        p = catalog.problem(pid)
        run_nbgrader("collect", p.assignment, *(["--update"] if args.update else []), plain=True)
        print(f"collected {p.assignment} into grading/submitted/<student>/{p.assignment}/")
    return 0


def cmd_return_feedback(args) -> int:
    from mlpapers.nbgrader_cli import run_nbgrader
    for pid in args.problem:
        p = catalog.problem(pid)
        run_nbgrader("release_feedback", p.assignment, plain=True)
        print(f"returned the feedback on {p.assignment} to the exchange (students: Assignments tab, Fetch Feedback)")
    return 0


def cmd_autograde(args) -> int:
    from mlpapers.grader import autograde

    def show(o: dict) -> None:
        print(f"  {o['student']:<14} {o['notebook']:<34} {o['score']:>5g}/{o['max_score']:<4g} {o['status']:<11} "
              f"{o.get('reason', '')[:70]}", flush=True)

    try:
        rows = autograde(workers=args.workers, cell_timeout=args.cell_timeout, memory_mib=args.memory_mib,
                         progress=show, shard=args.shard)
    except (ValueError, RuntimeError) as exc:  # a malformed --shard, shards without a shared gradebook, no sandbox
        print(f"autograde: {exc}", file=sys.stderr)
        return 2
    _summary(rows)
    return 0


def _summary(rows: list[dict]) -> None:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    print(f"{len(rows)} notebooks in grading/grades.csv: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))


def cmd_grades(args) -> int:
    from mlpapers.grader import publish_autograded, write_grades
    _summary(write_grades())
    print(f"{publish_autograded()} graded notebook(s) in grading/autograded/")
    return 0


def cmd_feedback(args) -> int:
    from mlpapers.grader import feedback
    print(f"{feedback()} feedback page(s) in grading/feedback/")
    return 0


def cmd_bench_grading(args) -> int:
    from mlpapers.grader.bench import bench, format_bench
    print(format_bench(bench(students=args.students, workers=args.workers, machines=args.machines, cores=args.cores)))
    return 0


def cmd_figures(args) -> int:
    from mlpapers.figures import registry, write_all
    changed = write_all()
    print(f"figures: {len(registry())} images, changed: {', '.join(changed) or 'none'}")
    return 0


def cmd_readme(args) -> int:
    from mlpapers.readme import update_readme
    print("README.md course map " + ("updated" if update_readme() else "unchanged"))
    return 0


def cmd_update(args) -> int:
    from mlpapers.workspace import fill_workspace, migrate
    for line in migrate():
        print(f"notebooks/: {line}")
    copied = fill_workspace()
    print(f"notebooks/: {len(copied)} new or updated file(s) from release/" + "".join(f"\n  + {p}" for p in copied))
    return 0


def cmd_lab(args) -> int:
    from mlpapers.paths import NOTEBOOKS, ROOT
    view = "instructor" if args.instructor else "student"
    views = ROOT / "deploy" / "jupyter"
    # The view first (which nbgrader panels show), then the course id and exchange; a path the user set stays last.
    os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(views / view), str(views / "course")] + [p for p in [os.environ.get("JUPYTER_CONFIG_PATH")] if p])
    if args.instructor:  # the formgrader works on the course clone: its root holds nbgrader_config.py
        folder = ROOT
    else:
        cmd_update(args)
        folder = NOTEBOOKS
    argv = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={folder}", *args.extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # containers and CI run as root; JupyterLab refuses otherwise
    os.execv(sys.executable, argv)
    return 0  # not reached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlpapers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name, func, help_):
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    def select(p):
        p.add_argument("--chapter", help="only this chapter (slug)")
        p.add_argument("--problem", type=int, action="append", help="only this problem id (repeatable)")

    add("normalize", cmd_normalize, "rewrite solutions/ notebooks in canonical stored form")
    p = add("release", cmd_release, "generate release/ from solutions/ with nbgrader")
    select(p)
    p = add("validate", cmd_validate, "solutions pass, stubs fail, mutants caught, release in sync")
    select(p)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--no-mutants", action="store_true")
    p.add_argument("--no-leaks", action="store_true", help="skip the leak check (leaks.py)")
    p.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    p = add("leaks", cmd_leaks, "put everything released with a problem in place of its answers; none may pass")
    select(p)
    p.add_argument("-v", "--verbose", action="store_true", help="print every graded function's line")
    p = add("solutions", cmd_solutions, "execute solution notebooks with papermill and write a report")
    select(p)
    p.add_argument("--device", default=os.environ.get("DEVICE", "cpu"))
    p = add("check", cmd_check, "run the graded cells of one of your notebooks")
    p.add_argument("notebook")
    p = add("hand-out", cmd_hand_out, "release problems to the nbgrader exchange (students fetch them)")
    p.add_argument("problem", type=int, nargs="+", help="problem ids, e.g. 175")
    p.add_argument("--force", action="store_true", help="replace a copy already in the exchange")
    p = add("collect", cmd_collect, "collect submissions of problems from the exchange into grading/submitted/")
    p.add_argument("problem", type=int, nargs="+", help="problem ids, e.g. 175")
    p.add_argument("--update", action="store_true", help="replace earlier collected submissions")
    p = add("return-feedback", cmd_return_feedback,
            "put problems' feedback pages (after `feedback`) in the exchange, where each student fetches their own")
    p.add_argument("problem", type=int, nargs="+", help="problem ids, e.g. 175")
    p = add("autograde", cmd_autograde, "grade grading/submitted/ into the gradebook and grading/grades.csv")
    p.add_argument("--workers", type=int, default=None, help="notebooks graded at once (default: CPU count + 1)")
    p.add_argument("--cell-timeout", type=int, default=None, help="seconds per cell (default: grader_config.py)")
    p.add_argument("--memory-mib", type=int, default=3072, help="address-space limit of each kernel")
    p.add_argument("--shard", default=None, metavar="K/N",
                   help="grade only shard K (0..N-1) of N, against a shared PostgreSQL gradebook (COURSE_DB_URL)")
    add("grades", cmd_grades, "rebuild grading/grades.csv and grading/autograded/ from the gradebook's journal "
                              "(after shards finish, on any machine)")
    add("feedback", cmd_feedback, "write HTML feedback for graded submissions")
    p = add("bench-grading", cmd_bench_grading, "time the course grader against plain sequential nbgrader")
    p.add_argument("--students", type=int, default=3, help="synthetic students (solved, stub, mutant, ...)")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--machines", type=int, default=10, help="grading machines in the projection (3000 x 43 notebooks)")
    p.add_argument("--cores", type=int, default=32, help="cores of each machine in the projection")
    add("figures", cmd_figures, "regenerate the Background figures (solutions/<chapter>/figures/)")
    add("readme", cmd_readme, "regenerate the README's course map from the catalog")
    add("update", cmd_update, "copy new release notebooks into notebooks/ (never overwrites)")
    p = add("lab", cmd_lab, "fill notebooks/ and start JupyterLab there, the student view (other options go to "
                            "jupyter lab)")
    p.add_argument("--instructor", action="store_true",
                   help="the instructor view in the course root instead: formgrader, no Assignments tab")
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    return args.func(args)
