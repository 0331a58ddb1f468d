"""Command line: ``dvatui`` starts the app; subcommands check, list and report without it.

Subcommands import neither Textual nor the UI, so they start fast and work without a
terminal.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from dvatui import __version__, cli_config, cli_data, cli_notes
from dvatui.domain.text import clean_text, escape_json_controls
from dvatui.settings import SettingsError
from dvatui.startup import resume_collector

if TYPE_CHECKING:
    import argparse

# The notes parser and the store are imported by the commands that use them: starting
# the app from a warm cache needs neither markdown-it nor YAML.
if TYPE_CHECKING:
    from dvatui.domain.exam import ExamState
    from dvatui.domain.model import Corpus
    from dvatui.store import Store
    from dvatui.study import StudySession

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_DATA = 2


def _common(
    parser: argparse.ArgumentParser, *, top: bool, notes: bool = True, db: bool = True
) -> None:
    """``--notes`` and ``--db``, on the commands that read the notes and the data file."""
    if notes:
        cli_config.add_path_option(
            parser,
            "--notes",
            "a Markdown file or folder to study instead of the shipped notes",
            top=top,
        )
    if db:
        cli_config.add_path_option(parser, "--db", cli_config.DB_HELP, top=top)


def _describe(parser: argparse.ArgumentParser) -> None:
    """Give every subcommand (and sub-subcommand) without a description its one-line help
    as the description, so that ``dvatui COMMAND --help`` says what it does."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                command = action.choices[choice.dest]
                if command.description is None and choice.help:
                    command.description = choice.help[0].upper() + choice.help[1:] + "."
                _describe(command)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``dvatui`` and its subcommands."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="dvatui",
        description="Study for the AWS Certified Developer - Associate exam (DVA-C02).",
    )
    parser.add_argument("--version", action="version", version=f"dvatui {__version__}")
    _common(parser, top=True)
    parser.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser("check", help="validate notes and quiz blocks")
    _common(check, top=False, db=False)
    check.add_argument(
        "--strict", action="store_true", help="apply the shipped-corpus rules to --notes too"
    )
    check.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: one object with the counts, errors and warnings (default: text)",
    )
    outline = sub.add_parser("outline", help="print the section tree")
    _common(outline, top=False, db=False)
    marks = sub.add_parser("bookmarks", help="list bookmarks")
    _common(marks, top=False)
    marks.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text", help="default: text"
    )
    stats = sub.add_parser(
        "stats", help="answered and correct questions per chapter and domain, what is due"
    )
    _common(stats, top=False)
    stats.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (Rich tables) or JSON"
    )
    review = sub.add_parser(
        "review", help="review what is due (spaced repetition), or a practice set"
    )
    _common(review, top=False)
    review.add_argument(
        "--set",
        metavar="NAME",
        help="a practice set instead: domain:KEY, chapter:ID, bookmarked, flagged, missed,"
        " leeches, unseen or all",
    )
    review.add_argument("--count", type=int, metavar="N", help="at most N questions")
    review.add_argument("--list", action="store_true", help="list what is due and exit")
    review.add_argument(
        "--retention",
        type=float,
        metavar="R",
        help="desired retention, 0.70-0.99 (default 0.90); remembered",
    )
    review.add_argument(
        "--new-per-day", type=int, metavar="N", help="new questions a day (default 20); remembered"
    )
    review.add_argument(
        "--format", choices=("text", "json"), default="text", help="with --list: text or JSON"
    )
    review.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    plan = sub.add_parser("plan", help="set your exam date and see today's share of the work")
    _common(plan, top=False)
    plan.add_argument("--exam-date", metavar="YYYY-MM-DD", help="the day of your exam")
    exam = sub.add_parser(
        "exam", help="a timed 65-question mock exam: resume the unfinished one, or start one"
    )
    _common(exam, top=False)
    exam.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    reset = sub.add_parser("reset-data", help="back up the data file and start fresh")
    _common(reset, top=False, notes=False)
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    cli_data.add_parsers(sub)
    cli_notes.add_parser(sub)
    cli_config.add_parser(sub)
    _describe(parser)
    return parser


