"""The package as a deploy installs it: a wheel, in a fresh virtual environment outside
the checkout, migrates its database and answers in Swedish."""

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_wheel_installed_outside_the_checkout_speaks_swedish(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            # Built with the test environment's setuptools and Babel (pyproject.toml's test
            # extras), so the test asks no package index for them.
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
        ],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = (tmp_path / "dist").glob("intranet-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The libraries come from the test environment; the intranet only from the wheel.
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "wheel-test",
    }
    upgrade = subprocess.run(
        [python, "-m", "flask", "--app", "intranet", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert "applied 0001_initial" in upgrade.stdout
    page = subprocess.run(
        [
            python,
            "-c",
            "import intranet; from intranet import create_app; "
            "print(intranet.__file__); "
            "print(create_app().test_client().get('/login').get_data(as_text=True))",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert page.returncode == 0, page.stderr
    where, html = page.stdout.split("\n", 1)
    assert where.startswith(site)
    assert '<html lang="sv">' in html and "Logga in" in html and "E-post" in html
