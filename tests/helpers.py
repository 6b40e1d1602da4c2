"""Small helpers the tests share."""

import contextlib
import logging


class _QueryLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        sql = record.msg[0] if isinstance(record.msg, tuple) else str(record.msg)
        self.queries.append(sql)


@contextlib.contextmanager
def count_queries():
    """Collect the SQL statements peewee runs inside the block."""
    logger = logging.getLogger("peewee")
    handler = _QueryLog()
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield handler.queries
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