notes_path = cli_config.notes_path
data_paths = cli_config.data_paths
_base_db = cli_config.base_db


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    words = sys.argv[1:] if argv is None else list(argv)
    if not words:
        # Plain `dvatui`, the common case: the app, without importing or building argparse
        # (~10 ms before the first frame). Any argument goes through the full parser.
        from types import SimpleNamespace

        plain = SimpleNamespace(command=None, notes=None, db=None, no_mouse=False)
        return run_app(cast("argparse.Namespace", plain))
    args = build_parser().parse_args(words)
    command = args.command
    if command is None:
        return run_app(args)
    if command not in ("exam", "review"):  # these two open the app (review: unless --list)
        resume_collector()
    handlers = {
        "check": cmd_check,
        "outline": cmd_outline,
        "bookmarks": cmd_bookmarks,
        "stats": cmd_stats,
        "reset-data": cmd_reset,
        "review": cmd_review,
        "plan": cmd_plan,
        "exam": lambda args: run_app(args, start="exam"),
        "export": cli_data.cmd_export,
        "import": cli_data.cmd_import,
        "restore": cli_data.cmd_restore,
        "notes": cli_notes.cmd_notes,
        "config": cli_config.cmd_config,
    }
    try:
        return handlers[command](args)
    except BrokenPipeError:  # e.g. `dvatui outline | head`
        sys.stderr.close()
        return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Validate notes; print ``file:line: message`` per problem, then a summary."""
    from dvatui.domain.check import check_corpus
    from dvatui.domain.loader import load_corpus
    from dvatui.domain.model import DOMAINS

    path = notes_path(args)
    corpus = load_corpus(path)
    chosen = args.notes is not None or cli_config.settings_of(args).notes is not None
    report = check_corpus(corpus, shipped=not chosen or args.strict)
    if args.format == "json":
        import json

        data = report.as_json(clean_text(str(path)))
        print(escape_json_controls(json.dumps(data, indent=2, ensure_ascii=False)))
        return EXIT_PROBLEMS if report.errors else EXIT_OK
    for problem in report.problems:
        print(problem)
    print(
        f"{clean_text(str(path))}: {report.chapters} chapters, {report.sections} sections, "
        f"{report.items} note items, {report.questions} questions, {report.cards} flashcards"
    )
    share = report.domain_share()
    print(
        "questions by domain: "
        + ", ".join(f"{d} {report.by_domain.get(d, 0)} ({share[d]:.0%})" for d in DOMAINS)
    )
    for title, sections, questions, domains in report.by_chapter:
        mix = " ".join(f"{d[:3]}={domains[d]}" for d in DOMAINS if domains.get(d))
        print(f"  {clean_text(title)}: {sections} sections, {questions} questions  {mix}".rstrip())
    errors, warnings = len(report.errors), len(report.warnings)
    print(f"{errors} error(s), {warnings} warning(s)")
    return EXIT_PROBLEMS if errors else EXIT_OK


def cmd_outline(args: argparse.Namespace) -> int:
    """Print the chapters and sections as an indented tree."""
    from dvatui.domain.loader import load_corpus

    corpus = load_corpus(notes_path(args))
    for problem in corpus.problems:
        print(problem, file=sys.stderr)
    for chapter in corpus.chapters:
        extra = f" ({len(chapter.overview.items)} items)" if chapter.overview.items else ""
        title = clean_text(chapter.title)
        print(f"{title}{extra}" if chapter.sections or extra else f"{title} (empty)")
        for section in chapter.sections:
            for sub in section.walk():
                indent = "  " * (sub.level - 1)
                q = len(sub.questions)
                qs = f", {q} questions" if q else ""
                print(f"{indent}{clean_text(sub.title)} ({len(sub.items)} items{qs})")
    return EXIT_PROBLEMS if corpus.errors and not corpus.chapters else EXIT_OK


def open_store_or_explain(args: argparse.Namespace, *, read_only: bool = True) -> Store | None:
    """Open the data file, or print why not (in plain words) and return None."""
    from dvatui.store import Store, StoreError

    path = data_paths(args)[0] if hasattr(args, "notes") else _base_db(args)
    try:
        return Store.open(path, read_only=read_only)
    except StoreError as exc:
        print(f"dvatui: {clean_text(str(exc))}", file=sys.stderr)
        return None


def cmd_bookmarks(args: argparse.Namespace) -> int:
    """List bookmarks as text, Markdown or JSON."""
    from dvatui.domain.loader import load_corpus

    store = open_store_or_explain(args)
    if store is None:
        return EXIT_DATA
    corpus = load_corpus(notes_path(args))
    marks = store.bookmarks()
    if args.format == "json":
        rows = [
            {
                "target_id": b.target_id,
                "kind": b.kind,
                "chapter_id": b.chapter_id,
                "section_id": b.section_id,
                "label": b.label,
                "comment": b.comment,
                "created_at": b.created_at,
                "text": b.text,
                "found": _where(corpus, b.target_id) is not None,
            }
            for b in marks
        ]
        print(escape_json_controls(json.dumps(rows, indent=2, ensure_ascii=False)))
        return EXIT_OK
    if not marks:
        print("No bookmarks yet. In the app, press b on a note or a section.")
        return EXIT_OK
    for b in marks:
        # Labels and comments come from the data file: as untrusted as the notes.
        where = clean_text(_where(corpus, b.target_id) or "(not in these notes)")
        label = clean_text(b.label)
        comment = f" — {clean_text(b.comment)}" if b.comment else ""
        if args.format == "markdown":
            print(f"- **{where}**: {label}{comment}")
        else:
            print(f"{where}: {label}{comment}")
    return EXIT_OK


def _where(corpus: Corpus, target_id: str) -> str | None:
    found = corpus.item(target_id)
    section = found[0] if found else corpus.section(target_id)
    if section is None:
        return None
    chapter = corpus.chapter(section.chapter_id)
    if chapter is None or section.level == 1:
        return section.title
    return f"{chapter.title} › {section.title}"


def _study_session(args: argparse.Namespace, *, writable: bool = False) -> StudySession | None:
    """The notes and the learner's data (read-only unless ``writable``) for the commands."""
    from dvatui.domain.loader import load_corpus
    from dvatui.store import StoreError
    from dvatui.study import StudySession

    session = StudySession(load_corpus(notes_path(args)), data_paths(args)[0])
    session.overrides = cli_config.settings_of(args).overrides()  # they win over the data file
    try:
        session.open(read_only=not writable)
    except StoreError as exc:
        print(f"dvatui: {clean_text(str(exc))}", file=sys.stderr)
        return None
    return session


