"""`make backup` / `make restore`: a consistent copy of the database, and back.

PostgreSQL: pg_dump's custom format (a consistent snapshot while the site runs), restored
with pg_restore in one transaction, replacing what is there. SQLite: SQLite's online
backup API (a consistent copy even while the demo server writes), restored the same way.
The database is the one DATABASE_URL names (else the embedded SQLite file).

    python -m config.backup backup [FILE]     # default: var/backups/credence-<time>.<ext>
    python -m config.backup restore FILE
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent


def _database() -> dict:
    default = f"sqlite:///{ROOT / 'var' / 'credence.sqlite3'}"
    return dj_database_url.parse(os.environ.get("DATABASE_URL") or default)


def _pg_url(db: dict) -> str:
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _sqlite_copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def backup(file: Path | None) -> Path:
    db = _database()
    sqlite = db["ENGINE"].endswith("sqlite3")
    if file is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        file = ROOT / "var" / "backups" / f"credence-{stamp}.{'sqlite3' if sqlite else 'dump'}"
    file.parent.mkdir(parents=True, exist_ok=True)
    if sqlite:
        _sqlite_copy(Path(db["NAME"]), file)
    else:
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--dbname={_pg_url(db)}",
                "-f",
                str(file),
            ],
            check=True,
        )
    return file


def restore(file: Path) -> None:
    if not file.is_file():
        sys.exit(f"No backup at {file}: give BACKUP=path/to/file.")
    db = _database()
    if db["ENGINE"].endswith("sqlite3"):
        _sqlite_copy(file, Path(db["NAME"]))
    else:
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_pg_url(db)}",
                str(file),
            ],
            check=True,
        )


def main(argv: list[str]) -> None:
    if (
        len(argv) < 1
        or argv[0] not in {"backup", "restore"}
        or (argv[0] == "restore" and len(argv) < 2)
    ):
        sys.exit(__doc__)
    if argv[0] == "backup":
        print(f"Backed up to {backup(Path(argv[1]) if len(argv) > 1 and argv[1] else None)}")
    else:
        restore(Path(argv[1]))
        print(f"Restored from {argv[1]}")


if __name__ == "__main__":
    main(sys.argv[1:])
