"""The environment is what requirements.lock says, and the lock is in step with pyproject."""

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PINNED_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==([^\s\\;]+)", re.M)


def locked() -> dict[str, str]:
    return dict(PINNED_RE.findall((ROOT / "requirements.lock").read_text()))


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_locked_package_is_installed_at_its_locked_version():
    wrong = {}
    for name, pinned in locked().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            wrong[name] = (pinned, installed)
    assert len(locked()) > 40
    assert not wrong, f"(locked, installed): {wrong}; run make install"


def test_every_locked_line_carries_a_hash():
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.lock").read_text())
    unhashed = [e.split()[0] for e in entries if PINNED_RE.match(e) and "--hash=sha256:" not in e]
    assert not unhashed


def test_the_lock_satisfies_every_requirement_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += extra
    pins = {normalized(name): pinned for name, pinned in locked().items()}
    outside = []
    for line in requirements:
        requirement = Requirement(line)
        pinned = pins.get(normalized(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            outside.append(f"{line} (locked: {pinned})")
    assert not outside, f"run make lock: {outside}"