def stats_document(session: StudySession) -> dict[str, object]:
    """What ``dvatui stats --format json`` prints (the schema is in the README)."""
    from dvatui.domain.model import DOMAINS

    questions = session.corpus.questions()
    results = session.results
    counts = session.review_counts()
    domains: dict[str, dict[str, object]] = {}
    for domain in DOMAINS:
        mine = [q for q in questions if q.domain == domain]
        domains[domain] = {
            "questions": len(mine),
            "answered": sum(1 for q in mine if q.id in results),
            "correct": sum(1 for q in mine if results.get(q.id)),
        }
    readiness = session.readiness()
    for domain in DOMAINS:
        band = readiness.domains.get(domain)
        domains[domain]["readiness"] = (
            None
            if band is None
            else {"low": round(band.low, 3), "mid": round(band.mid, 3), "high": round(band.high, 3)}
        )
    projected = None
    if readiness.score is not None and readiness.pass_probability is not None:
        projected = {
            "low": round(readiness.score.low),
            "mid": round(readiness.score.mid),
            "high": round(readiness.score.high),
            "pass_probability": round(readiness.pass_probability, 3),
        }
    plan = session.plan()
    exam_date = session.exam_date()
    return {
        "questions": len(questions),
        "answered": sum(1 for q in questions if q.id in results),
        "correct": sum(1 for q in questions if results.get(q.id)),
        "reviews": session.review_total(),
        "due_today": counts.due_today,
        "new_today_left": counts.new_today_left,
        "leeches": counts.leeches,
        "domains": domains,
        "projected_score": projected,
        "exam_date": exam_date.isoformat() if exam_date is not None else None,
        "plan_today": {
            "new": plan.new_today if plan is not None else counts.new_today_left,
            "reviews": plan.reviews_today if plan is not None else counts.due_today,
        },
        "mock_exams": [_exam_summary(exam) for exam in session.exams()],
    }


def _exam_summary(exam: ExamState) -> dict[str, object]:
    summary: dict[str, object] = {
        "started_at": exam.started_at,
        "status": exam.status,
        "total": len(exam.question_ids),
        "answered": len(exam.answers),
        "flagged": len(exam.flags),
        "remaining_s": round(exam.remaining_s, 1),
        "questions_by_domain": exam.by_domain(),
    }
    if exam.finished and exam.result is not None:
        summary.update(
            correct=exam.result.correct, score=exam.result.score, passed=exam.result.passed
        )
    return summary


