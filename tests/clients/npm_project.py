"""The npm projects that generated-client tests run in: installed from their lock file, once."""

import hashlib
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.support.system import require_command

NPM_ENV = {
    "npm_config_audit": "false",
    "npm_config_fund": "false",
    "npm_config_update_notifier": "false",
    "NO_COLOR": "1",
}


class NpmProject:
    """A folder with package.json and package-lock.json, and commands run inside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # `npm ci` wipes node_modules/, so this stamp only survives while the install matches.
        self.install_stamp = path / "node_modules" / ".backfit-install-stamp"

    def run(
        self, args: Sequence[str], *, timeout: float = 120, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run ``args`` here; unless ``check`` is off, fail the test when it does not exit 0."""
        result = subprocess.run(
            args,
            cwd=self.path,
            env={**os.environ, **NPM_ENV},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"{' '.join(args)} exited {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def install(self) -> str:
        """``npm ci`` unless node_modules/ holds what the lock pins; returns npx's path."""
        node = require_command("node", "nodejs")
        npm = require_command("npm", "npm")
        node_version = subprocess.run(
            [node, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        wanted = hashlib.sha256(
            (self.path / "package-lock.json").read_bytes() + node_version.encode()
        ).hexdigest()
        if not (self.install_stamp.is_file() and self.install_stamp.read_text().strip() == wanted):
            self.run([npm, "ci"], timeout=600)
            self.install_stamp.write_text(f"{wanted}\n")
        return require_command("npx", "npm")
