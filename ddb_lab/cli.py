"""The ``ddb-lab`` command: serve the lab's DynamoDB, clean up a real account, work the exercises.

    ddb-lab serve [--port 8000] [--dataset social] [--size small]
    ddb-lab cleanup [--yes]            delete the lab's prefixed tables on real AWS
    ddb-lab list                       every exercise: id, title, points, your status
    ddb-lab check [ID|CHAPTER]         run your exercises/ notebooks headless and check them
    ddb-lab hint [ID|CHAPTER]          the next hint (default: the next unsolved exercise)
    ddb-lab progress                   your progress bar and the next exercise
    ddb-lab reset [ID|CHAPTER] [--yes] restore exercises from solutions/ (backed up first)
    ddb-lab release [SRC [DEST]] [--no-execute] [--check]
                                       write exercises/ from solutions/ (or check for drift)
    ddb-lab grade SUBMISSIONS [--out grades.csv] [--timeout 300] [--jobs 1]
                                       grade a class's notebooks into a CSV
    ddb-lab drill [--topic T] [--count N] [--math] [--seed S]
                                       flashcards (spaced repetition) or math drills
    ddb-lab anki OUT.apkg              export the interview question bank as an Anki deck

``--exercises DIR`` (default ``./exercises``) and ``--solutions DIR`` (default ``./solutions``)
say where the workbook is. Progress lives under ``$DDB_LAB_HOME`` (default ``~/.ddb_lab``).

Used in: README.md ("Other backends").
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddb_lab.grader.registry import Exercise

__all__ = ["main"]


def _serve(args: argparse.Namespace) -> int:
    from moto import mock_aws

    from ddb_lab.clock import RealClock
    from ddb_lab.engine import Engine
    from ddb_lab.lab import cli_help, isolated_session
    from ddb_lab.server import LabServer

    mock = mock_aws()
    mock.start()
    server = LabServer(Engine(RealClock()), host=args.host, port=args.port)
    if args.dataset:
        from ddb_lab.datasets import load_social

        server.start()
        client = isolated_session("us-east-1").client("dynamodb", endpoint_url=server.url)
        report = load_social(client, args.size)
        print(f"Loaded {report.items} items into {report.table_name}.")
    print(f"ddb-lab is serving DynamoDB on {server.url} (Ctrl+C stops it).")
    print(cli_help(server.url, "us-east-1"), flush=True)
    try:
        if server.running:
            server.wait()
        else:
            server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        mock.stop()
    return 0


def _cleanup(args: argparse.Namespace) -> int:
    from ddb_lab.lab import DEFAULT_AWS_PREFIX, ENV_PREFIX, AwsNotAllowedError, start

    try:
        lab = start("aws", reset=False)
    except AwsNotAllowedError as error:
        print(error, file=sys.stderr)
        return 2
    names = lab.tables()
    prefix = os.environ.get(ENV_PREFIX, DEFAULT_AWS_PREFIX)
    if not names:
        print(f"No tables named {prefix}* in {lab.region}; nothing to delete.")
        return 0
    print(f"Tables the lab created in {lab.region} ({prefix}*): " + ", ".join(names))
    if not args.yes:
        answer = input("Delete them all? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    for name in names:
        lab.client.delete_table(TableName=name)
        print(f"deleted {prefix}{name}")
    return 0


# -- the exercises --------------------------------------------------------------------------------
def _selected(selector: str | None) -> list[Exercise] | None:
    """The exercises a selector names; None (after saying why) when it names none."""
    from ddb_lab.grader import registry

    try:
        return registry.resolve(selector)
    except KeyError as error:
        print(error.args[0] if error.args else error, file=sys.stderr)
        return None


def _chapter_notebook(folder: Path, chapter: int) -> Path | None:
    matches = sorted(folder.glob(f"{chapter:02d}_*.ipynb"))
    return matches[0] if matches else None


def _list(args: argparse.Namespace) -> int:
    from ddb_lab.grader import registry
    from ddb_lab.grader.progress import ProgressStore

    store = ProgressStore()
    rows = [("id", "title", "points", "status")]
    for exercise in registry.exercises():
        entry = store.entry(exercise.id)
        status = "passed" if entry["passed"] else str(entry["status"])
        rows.append((exercise.id, exercise.title, str(exercise.points), status.replace("_", " ")))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(
            f"{row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  "
            f"{row[2].rjust(widths[2])}  {row[3]}".rstrip()
        )
    return 0


def _check(args: argparse.Namespace) -> int:
    from tqdm import tqdm  # type: ignore[import-untyped, unused-ignore]

    from ddb_lab.grader.headless import ExerciseOutcome, run_notebook
    from ddb_lab.grader.notebook import progress
    from ddb_lab.grader.progress import ProgressStore

    selected = _selected(args.selector)
    if selected is None:
        return 2
    folder: Path = args.exercises
    chapters = sorted({e.chapter for e in selected})
    store = ProgressStore()
    outcomes: list[ExerciseOutcome] = []
    for chapter in tqdm(chapters, desc="checking", unit="notebook", disable=len(chapters) < 2):
        wanted = [e for e in selected if e.chapter == chapter]
        notebook = _chapter_notebook(folder, chapter)
        if notebook is None:
            missing = f"There is no {folder / f'{chapter:02d}_*.ipynb'}: run `ddb-lab release`."
            outcomes.extend(ExerciseOutcome(e, "not_submitted", 0, missing) for e in wanted)
            continue
        print(f"Running {notebook} …", flush=True)
        run = run_notebook(
            notebook, wanted, notebook_timeout=args.timeout, cell_timeout=args.cell_timeout
        )
        for note in run.notes:
            print(f"note: {note}")
        outcomes.extend(run.outcomes)
    for outcome in outcomes:
        result = outcome.check_result()
        if outcome.result is not None:
            try:
                store.record_result(outcome.result)
            except OSError as error:
                print(f"ddb-lab: progress not saved ({error})", file=sys.stderr)
        print(result.text())
    print()
    print(progress().text())
    return 0 if all(o.passed for o in outcomes) else 1


def _hint(args: argparse.Namespace) -> int:
    from ddb_lab.grader.notebook import hint
    from ddb_lab.grader.progress import ProgressStore

    store = ProgressStore()
    if args.selector is None:
        exercise = store.next_exercise()
        if exercise is None:
            print("Every exercise has passed: no hints needed. Well done!")
            return 0
    else:
        selected = _selected(args.selector)
        if selected is None:
            return 2
        passed = store.passed_ids()
        exercise = next((e for e in selected if e.id not in passed), selected[0])
    print(f"{exercise.id} — {exercise.title}")
    print(hint(exercise.id).text())
    return 0


def _progress(args: argparse.Namespace) -> int:
    from ddb_lab.grader.notebook import progress

    print(progress().text())
    return 0


def _confirm(question: str) -> bool:
    try:
        answer = input(f"{question} [y/N] ").strip().lower()
    except EOFError:
        answer = ""
    return answer in ("y", "yes")


def _reset(args: argparse.Namespace) -> int:
    from nbclient.exceptions import CellExecutionError

    from ddb_lab.grader.progress import ProgressStore
    from ddb_lab.grader.release import MarkerError, backup, restore

    store = ProgressStore()
    if args.selector is None:
        if not args.yes and not _confirm(
            "Forget your progress on every exercise (your notebooks are not touched)?"
        ):
            print("Nothing reset.")
            return 1
        store.reset(None)
        print("Progress reset for every exercise.")
        return 0
    selected = _selected(args.selector)
    if selected is None:
        return 2
    single = selected[0].id if len(selected) == 1 and selected[0].id == args.selector else None
    folder: Path = args.exercises
    for chapter in sorted({e.chapter for e in selected}):
        source = _chapter_notebook(args.solutions, chapter)
        if source is None:
            print(f"There is no {args.solutions / f'{chapter:02d}_*.ipynb'} to restore from.")
            return 2
        dest = _chapter_notebook(folder, chapter) or folder / source.name
        if dest.exists():
            print(f"backed up {dest} to {backup(dest)}")
        folder.mkdir(parents=True, exist_ok=True)
        try:
            print(restore(source, dest, exercise_id=single, execute=args.execute))
        except MarkerError as error:
            print(error, file=sys.stderr)
            return 2
        except CellExecutionError as error:
            print(f"The fresh copy failed to run; {dest} was left as it was.\n{error}")
            return 1
    for exercise in selected:
        store.reset(exercise.id)
    print(f"Progress reset for {', '.join(e.id for e in selected)}.")
    return 0


def _release(args: argparse.Namespace) -> int:
    from nbclient.exceptions import CellExecutionError

    from ddb_lab.grader.release import MarkerError, drifted, release_all

    src: Path = args.src
    dest: Path = args.dest
    if not src.exists():
        print(f"{src} does not exist.", file=sys.stderr)
        return 2
    try:
        if args.check:
            stale = drifted(src, dest)
            for target in stale:
                print(f"{target.dest} is out of date with {target.src}")
            if stale:
                print("Run `ddb-lab release` to write them again.")
                return 1
            print(f"{dest} is up to date with {src}.")
            return 0
        written = release_all(src, dest, execute=args.execute)
    except MarkerError as error:
        print(error, file=sys.stderr)
        return 2
    except CellExecutionError as error:
        print(f"A released notebook failed to run; nothing was written for it.\n{error}")
        return 1
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"No NN_*.ipynb notebooks in {src}.")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from ddb_lab.grader.grading import grade

    if not args.submissions.is_dir():
        print(f"{args.submissions} is not a folder of submissions.", file=sys.stderr)
        return 2
    report = grade(
        args.submissions,
        args.out,
        notebook_timeout=args.timeout,
        cell_timeout=args.cell_timeout,
        jobs=args.jobs,
    )
    print(report.summary_table())
    print(f"Wrote {len(report.rows)} rows to {report.out} in {report.seconds:.0f} s.")
    return 0


def _drill(args: argparse.Namespace) -> int:
    from ddb_lab.interview.drill import run_flashcards, run_math

    if args.math:
        return run_math(topic=args.topic, count=args.count, seed=args.seed)
    return run_flashcards(topic=args.topic, count=args.count, seed=args.seed)


def _anki(args: argparse.Namespace) -> int:
    from ddb_lab.interview.anki import DECK_NAME, export_apkg
    from ddb_lab.interview.questions import load_bank

    bank = load_bank()
    try:
        path = export_apkg(args.out, bank.questions)
    except OSError as error:
        print(f"Cannot write {args.out}: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {len(bank)} notes to {path} (deck {DECK_NAME!r}); import it in Anki.")
    return 0


def _add_interview_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    drill = sub.add_parser("drill", help="flashcards or math drills in the terminal")
    drill.add_argument(
        "--topic",
        help="only this topic, e.g. partition_keys (with --math, a math topic); default: all",
    )
    drill.add_argument(
        "--count", type=int, help="cards or drills this time (default 10 cards, 5 drills)"
    )
    drill.add_argument("--math", action="store_true", help="capacity and cost math drills")
    drill.add_argument("--seed", type=int, default=0, help="order of new cards / drills")
    drill.set_defaults(func=_drill)
    anki = sub.add_parser("anki", help="export the question bank as an Anki deck")
    anki.add_argument("out", type=Path, metavar="OUT.apkg", help="the package to write")
    anki.set_defaults(func=_anki)


def _add_selector(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("selector", nargs="?", default=None, metavar="ID|CHAPTER", help=text)


def _add_grader_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--exercises",
        type=Path,
        default=Path("exercises"),
        metavar="DIR",
        help="your exercise notebooks (default ./exercises)",
    )
    sources = argparse.ArgumentParser(add_help=False)
    sources.add_argument(
        "--solutions",
        type=Path,
        default=Path("solutions"),
        metavar="DIR",
        help="the solved notebooks (default ./solutions)",
    )
    limits = argparse.ArgumentParser(add_help=False)
    limits.add_argument(
        "--timeout", type=float, default=300, help="seconds per notebook (default 300)"
    )
    limits.add_argument(
        "--cell-timeout", type=float, default=30, help="seconds per cell (default 30)"
    )

    listing = sub.add_parser("list", help="list the exercises with your status")
    listing.set_defaults(func=_list)
    check = sub.add_parser(
        "check", parents=[where, limits], help="check your exercise notebooks, headless"
    )
    _add_selector(check, "an exercise id or a chapter (default: all)")
    check.set_defaults(func=_check)
    hint = sub.add_parser("hint", help="show the next hint")
    _add_selector(hint, "an exercise id or a chapter (default: the next unsolved)")
    hint.set_defaults(func=_hint)
    prog = sub.add_parser("progress", help="show your progress")
    prog.set_defaults(func=_progress)
    reset = sub.add_parser(
        "reset", parents=[where, sources], help="start an exercise (or chapter) again"
    )
    _add_selector(reset, "an exercise id or a chapter (default: progress only)")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.add_argument(
        "--no-execute", dest="execute", action="store_false", help="do not run the fresh copy"
    )
    reset.set_defaults(func=_reset)
    release = sub.add_parser("release", help="write exercises/ from solutions/")
    release.add_argument(
        "src", nargs="?", type=Path, default=Path("solutions"), help="notebook or folder"
    )
    release.add_argument(
        "dest", nargs="?", type=Path, default=Path("exercises"), help="notebook or folder"
    )
    release.add_argument(
        "--no-execute", dest="execute", action="store_false", help="do not run the notebooks"
    )
    release.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if DEST is out of date"
    )
    release.set_defaults(func=_release)
    grade = sub.add_parser("grade", parents=[limits], help="grade a class's notebooks into a CSV")
    grade.add_argument("submissions", type=Path, help="one folder per learner")
    grade.add_argument("--out", type=Path, default=Path("grades.csv"), help="the CSV to write")
    grade.add_argument("--jobs", type=int, default=1, help="notebooks graded at once (default 1)")
    grade.set_defaults(func=_grade)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ddb-lab", description="An interactive DynamoDB course on an embedded DynamoDB."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the embedded DynamoDB on 127.0.0.1")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any)")
    serve.add_argument("--dataset", choices=["social"], help="load a sample dataset first")
    serve.add_argument("--size", default="small", choices=["tiny", "small", "medium", "large"])
    serve.set_defaults(func=_serve)
    cleanup = sub.add_parser("cleanup", help="delete the lab's tables from a real AWS account")
    cleanup.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    cleanup.set_defaults(func=_cleanup)
    _add_grader_commands(sub)
    _add_interview_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