def cmd_plan(args: argparse.Namespace) -> int:
    """Set the exam date (``--exam-date``) and print today's plan."""
    from datetime import date

    session = _study_session(args, writable=args.exam_date is not None)
    if session is None:
        return EXIT_DATA
    if args.exam_date is not None:
        try:
            when = date.fromisoformat(args.exam_date)
        except ValueError:
            print(
                f"dvatui: {clean_text(args.exam_date)!r} is not a date; write it as YYYY-MM-DD,"
                " e.g. 2027-01-15",
                file=sys.stderr,
            )
            return EXIT_DATA
        if when <= session.today():
            print(
                f"dvatui: {when.isoformat()} is not in the future; give the day of your exam",
                file=sys.stderr,
            )
            return EXIT_DATA
        try:  # the settings file, when it sets the date (it wins), else the data file
            configured = cli_config.save_if_configured(args, "exam_date", when)
        except SettingsError as exc:
            print(f"dvatui: {clean_text(str(exc))}", file=sys.stderr)
            return EXIT_DATA
        if configured:
            session.overrides = {**session.overrides, "exam_date": when.isoformat()}
        else:
            session.set_exam_date(when)
        failures = session.flush()
        if failures:
            print(f"dvatui: {clean_text(failures[0].message)}", file=sys.stderr)
            return EXIT_DATA
    plan = session.plan()
    if plan is None:
        print("No exam date yet: dvatui plan --exam-date YYYY-MM-DD sets it.")
        return EXIT_OK
    day = session.exam_date()
    assert day is not None
    print(
        f"Exam on {day.isoformat()}: in {plan.days_left} days. Today: {plan.new_today} new, "
        f"{plan.reviews_today} due. {plan.unseen} questions not seen yet; {plan.note}."
    )
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """Answered and correct questions per chapter and per domain, as Rich tables or JSON."""
    session = _study_session(args)
    if session is None:
        return EXIT_DATA
    document = stats_document(session)
    if args.format == "json":
        print(json.dumps(document, indent=2))
        return EXIT_OK
    _print_stats_tables(session, document)
    return EXIT_OK


