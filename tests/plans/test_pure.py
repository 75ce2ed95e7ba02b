"""The generator and its rules are pure: importing them loads no web framework or database."""

import subprocess
import sys

PURE = ["generator", "rules", "days", "drafts", "class_choice", "reasons", "ways_out", "words"]


def test_plan_rules_import_no_framework_or_database() -> None:
    imports = "; ".join(f"import app.plans.{module}" for module in PURE)
    check = (
        f"{imports}; import sys; "
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'fastapi', 'starlette', 'sqlmodel', 'sqlalchemy', 'pydantic', 'httpx'}); "
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
