"""Structured logs: one JSON object per line on stderr."""

import asyncio
import logging
import logging.config
import select
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any, ClassVar, TextIO

import orjson

ACCESS_LOGGER = "backfit.access"
access_logger = logging.getLogger(ACCESS_LOGGER)

# Attributes every LogRecord has; anything else was passed through ``extra=`` and is logged.
_STANDARD_ATTRIBUTES = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line, with the fields given in ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_")
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class AccessLines(logging.Handler):
    """The access logger's handler: JsonFormatter's lines, written a batch at a time.

    Through logging, a request's line (a LogRecord, the formatter, a write of its own) cost
    as much as the rest of a cached catalog answer; ``request`` builds the same JSON from the
    request's fields and queues it. A batch is written when the next line would not fit,
    ``flush_seconds`` after its first line, and when the handler closes (at exit).
    """

    flush_seconds: ClassVar[float] = 0.05
    # Up to PIPE_BUF bytes a write to a pipe is atomic: other workers' lines stay apart.
    batch_bytes: ClassVar[int] = select.PIPE_BUF

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.setFormatter(JsonFormatter())
        self._batch: list[bytes] = []
        self._batch_bytes = 0
        self._flush_on: asyncio.AbstractEventLoop | None = None  # the loop a flush waits on
        self._batch_lock = threading.RLock()  # records may come from other threads
        self._second = -1
        self._second_text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self._queue((self.format(record) + "\n").encode())

    def request(self, fields: dict[str, Any]) -> None:
        """The access line of a request with ``fields``, without a LogRecord."""
        entry = {
            "time": self._time_text(),
            "level": "info",
            "logger": ACCESS_LOGGER,
            "message": "request",
            **fields,
        }
        self._queue(orjson.dumps(entry, default=str) + b"\n")

    def _time_text(self) -> str:
        """Now as JsonFormatter writes it, the date and time formatted once a second."""
        second, millisecond = divmod(time.time_ns() // 1_000_000, 1000)
        if second != self._second:
            self._second = second
            self._second_text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._second_text}.{millisecond:03d}+00:00"

    def _queue(self, line: bytes) -> None:
        with self._batch_lock:
            if self._batch_bytes + len(line) > self.batch_bytes:
                self.flush()
            self._batch.append(line)
            self._batch_bytes += len(line)
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop on this thread to flush later
                self.flush()
                return
            if self._flush_on is not loop:
                loop.call_later(self.flush_seconds, self.flush)
                self._flush_on = loop

    def flush(self) -> None:
        with self._batch_lock:
            self._flush_on = None
            if not self._batch:
                return
            batch = b"".join(self._batch).decode()
            self._batch.clear()
            self._batch_bytes = 0
            try:
                self.stream.write(batch)
                self.stream.flush()
            except Exception:
                self.handleError(logging.makeLogRecord({"msg": batch}))

    def close(self) -> None:
        self.flush()
        super().close()


def logging_config(level: str) -> dict[str, Any]:
    """A dictConfig for JSON lines on stderr, for this process and uvicorn's workers."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "app.log.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
            },
            "access": {"()": "app.log.AccessLines", "stream": "ext://sys.stderr"},
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # The request middleware writes the access line; uvicorn's would be a second one.
            "uvicorn.access": {"handlers": [], "propagate": False},
            ACCESS_LOGGER: {"handlers": ["access"], "propagate": False},
            "alembic": {"level": "WARNING"},
            # The drivers' debug lines carry every statement's parameters (hashes, tokens).
            "aiosqlite": {"level": "INFO"},
            "asyncpg": {"level": "INFO"},
            "sqlalchemy": {"level": "WARNING"},
        },
    }


def log_access(fields: dict[str, Any]) -> None:
    """A request's access line: straight to AccessLines when the access logger writes only
    there (the service's own config), else as an ordinary record."""
    handlers = access_logger.handlers
    if len(handlers) == 1 and isinstance(handlers[0], AccessLines) and not access_logger.propagate:
        handlers[0].request(fields)
        return
    # A record made by hand skips logging's caller lookup, which walks the whole (deep,
    # per-request) stack.
    access_logger.handle(
        access_logger.makeRecord(
            ACCESS_LOGGER, logging.INFO, __file__, 0, "request", (), None, extra=fields
        )
    )


def configure_logging(level: str) -> None:
    """Send the service's and uvicorn's logs to stderr as JSON lines."""
    logging.config.dictConfig(logging_config(level))