def _print_stats_tables(session: StudySession, document: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from dvatui.domain.model import DOMAINS
    from dvatui.domain.progress import chapter_tally, domain_tallies

    latest = dict(session.results)
    corpus = session.corpus
    table = Table(title="Progress by chapter", title_justify="left")
    for name, justify in (
        ("Chapter", "left"),
        ("Questions", "right"),
        ("Answered", "right"),
        ("Correct", "right"),
        ("Score", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for chapter in corpus.chapters:
        t = chapter_tally(chapter, latest)
        table.add_row(
            Text(clean_text(chapter.title)),
            str(t.total),
            str(t.answered),
            str(t.correct),
            f"{t.percent:.0f}%" if t.answered else "-",
        )
    by_domain = Table(title="Progress by DVA-C02 domain", title_justify="left")
    for name in ("Domain", "Questions", "Answered", "Correct", "Score"):
        by_domain.add_column(name, justify="left" if name == "Domain" else "right")
    tallies = domain_tallies(corpus, latest)
    for domain in DOMAINS:
        t = tallies[domain]
        by_domain.add_row(
            domain,
            str(t.total),
            str(t.answered),
            str(t.correct),
            f"{t.percent:.0f}%" if t.answered else "-",
        )
    console = Console()
    console.print(table)
    console.print(by_domain)
    console.print(
        f"Spaced review: {document['due_today']} due today, {document['new_today_left']} new "
        f"questions left today, {document['leeches']} leeches, {document['reviews']} answers "
        "in all."
    )


def _save_review_settings(args: argparse.Namespace) -> int | None:
    """Remember ``--retention`` / ``--new-per-day``; an exit code if they are refused."""
    from dvatui.store import Store, StoreError

    changes: dict[str, float | int] = {}
    if args.retention is not None:
        if not 0.7 <= args.retention <= 0.99:
            print("dvatui: --retention must be between 0.70 and 0.99", file=sys.stderr)
            return EXIT_DATA
        changes["desired_retention"] = float(args.retention)
    if args.new_per_day is not None:
        if not 0 <= args.new_per_day <= 1000:
            print("dvatui: --new-per-day must be between 0 and 1000", file=sys.stderr)
            return EXIT_DATA
        changes["new_per_day"] = args.new_per_day
    try:  # a key the settings file sets is remembered there (it wins over the data file)
        for key in [k for k, v in changes.items() if cli_config.save_if_configured(args, k, v)]:
            del changes[key]
    except SettingsError as exc:
        print(f"dvatui: {clean_text(str(exc))}", file=sys.stderr)
        return EXIT_DATA
    if not changes:
        return None
    try:
        store = Store.open(data_paths(args)[0] if hasattr(args, "notes") else _base_db(args))
        for key, value in changes.items():
            store.set_setting(key, value)
    except StoreError as exc:
        print(f"dvatui: {clean_text(str(exc))}", file=sys.stderr)
        return EXIT_DATA
    return None


def cmd_review(args: argparse.Namespace) -> int:
    """Start the app in review mode, or list what is due (``--list``)."""
    refused = _save_review_settings(args)
    if refused is not None:
        return refused
    if not args.list:
        return run_app(args, start="review", practice=args.set, count=args.count)
    resume_collector()
    session = _study_session(args)
    if session is None:
        return EXIT_DATA
    rows = []
    for qid, when in session.due_list():
        found = session.corpus.question(qid) or session.corpus.card(qid)  # or a flashcard
        where = session.locate(found.section_id).path if found is not None else ""
        rows.append(
            {
                "question_id": qid,
                "section_id": found.section_id if found is not None else "",
                "section": clean_text(where),
                "due": when.isoformat(),
            }
        )
    if args.format == "json":
        print(escape_json_controls(json.dumps(rows, indent=2, ensure_ascii=False)))
        return EXIT_OK
    if not rows:
        print("Nothing is due today.")
        return EXIT_OK
    for row in rows:
        print(f"{row['due'][:16].replace('T', ' ')}  {row['question_id']}  {row['section']}")
    return EXIT_OK


def cmd_reset(args: argparse.Namespace) -> int:
    """Back up the data file and start a fresh one."""
    from dvatui.store import StoreError, reset_store, resolve_db_path

    path = resolve_db_path(args.db)
    if not args.yes:
        if not sys.stdin.isatty():
            print("dvatui: reset-data needs --yes when not run at a terminal", file=sys.stderr)
            return EXIT_DATA
        answer = input(f"Back up {path} and start with empty data? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return EXIT_OK
    try:
        backup = reset_store(path)
    except (StoreError, OSError) as exc:
        print(f"dvatui: {clean_text(str(exc))}", file=sys.stderr)
        return EXIT_DATA
    where = f"; the old file is kept at {backup}" if backup else ""
    print(f"Started fresh data at {path}{where}.")
    return EXIT_OK


def run_app(
    args: argparse.Namespace,
    *,
    start: str | None = None,
    practice: str | None = None,
    count: int | None = None,
) -> int:
    """Start the full-screen app (``start="review"``: in review mode, or on a practice set)."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        # Read by Textual at import: animations cost ~60 KB per page scroll over SSH.
        os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    notes = notes_path(args)
    if _notes_refused(args, notes):
        return EXIT_DATA
    from dvatui.app import make_app

    db, base = data_paths(args)
    app = make_app(
        notes=notes,
        db_path=db,
        base_db=base,
        settings=cli_config.settings_of(args),
    )
    if _notes_refused(args, notes, app.session.corpus):
        return EXIT_DATA
    if start == "review":
        app.start_review(practice=practice, count=count)
    elif start == "exam":
        app.start_exam()
    app.run(mouse=not args.no_mouse)
    return app.return_code or 0


def _notes_refused(args: argparse.Namespace, path: Path, corpus: Corpus | None = None) -> bool:
    """Before the app opens: say why the notes at ``path`` cannot be studied and return
    True, or return False.

    Without ``corpus`` (before loading, cheap): ``path`` does not exist, or is a folder
    without a notes file. With it (loaded): no section holds a note item or a question.
    """
    from dvatui.domain.files import notes_candidates

    if corpus is None:
        if not path.exists():
            reason = "no such file or folder"
        elif path.is_dir() and not notes_candidates(path):
            reason = "holds no notes (no .md, .markdown or .txt file in this folder)"
        else:
            return False
    elif any(section.items or section.questions for section in corpus.sections()):
        return False
    else:
        why = corpus.errors[0].message if corpus.errors else "no note item or question in it"
        reason = f"holds no notes ({why}); `dvatui check --notes PATH` lists every problem"
    given = "--notes" if args.notes else "the settings file's notes:"
    print(f"dvatui: {given} {clean_text(str(path))}: {reason}", file=sys.stderr)
    return True
