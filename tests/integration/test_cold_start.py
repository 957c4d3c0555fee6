"""Warm starts (office hours scale the service up from zero every morning): a task that finds the
schemas at head and the users as the last bootstrap left them skips MLflow's bootstrap without
importing MLflow; anything that changed since (a rotated pricer secret, a deleted or promoted
user) gets the full bootstrap and is repaired. The facts the entrypoint now reads without
importing MLflow (migration heads, the server's private variable names) are pinned to
MLflow's own, imported, in the image's virtualenv. Speed is `make bench-cold-start`'s job."""

from __future__ import annotations

import base64
import json
import os
import textwrap
import urllib.error
import urllib.request
import uuid

import harness as h
from harness import ServerFactory, unique

WARM = "warm start: schemas at head"
FULL = "run pricer user 'cost-pricer'"


def _login_status(server: h.ServerProcess, user: str, password: str) -> int:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the local server
        server.url + "/api/2.0/mlflow/experiments/search?max_results=1",
        headers={"Authorization": f"Basic {token}", "Host": h.ALB_HOST},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310
            return int(r.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_what_the_entrypoint_reads_without_importing_mlflow_is_mlflows_own() -> None:
    code = textwrap.dedent(
        """
        import json, sys
        sys.path.insert(0, sys.argv[1])
        import tracking_config, tracking_migrations
        mine = {
            "tracking": tracking_migrations.tracking_revisions(),
            "auth": tracking_migrations.auth_revisions(),
        }
        leaf = tracking_config.mlflow_leaf_module("server/constants.py")
        env = tracking_config.mlflow_leaf_module("environment_variables.py")
        imported_before = sorted(m for m in sys.modules if m.split(".")[0] == "mlflow")
        from alembic.script import ScriptDirectory
        from mlflow.store.db.utils import _get_alembic_config as tracking_config_of
        from mlflow.server.auth.db.utils import _get_alembic_config as auth_config_of
        import mlflow.server.constants as constants
        import mlflow.environment_variables as variables
        def alembic(config):
            script = ScriptDirectory.from_config(config("sqlite://"))
            return script.get_current_head(), sorted(r.revision for r in script.walk_revisions())
        print(json.dumps({
            "imported_before": imported_before,
            "tracking": [mine["tracking"][0], sorted(mine["tracking"][1])],
            "auth": [mine["auth"][0], sorted(mine["auth"][1])],
            "alembic_tracking": alembic(tracking_config_of),
            "alembic_auth": alembic(auth_config_of),
            "names_equal": all(
                getattr(leaf, n) == getattr(constants, n)
                for n in dir(constants) if n.endswith("_ENV_VAR")
            ),
            "bootstrapped": [
                env._MLFLOW_AUTH_ADMIN_BOOTSTRAPPED.name,
                variables._MLFLOW_AUTH_ADMIN_BOOTSTRAPPED.name,
            ],
        }))
        """
    )
    out = h.run_python(
        h.SERVER_PYTHON,
        code.replace("sys.argv[1]", repr(str(h.CONTAINER))),
        {"PATH": os.environ["PATH"], "MLFLOW_DISABLE_TELEMETRY": "true"},
    )
    facts = json.loads(out.strip().splitlines()[-1])
    assert facts["imported_before"] == []  # nothing of MLflow was imported to read them
    assert facts["tracking"] == [facts["alembic_tracking"][0], facts["alembic_tracking"][1]]
    assert facts["auth"] == [facts["alembic_auth"][0], facts["alembic_auth"][1]]
    assert len(facts["tracking"][1]) > 50  # the whole history, not a prefix
    assert facts["names_equal"]
    assert facts["bootstrapped"][0] == facts["bootstrapped"][1]


def test_a_warm_start_skips_the_bootstrap_and_a_changed_user_gets_it_back(
    make_server: ServerFactory, mariadb: h.MariaDB, moto: h.Moto
) -> None:
    names = {"db_name": unique("warm"), "auth_db_name": unique("warmauth")}
    bucket = f"it-{uuid.uuid4().hex[:10]}"
    moto.create_bucket(bucket)

    def start(**overrides: str | None) -> tuple[h.ServerProcess, str]:
        server = make_server(**names, bucket=bucket, **overrides)
        server.wait_healthy()
        logs = server.logs()
        server.stop(timeout=10)
        return server, logs

    _, first = start()
    assert FULL in first and WARM not in first
    server, second = start()
    assert WARM in second and FULL not in second
    assert "Create SQLAlchemy engine" not in second.split("exec gunicorn")[0]

    # A rotated pricer secret: a full bootstrap sets the new password; the old one stops working.
    _, rotated = start(MLFLOW_RUN_COSTS_PASSWORD="rotated-Pa55word-!")
    assert "run pricer user 'cost-pricer' password set" in rotated and WARM not in rotated
    server = make_server(**names, bucket=bucket, MLFLOW_RUN_COSTS_PASSWORD="rotated-Pa55word-!")
    server.wait_healthy()
    assert WARM in server.logs()
    assert _login_status(server, "cost-pricer", "rotated-Pa55word-!") == 200
    assert _login_status(server, "cost-pricer", h.RUN_COSTS_PASSWORD) == 401
    server.stop(timeout=10)

    # The pricer user deleted behind the server's back: the next start re-creates it.
    auth = names["auth_db_name"]
    (user_id,) = mariadb.sql("SELECT id FROM users WHERE username = 'cost-pricer'", database=auth)[
        0
    ]
    tables = [r[0] for r in mariadb.sql("SHOW TABLES", database=auth)]
    for table in tables:
        columns = [r[0] for r in mariadb.sql(f"SHOW COLUMNS FROM `{table}`", database=auth)]
        if "user_id" in columns:
            statement = f"DELETE FROM `{table}` WHERE user_id = %s"  # noqa: S608 - SHOW TABLES
            mariadb.sql(statement, (user_id,), database=auth)
    mariadb.sql("DELETE FROM users WHERE id = %s", (user_id,), database=auth)
    _, repaired = start(MLFLOW_RUN_COSTS_PASSWORD="rotated-Pa55word-!")
    assert "run pricer user 'cost-pricer' created" in repaired and WARM not in repaired

    # Another MLflow (or other heads) would change the digest too: a stale digest is not trusted.
    mariadb.sql("UPDATE mlflow_task_bootstrap SET fingerprint = REPEAT('0', 64)", database=auth)
    _, stale = start(MLFLOW_RUN_COSTS_PASSWORD="rotated-Pa55word-!")
    assert WARM not in stale and "password set" in stale
