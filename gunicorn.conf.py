"""gunicorn's settings for the intranet: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Behind nginx on the same machine (docs/nginx-intranet.conf); each setting can be changed
through the environment named beside it.
"""

import multiprocessing
import os

# nginx passes requests to this address; nothing else should reach it.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two workers per core and one more, at most eight: pages wait on the database.
workers = int(os.environ.get("GUNICORN_WORKERS", min(8, multiprocessing.cpu_count() * 2 + 1)))
# A rent board or a yearly report at a city's scale takes seconds, a bank file a few more.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# A worker is replaced now and then, so that memory stays bounded over months.
max_requests = 2000
max_requests_jitter = 200
# Only the local nginx may say which address and scheme a request came from; the app's
# INTRANET_PROXY_COUNT=1 then reads them.
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"
# The access log leaves out the query string: it can hold a filter that names a person.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
# The app is made once, before the workers are forked: a worker that dies is replaced in
# milliseconds instead of the second or two its imports take, while the others carry its
# share. Making the app opens no database connection (tests/test_connection_pool.py), so
# no connection crosses the fork.
preload_app = True
