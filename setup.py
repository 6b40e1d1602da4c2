"""The build step a wheel and an sdist need beyond pyproject.toml: the translations are
compiled into .mo files, and the templates, static files and migrations, which live beside
the package in a checkout, are shipped inside it (``intranet/_shipped``)."""

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("templates", "static", "migrations")


class BuildWithData(build_py):
    """build_py that also compiles the catalogues and copies the shipped folders."""

    def run(self):
        super().run()
        package = Path(self.build_lib) / "intranet"
        for po_path in (HERE / "intranet" / "translations").glob("*/LC_MESSAGES/*.po"):
            target = package / po_path.relative_to(HERE / "intranet").with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as source:
                catalog = read_po(source)
            with target.open("wb") as out:
                write_mo(out, catalog)
        for name in SHIPPED:
            destination = package / "_shipped" / name
            shutil.rmtree(destination, ignore_errors=True)
            shutil.copytree(
                HERE / name, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )


setup(cmdclass={"build_py": BuildWithData})
