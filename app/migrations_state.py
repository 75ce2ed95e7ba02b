"""Where the migrations live and which revision the code expects."""

from functools import lru_cache

from alembic.config import Config
from alembic.script import ScriptDirectory

from app.config import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    """An Alembic config for ``database_url`` that works from any directory."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@lru_cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(PROJECT_ROOT / "migrations"))


@lru_cache
def head_revision() -> str:
    """The newest migration this code ships."""
    head = _scripts().get_current_head()
    assert head is not None, "migrations/ has no revision"
    return head


def is_behind_head(revision: str) -> bool:
    """True for a revision this code ships that is older than its head."""
    known = {script.revision for script in _scripts().walk_revisions()}
    return revision in known and revision != head_revision()
