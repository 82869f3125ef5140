import time
from argparse import ArgumentParser
from typing import Any, override

from django.core.management.base import CommandError

from common.commands import PrintableCommand
from demo.bulk_generator import REFERENCE_PREFIX, already_seeded, counts, seed_bulk
from demo.loader import load_demo
from partnerships.models import City
from workspace import freshness


class Command(PrintableCommand):
    help = (
        "Add deterministic bulk data on top of the demo data, for the benchmark "
        "(scale 1: 300 partner cities, 5,000 people, 10,000 agreements, 20,000 visits, "
        "100,000 action items). Loads the demo data first if it is missing. Rows are "
        "written with COPY: no django-simple-history history is recorded for them. "
        "A database that already holds bulk data (agreement references starting with "
        f"'{REFERENCE_PREFIX}') is left alone: the command says so and exits successfully."
    )

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 = a big office's archive; 0.01 for tests."
        )
        parser.add_argument("--seed", type=int, default=2025, help="Random seed (default 2025).")

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        scale: float = options["scale"]
        seed: int = options["seed"]
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        existing = already_seeded()
        if existing:
            self.stdout.write(
                f"Bulk data already present ({existing:,} generated agreements); nothing done."
            )
            return
        if not City.objects.home().exists():
            tally, accounts = load_demo()
            self.stdout.write(f"Demo records: {tally}.")
            for username, (status, shown) in accounts.items():
                self.stdout.write(
                    f"Account {username}: {status}" + (f", password: {shown}" if shown else "")
                )
        target = counts(scale)
        self.stdout.write(
            "Generating: "
            + ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in target.items())
        )
        started = time.monotonic()
        rows = seed_bulk(scale=scale, seed=seed)
        freshness.bump()  # written with COPY: no signals
        for table, n in sorted(rows.items()):
            self.stdout.write(f"  {table}: {n:,}")
        self.stdout.write(
            f"Wrote {sum(rows.values()):,} rows in {time.monotonic() - started:.1f} s.",
            self.style.SUCCESS,
        )
