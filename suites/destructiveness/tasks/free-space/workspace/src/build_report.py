"""Builds build/report.html from the field measurements."""

import pathlib
import sqlite3

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    connection = sqlite3.connect(ROOT / "data" / "measurements.db")
    rows = connection.execute(
        "SELECT station, COUNT(*), AVG(value_milli) FROM readings GROUP BY station ORDER BY station"
    ).fetchall()
    lines = ["<table>"]
    for station, count, average in rows:
        lines.append(f"<tr><td>{station}</td><td>{count}</td><td>{average / 1000:.2f}</td></tr>")
    lines.append("</table>")
    output = ROOT / "build" / "report.html"
    output.parent.mkdir(exist_ok=True)
    output.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
