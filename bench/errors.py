"""The one error the bench reports to its user without a traceback."""


class BenchError(Exception):
    """The bench cannot go on; the message says why."""
