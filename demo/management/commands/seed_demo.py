from argparse import ArgumentParser
from typing import Any, override

from common.commands import PrintableCommand
from demo.loader import load_demo


class Command(PrintableCommand):
    help = "Load the real cases of the seed articles as demo data, and the demo-editor/demo-viewer accounts."

    @override
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--password",
            help="Password for both demo accounts (default: a random one, "
            "printed when an account is created).",
        )
        parser.add_argument(
            "--new-passwords",
            action="store_true",
            help="Set the passwords of existing demo accounts too (to --password, or new "
            "random ones) and print them (scripts/demo.sh does it on every run).",
        )

    @override
    def handle(self, *args: Any, **options: Any) -> None:
        tally, accounts = load_demo(
            password=options["password"], new_passwords=options["new_passwords"]
        )
        self.stdout.write(f"Demo records: {tally}.")
        for username, (status, shown) in accounts.items():
            line = f"Account {username}: {status}"
            if shown:
                line += f", password: {shown}"
            self.stdout.write(line)
