"""gunicorn's entry point (`wsgi:application`): builds the app once per worker (serverapp.py)."""

import gc

from serverapp import create_application

application = create_application()

# The imported MLflow/Flask/SQLAlchemy object graph (hundreds of thousands of objects) never
# becomes garbage: move it out of the collector's view, and collect the young generation less
# often (each request allocates thousands of ORM objects, so the default threshold of 700
# triggers several collections per request). Measured: +10-20 % log-metric throughput.
gc.freeze()
gc.set_threshold(50_000, 20, 100)
