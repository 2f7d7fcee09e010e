"""Running an import the same way everywhere: record it, check it, write it or not.

The rules every import keeps (issue 7, "for every import"):

* the whole file is checked before anything is written, and every problem
  is reported with its row, column and reason;
* nothing is written while there are problems, unless the user chose to
  import the valid rows (``skip_invalid``);
* a dry run writes nothing but the record of the run;
* the writing happens in one transaction: a failure half-way leaves the
  database as it was, and the run is recorded as failed with the reason;
* every run is recorded (who, when, which files with size and SHA-256,
  counts and problems).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from core import trail
from core.extensions import db
from core.imports.plan import (
    FileProblem,
    Importer,
    ImportFileData,
    ImportPlan,
    NoProgress,
    Progress,
)
from core.models import ImportFile, ImportKind, ImportRun, ImportStatus, User
from core.models._types import utcnow
from core.models.imports import MAX_STORED_PROBLEMS

log = logging.getLogger(__name__)

#: Each kind's importer, as "module:class" so a kind's code loads only when used.
IMPORTERS: dict[ImportKind, str] = {
    ImportKind.STAFF: "core.imports.staff:StaffImporter",
    ImportKind.CASES: "core.imports.cases:CaseImporter",
    ImportKind.CIN_CENSUS: "core.imports.cin_census:CensusImporter",
    ImportKind.SSDA903: "core.imports.ssda903:LookedAfterImporter",
    ImportKind.AUDITS: "core.imports.audits:AuditImporter",
}


def importer_for(kind: ImportKind) -> Importer:
    module_name, _, class_name = IMPORTERS[kind].partition(":")
    return getattr(importlib.import_module(module_name), class_name)()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def start_run(
    kind: ImportKind,
    files: Iterable[ImportFileData],
    options: Mapping[str, Any],
    *,
    started_by: str,
    user: User | None = None,
    keep_content: bool = False,
) -> ImportRun:
    """Record a new run with its files, and commit. ``keep_content`` for the web journey.

    The web keeps the uploaded bytes until the user decides (and so a worker on
    another server can read them); the command line reads its files from disk.
    """
    run = ImportRun(
        kind=kind,
        status=ImportStatus.WAITING,
        options=dict(options),
        mapping_name=options.get("mapping") or None,
        started_by=started_by[:120],
        started_by_id=user.id if user is not None else None,
        counts={},
        problems=[],
        details={},
    )
    for file in files:
        run.files.append(
            ImportFile(
                role=file.role,
                filename=file.filename[:255],
                size=len(file.content),
                sha256=sha256(file.content),
                content=file.content if keep_content else None,
            )
        )
    db.session.add(run)
    db.session.commit()
    return run


def stored_files(run: ImportRun) -> dict[str, ImportFileData]:
    """The run's files as uploaded (the web journey keeps them until the import ends)."""
    files = {}
    for record in run.files:
        if record.content is None:
            raise FileProblem(f"{record.filename} is no longer held by careaudit. Upload it again.")
        files[record.role] = ImportFileData(record.role, record.filename, record.content)
    return files


def execute(
    run: ImportRun,
    *,
    dry_run: bool,
    files: Mapping[str, ImportFileData] | None = None,
    progress: Progress | None = None,
) -> ImportRun:
    """Check the run's files and, unless a dry run or refused, write the changes.

    Returns the run, with its status, counts and problems recorded and committed.
    Never raises for a bad file: the reason is recorded on the run.
    """
    progress = progress or NoProgress()
    run_id = run.id
    try:
        files = files if files is not None else stored_files(run)
        _earlier_same_files(run)
        run.status = ImportStatus.CHECKING
        run.dry_run = dry_run
        db.session.commit()
        importer = importer_for(run.kind)
        progress.stage("Checking the file")
        plan = importer.check(files, run.options, progress)
        _record_plan(run, plan)
        if dry_run:
            run.status = ImportStatus.CHECKED
            db.session.commit()
            return run
        if plan.problems and not run.options.get("skip_invalid"):
            run.status = ImportStatus.REJECTED
            _finish(run)
            _record(run, "import.rejected")
            db.session.commit()
            return run
        run.status = ImportStatus.IMPORTING
        db.session.commit()
        progress.stage("Writing the changes")
        importer.apply(plan, run, progress)
        run.status = ImportStatus.IMPORTED
        _finish(run)
        _record(run, "import.completed")
        db.session.commit()
    except FileProblem as problem:
        _fail(run_id, str(problem), ImportStatus.REJECTED)
    except Exception as error:  # any failure: nothing written, the reason recorded
        log.exception("import %s failed", run_id)
        _fail(run_id, f"The import stopped and nothing was changed: {error}", ImportStatus.FAILED)
    return db.session.get(ImportRun, run_id)  # type: ignore[return-value]


def _record_plan(run: ImportRun, plan: ImportPlan) -> None:
    counts = dict(plan.counts)
    counts["rejected"] = max(counts.get("rejected", 0), plan.rejected_rows)
    run.counts = counts
    run.problem_count = len(plan.problems)
    run.problems = [p.as_dict() for p in plan.problems[:MAX_STORED_PROBLEMS]]
    run.details = {**(run.details or {}), **_jsonable(plan.details)}


def _jsonable(details: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, set | frozenset | tuple):
            value = sorted(value)
        out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def _earlier_same_files(run: ImportRun) -> None:
    """Say when the same file was imported before (the second run then changes nothing)."""
    hashes = [f.sha256 for f in run.files]
    earlier = db.session.scalar(
        select(ImportRun.id)
        .join(ImportFile, ImportFile.run_id == ImportRun.id)
        .where(
            ImportFile.sha256.in_(hashes),
            ImportRun.id != run.id,
            ImportRun.kind == run.kind,
            ImportRun.status == ImportStatus.IMPORTED,
        )
        .order_by(ImportRun.id.desc())
        .limit(1)
    )
    if earlier is not None:
        run.details = {**(run.details or {}), "same_file_as": earlier}


def _finish(run: ImportRun) -> None:
    run.finished_at = utcnow()
    for file in run.files:
        file.content = None  # an extract can hold more than careaudit keeps


def _record(run: ImportRun, action: str) -> None:
    """One trail entry per run (not per row), in the run's own transaction."""
    counts = ", ".join(f"{n} {what}" for what, n in (run.counts or {}).items() if n)
    trail.record(
        action,
        run,
        summary=f"{run.kind.value.replace('_', ' ')} import {run.status.value}"
        + (f": {counts}" if counts else ""),
        after={
            "kind": run.kind.value,
            "status": run.status.value,
            "counts": run.counts or {},
            "problems": run.problem_count,
            "files": [f"{f.filename} ({f.sha256[:12]})" for f in run.files],
        },
        actor=run.user,
        actor_label=None if run.user is not None else run.started_by,
    )


def _fail(run_id: int, message: str, status: ImportStatus) -> None:
    db.session.rollback()
    run = db.session.get(ImportRun, run_id)
    if run is None:  # pragma: no cover - the run was committed before anything else
        return
    run.status = status
    run.error = message[:2000]
    _finish(run)
    _record(run, f"import.{status.value}")
    db.session.commit()


def run_import(
    kind: ImportKind,
    files: Iterable[ImportFileData],
    options: Mapping[str, Any] | None = None,
    *,
    started_by: str,
    user: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportRun:
    """Record and run an import in one go (the command line and the demo)."""
    files = list(files)
    run = start_run(kind, files, options or {}, started_by=started_by, user=user)
    return execute(run, dry_run=dry_run, files={f.role: f for f in files}, progress=progress)
