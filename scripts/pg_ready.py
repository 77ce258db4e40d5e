"""Exit 0 when the PostgreSQL server behind a database URL accepts connections, else 1."""

import sys

import dj_database_url
import psycopg


def main(url: str) -> int:
    cfg = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=cfg["HOST"] or "127.0.0.1",
            port=cfg["PORT"] or 5432,
            user=cfg["USER"] or "postgres",
            dbname="postgres",
            connect_timeout=3,
        ):
            return 0
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
