"""``careaudit import staff|cases|cin-census|ssda903``: the nightly imports from cron."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app

from core.imports.plan import ImportFileData
from core.imports.runner import run_import
from core.models import ImportKind, ImportRun, ImportStatus
from core.trail import command_user

#: How many problems the command prints; the Imports page lists the rest.
SHOWN_PROBLEMS = 50


class BarProgress:
    """Progress on the terminal: one click progress bar per stage."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None

    def stage(self, text: str, total: int | None = None) -> None:
        self.close()
        if not self.enabled:
            return
        if total:
            self._bar = click.progressbar(length=total, label=text, file=sys.stderr)
            self._bar.__enter__()
        else:
            click.echo(f"{text}…", err=True)

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _read(role: str, path: Path) -> ImportFileData:
    limit = current_app.config["IMPORT_MAX_BYTES"]
    size = path.stat().st_size
    if size > limit:
        raise click.ClickException(
            f"{path.name} is {size / 1e6:.0f} MB; the limit is {limit / 1e6:.0f} MB "
            "(IMPORT_MAX_BYTES)"
        )
    return ImportFileData(role, path.name, path.read_bytes())


def report(run: ImportRun) -> None:
    """Print what the run did (or would do), every problem up to a limit, and exit 1 if refused."""
    counts = run.counts or {}
    verb = "Would change" if run.dry_run else "Changed"
    if run.status in (ImportStatus.IMPORTED, ImportStatus.CHECKED):
        click.echo(
            f"{verb}: {counts.get('created', 0)} created, {counts.get('updated', 0)} updated, "
            f"{counts.get('closed', 0)} closed, {counts.get('unchanged', 0)} unchanged, "
            f"{counts.get('rejected', 0)} rejected."
        )
    for problem in (run.problems or [])[:SHOWN_PROBLEMS]:
        where = f"row {problem['row']}" if isinstance(problem["row"], int) else problem["row"]
        column = f", {problem['column']}" if problem.get("column") else ""
        click.echo(f"  {where}{column}: {problem['reason']}")
    if run.problem_count > SHOWN_PROBLEMS:
        click.echo(f"  … and {run.problem_count - SHOWN_PROBLEMS} more (see Imports, run {run.id})")
    if (run.details or {}).get("same_file_as"):
        click.echo(f"The same file was imported before (run {run.details['same_file_as']}).")
    if run.status is ImportStatus.REJECTED:
        problems = f"{run.problem_count} problem{'' if run.problem_count == 1 else 's'}"
        reason = run.error or (
            f"{problems}; nothing was imported. Fix the file, or run "
            "again with --skip-invalid to import the valid rows."
        )
        raise click.ClickException(reason)
    if run.status is ImportStatus.FAILED:
        raise click.ClickException(run.error or "The import failed; nothing was changed.")
    if run.status is ImportStatus.IMPORTED:
        click.echo(f"Imported (run {run.id}).")
    elif run.status is ImportStatus.CHECKED:
        click.echo(f"Dry run: nothing was written (run {run.id}).")


def _common(function: Any) -> Any:
    options = [
        click.option("--dry-run", is_flag=True, help="Show what would change; write nothing."),
        click.option(
            "--skip-invalid",
            is_flag=True,
            help="Import the valid rows even if some rows have problems.",
        ),
        click.option("--quiet", is_flag=True, help="No progress bar (for cron)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _run(
    kind: ImportKind,
    files: list[ImportFileData],
    options: dict[str, Any],
    dry_run: bool,
    quiet: bool,
) -> None:
    progress = BarProgress(enabled=not quiet)
    try:
        run = run_import(
            kind,
            files,
            options,
            started_by=f"careaudit import {kind.value.replace('_', '-')} ({command_user()})",
            dry_run=dry_run,
            progress=progress,
        )
    finally:
        progress.close()
    report(run)


@click.group("import")
def import_group() -> None:
    """Import staff, the case list, the CIN census, the SSDA903 return or past audits."""


@import_group.command("staff")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--full", is_flag=True, help="A full extract: deactivate staff not in the file.")
@click.option(
    "--create-teams", is_flag=True, help="Create teams the file names but careaudit lacks."
)
@_common
def import_staff(
    file: Path, full: bool, create_teams: bool, dry_run: bool, skip_invalid: bool, quiet: bool
) -> None:
    """Staff from a CSV or XLSX file: email, name, role, team or service, active."""
    options = {"full": full, "skip_invalid": skip_invalid, "create_teams": create_teams}
    _run(ImportKind.STAFF, [_read("file", file)], options, dry_run, quiet)


@import_group.command("cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", help="The saved column mapping to read the file with.")
@click.option("--full", is_flag=True, help="A full extract: close cases not in the file.")
@click.option(
    "--create-teams", is_flag=True, help="Create teams the file names but careaudit lacks."
)
@_common
def import_cases(
    file: Path,
    mapping: str | None,
    full: bool,
    create_teams: bool,
    dry_run: bool,
    skip_invalid: bool,
    quiet: bool,
) -> None:
    """Case files from the case recording system's case list (CSV or XLSX)."""
    options = {
        "full": full,
        "skip_invalid": skip_invalid,
        "create_teams": create_teams,
        "mapping": mapping,
    }
    _run(ImportKind.CASES, [_read("file", file)], options, dry_run, quiet)


@import_group.command("cin-census")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_common
def import_cin_census(file: Path, dry_run: bool, skip_invalid: bool, quiet: bool) -> None:
    """Referrals and child protection plans from the DfE CIN census XML."""
    options = {"skip_invalid": skip_invalid}
    _run(ImportKind.CIN_CENSUS, [_read("file", file)], options, dry_run, quiet)


@import_group.command("ssda903")
@click.option(
    "--header",
    "header",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The return's Header file (one row per child).",
)
@click.option(
    "--episodes",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The return's Episodes file (each period of care).",
)
@_common
def import_ssda903(
    header: Path, episodes: Path, dry_run: bool, skip_invalid: bool, quiet: bool
) -> None:
    """Looked-after children and care leavers from the SSDA903 return's CSV files."""
    options = {"skip_invalid": skip_invalid}
    files = [_read("header", header), _read("episodes", episodes)]
    _run(ImportKind.SSDA903, files, options, dry_run, quiet)


@import_group.command("audits")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--tool", required=True, help="The audit tool's slug, e.g. children_audit or supervision_audit."
)
@_common
def import_audits(file: Path, tool: str, dry_run: bool, skip_invalid: bool, quiet: bool) -> None:
    """Past audits of one tool from a CSV or XLSX file, as submitted audits marked imported.

    Columns: Audit date, Auditor (email or staff ID), Kind, Case reference (or
    Staff member), one per rated question (e.g. Standard 1) with optional
    "<question> evidence", Overall rating, Overall grade. Importing the same
    file again adds nothing.
    """
    options = {"tool": tool, "skip_invalid": skip_invalid}
    _run(ImportKind.AUDITS, [_read("file", file)], options, dry_run, quiet)
