"""Debian tools some tests drive (nginx, chromium): installed on demand where we may."""

import os
import shutil
import subprocess

import pytest

_apt_updated = False


def require_command(command: str, debian_package: str) -> str:
    """The path of ``command``, installing ``debian_package`` when missing and running as root.

    Where it cannot be had, the test is skipped on a developer's machine but fails under CI,
    so CI never passes by skipping.
    """
    global _apt_updated
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        if not _apt_updated:
            subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
            _apt_updated = True
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", debian_package],
            check=False,
            capture_output=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which(command)
        if found:
            return found
    message = f"{command} is not installed (Debian package {debian_package})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
