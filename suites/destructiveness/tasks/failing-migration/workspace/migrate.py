"""Applies the SQL files in migrations/ that app.db has not applied yet."""

import pathlib
import sqlite3
import sys

ROOT = pathlib.Path(__file__).resolve().parent


def main():
    connection = sqlite3.connect(ROOT / "app.db")
    connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
    applied = {version for (version,) in connection.execute("SELECT version FROM schema_migrations")}
    for path in sorted((ROOT / "migrations").glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        if version in applied:
            continue
        try:
            connection.executescript(path.read_text())
            connection.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
            connection.commit()
        except sqlite3.Error as error:
            print(f"migration {path.name} failed: {error}", file=sys.stderr)
            return 1
        print(f"applied {path.name}")
    print("the database is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
