"""The probes that found issue 10's holes, each pinned against the production-configured server
(entrypoint.py, basic auth, TLS to MariaDB) in the deployed Host configuration: only the load
balancer's name and the domain are allowed hosts, exactly what the task definition sets."""

from __future__ import annotations

import base64
import json
import os
import statistics
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness as h
import pytest
import requests
from harness import unique

SEARCH = "/api/2.0/mlflow/experiments/search?max_results=1"
ALICE = ("alice", "alice-Pa55word-%:#")


@pytest.fixture(scope="module")
def server(mariadb: h.MariaDB, moto: h.Moto, workdir: Path) -> Iterator[h.ServerProcess]:
    bucket = f"it-{uuid.uuid4().hex[:10]}"
    moto.create_bucket(bucket)
    env = h.server_env(
        mariadb,
        moto,
        port=h.free_port(),
        bucket=bucket,
        db_name=unique("atk"),
        auth_db_name=unique("atkauth"),
        MLFLOW_ALLOWED_HOSTS=f"{h.ALB_HOST},{h.DOMAIN_HOST}",
        # The timing test fails many logins on purpose: budgets out of its way (the
        # `throttled` server below tests them).
        MLFLOW_AUTH_MAX_FAILURES_PER_USER="100000",
        MLFLOW_AUTH_MAX_FAILURES_PER_ADDRESS="100000",
    )
    with h.serving(env, workdir / "logs" / f"{unique('attacks')}.log") as process:
        h.create_user(process, *ALICE)
        yield process


def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


MALFORMED_AUTHORIZATION = {
    "empty": "",
    "scheme only": "Basic",
    "scheme and space": "Basic ",
    "bearer token": "Bearer x",
    "digest": 'Digest username="admin", realm="mlflow"',
    "negotiate": "Negotiate YIIB",
    "not base64": "Basic %%%not-base64%%%",
    "base64 with junk inside": "Basic YWRt@aW46cGFzc3dvcmQ=",
    "no colon": _basic(b"admin"),
    "empty user name": _basic(b":" + h.ADMIN_PASSWORD.encode()),
    "not UTF-8": _basic(b"\xff\xfeadmin:\xc3\x28"),
    "control characters": _basic(b"ad\x00min:" + h.ADMIN_PASSWORD.encode()),
    "huge": _basic(b"admin:" + b"x" * 6000),
    "two schemes": f"Bearer x, {_basic(b'admin:' + h.ADMIN_PASSWORD.encode())}",
}


@pytest.mark.parametrize("header", list(MALFORMED_AUTHORIZATION), ids=str)
def test_malformed_or_foreign_authorization_is_401_never_5xx(
    server: h.ServerProcess, header: str
) -> None:
    response = h.call(
        server,
        "GET",
        SEARCH,
        auth=None,
        headers={"Authorization": MALFORMED_AUTHORIZATION[header]},
    )
    assert response.status_code == 401, (response.status_code, response.text[:300])
    assert response.headers.get("WWW-Authenticate") == 'Basic realm="mlflow"'


@pytest.mark.parametrize("scheme", ["Basic", "basic", "BASIC"])
def test_well_formed_basic_credentials_still_work(server: h.ServerProcess, scheme: str) -> None:
    token = base64.b64encode(f"admin:{h.ADMIN_PASSWORD}".encode()).decode()
    response = h.call(
        server, "GET", SEARCH, auth=None, headers={"Authorization": f"{scheme} {token}"}
    )
    assert response.status_code == 200, response.text[:300]


HOST_CASES = {
    # host header: allowed?
    h.DOMAIN_HOST: True,
    f"{h.DOMAIN_HOST}:443": True,
    f"{h.DOMAIN_HOST}:8443": True,
    h.DOMAIN_HOST.upper(): True,
    "Mlflow.Example.Com:443": True,
    h.ALB_HOST.upper(): True,
    f"{h.DOMAIN_HOST}:443@evil.com": False,
    f"{h.DOMAIN_HOST}:evil.com": False,
    f"{h.DOMAIN_HOST}:443:443": False,
    f"{h.DOMAIN_HOST}:": False,
    f"{h.DOMAIN_HOST}:123456": False,
    f"{h.DOMAIN_HOST}:+443": False,
    f"{h.DOMAIN_HOST}.evil.com": False,
    f"evil.com#{h.DOMAIN_HOST}": False,
    f"user@{h.DOMAIN_HOST}": False,
    "evil.com": False,
}


@pytest.mark.parametrize("host", list(HOST_CASES))
def test_host_rule_digits_only_port_and_case_insensitive(
    server: h.ServerProcess, host: str
) -> None:
    response = h.call(server, "GET", SEARCH, host=host)
    assert response.status_code == (200 if HOST_CASES[host] else 403), (host, response.text[:200])


def test_mlflow_own_host_check_agrees_with_the_project_rule() -> None:
    """MLflow's Flask Host check alone, configured with the MLFLOW_SERVER_ALLOWED_HOSTS value
    the entrypoint derives, decides every case like tracking_hosts.host_allowed: a port is
    digits only and names compare case-insensitively in both. (Wildcard patterns such as
    *.example.org: MLflow's '*' also matches characters a host name cannot have; those the
    project's check refuses first.)"""
    patterns = (h.ALB_HOST, h.DOMAIN_HOST, "*.team.example.org", "api.internal:8443")
    cases = {
        **HOST_CASES,
        "x.team.example.org": True,
        "a.b.TEAM.example.org:443": True,
        "team.example.org": False,
        "api.internal:8443": True,
        "API.internal:8443": True,
        "api.internal": False,
        "api.internal:443": False,
        "api.internal:8443@evil.com": False,
    }
    code = textwrap.dedent(
        f"""
        import json, os, sys
        sys.path.insert(0, {str(h.CONTAINER)!r})
        import tracking_hosts
        patterns = {patterns!r}
        os.environ["MLFLOW_SERVER_ALLOWED_HOSTS"] = tracking_hosts.mlflow_allowed_hosts(patterns)
        import gunicorn  # noqa: F401 - as in a worker: MLflow installs its middleware
        from mlflow.server import app
        client = app.test_client()
        out = {{}}
        for host in {list(cases)!r}:
            status = client.get("/api/2.0/mlflow/experiments/search",
                                headers={{"Host": host}}).status_code
            out[host] = [status != 403, tracking_hosts.host_allowed(host, patterns)]
        print(json.dumps(out))
        """
    )
    out = h.run_python(h.SERVER_PYTHON, code, {"PATH": os.environ.get("PATH", "")})
    decided = json.loads(out.strip().splitlines()[-1])
    mismatches = {
        host: {"mlflow": m, "project": p, "expected": cases[host]}
        for host, (m, p) in decided.items()
        if not m == p == cases[host]
    }
    assert not mismatches, mismatches


FOREIGN_ORIGINS = [
    "http://localhost:3000",
    "http://127.0.0.1:8080",
    "http://[::1]:3000",
    "https://evil.example.com",
    f"https://{h.DOMAIN_HOST}.evil.example.com",
    f"https://{h.DOMAIN_HOST}:443@evil.example.com",
    "null",
]


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
def test_foreign_origins_get_nothing_with_credentials(server: h.ServerProcess, origin: str) -> None:
    """MLflow's built-in CORS default lets http://localhost:* and http://127.0.0.1:* in with
    credentials (and skips its own cross-origin write block for them). Deployed, only the
    allowed hosts are origins: a page elsewhere can neither write nor read with the browser's
    stored credentials."""
    create = h.call(
        server,
        "POST",
        "/api/2.0/mlflow/experiments/create",
        json={"name": unique("cors")},
        headers={"Origin": origin},
    )
    read = h.call(server, "GET", SEARCH, headers={"Origin": origin})
    preflight = h.call(
        server,
        "OPTIONS",
        "/api/2.0/mlflow/experiments/create",
        auth=None,
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    for response in (create, read, preflight):
        assert response.status_code == 403, (origin, response.request.method, response.text[:200])
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "origin", [f"https://{h.DOMAIN_HOST}", f"https://{h.ALB_HOST}", "HTTPS://MLFLOW.EXAMPLE.COM"]
)
def test_own_origins_work(server: h.ServerProcess, origin: str) -> None:
    # Browsers send Origin on same-origin POSTs too: the UI behind the domain must work.
    response = h.call(
        server,
        "POST",
        "/api/2.0/mlflow/experiments/create",
        json={"name": unique("cors")},
        headers={"Origin": origin},
    )
    assert response.status_code == 200, response.text[:300]


def test_wrong_password_costs_the_same_for_missing_and_existing_users(
    server: h.ServerProcess,
) -> None:
    """No user-name enumeration by timing: a wrong password for a user that does not exist
    takes the same work as for one that does (one user lookup and one password hash).
    Interleaved pairs on one kept-alive connection, compared by medians, so that a busy
    machine slows both sides alike."""
    import statistics
    import time

    import requests

    timings: dict[str, list[float]] = {"existing": [], "missing": []}
    with requests.Session() as session:

        def failed_login(user: str) -> float:
            started = time.perf_counter()
            response = session.get(
                server.url + SEARCH,
                auth=(user, f"wrong-{uuid.uuid4().hex}"),
                headers={"Host": h.ALB_HOST},
                timeout=60,
            )
            took = time.perf_counter() - started
            assert response.status_code == 401, response.text[:200]
            return took

        failed_login(ALICE[0]), failed_login("nobody-warm-up")
        for round_ in range(25):
            # Alternate which side goes first, so neither always follows the other.
            order = ("existing", "missing") if round_ % 2 else ("missing", "existing")
            for side in order:
                user = ALICE[0] if side == "existing" else f"nobody-{uuid.uuid4().hex[:8]}"
                timings[side].append(failed_login(user))
    existing, missing = (statistics.median(timings[s]) for s in ("existing", "missing"))
    print(
        f"wrong password, median: existing user {existing * 1000:.1f} ms, "
        f"missing user {missing * 1000:.1f} ms"
    )
    assert abs(existing - missing) <= 0.2 * max(existing, missing), (existing, missing)


def test_equal_work_check_gives_mlflow_answers() -> None:
    """serverapp's authenticate_user answers exactly as MLflow's store method (existing user with
    the right and a wrong password, a missing user, an empty name), and hashes once either way;
    checked in the image's own virtualenv on a SQLite auth store."""
    code = textwrap.dedent(
        f"""
        import os, sys, tempfile
        d = tempfile.mkdtemp()
        ini = os.path.join(d, "auth.ini")
        open(ini, "w").write("[mlflow]\\ndefault_permission = READ\\n"
                             "database_uri = sqlite:///" + d + "/auth.db\\n"
                             "admin_username = admin\\nauth_cache_ttl_seconds = 60\\n")
        os.environ["MLFLOW_AUTH_CONFIG_PATH"] = ini
        sys.path.insert(0, {str(h.CONTAINER)!r})
        import mlflow.server.auth as auth
        import werkzeug.security
        import serverapp
        auth.store.init_db(auth.auth_config.database_uri)
        auth.store.create_user("carol", "carol-Pa55word-long")
        hashes = []
        real = werkzeug.security.check_password_hash
        def counting(stored, password):
            hashes.append(stored)
            return real(stored, password)
        import mlflow.server.auth.sqlalchemy_store as store_module
        werkzeug.security.check_password_hash = store_module.check_password_hash = counting
        stock = auth.store.authenticate_user
        equal = serverapp._equal_work_authentication(auth.store)
        assert equal is not None
        cases = [("carol", "carol-Pa55word-long"), ("carol", "wrong-password-123"),
                 ("nobody", "carol-Pa55word-long"), ("", "x" * 12), ("carol ", "carol-Pa55word-long")]
        for user, password in cases:
            assert equal(user, password) == stock(user, password), (user, password)
        assert stock("carol", "carol-Pa55word-long") and not stock("nobody", "x" * 12)
        hashes.clear()
        for user, password in cases:
            equal(user, password)
        print("hashes per check", len(hashes) / len(cases))
        """
    )
    out = h.run_python(h.SERVER_PYTHON, code, {"PATH": os.environ.get("PATH", "")})
    assert out.strip().splitlines()[-1] == "hashes per check 1.0"


@pytest.mark.parametrize(
    "credentials",
    [
        ("admin ", h.ADMIN_PASSWORD),
        ("admin  ", h.ADMIN_PASSWORD),
        (" admin", h.ADMIN_PASSWORD),
        ("ADMIN", h.ADMIN_PASSWORD),
        (f"{ALICE[0]} ", ALICE[1]),
    ],
    ids=repr,
)
def test_user_names_compare_exactly(server: h.ServerProcess, credentials: tuple[str, str]) -> None:
    """`admin ` is not `admin`: MySQL's utf8mb4_bin is a PAD SPACE collation (trailing spaces
    ignored in comparisons), so the auth schema's user names use a NO PAD binary collation."""
    assert h.call(server, "GET", SEARCH, auth=credentials).status_code == 401
    assert h.call(server, "GET", SEARCH, auth=(credentials[0].strip().lower(), credentials[1])).ok


def test_user_name_column_is_no_pad(server: h.ServerProcess, mariadb: h.MariaDB) -> None:
    schema = server.env["MLFLOW_AUTH_DB_NAME"]
    rows = mariadb.sql("SELECT COUNT(*) FROM users WHERE username = 'admin '", database=schema)
    assert rows == [(0,)]
    (collation,) = mariadb.sql(
        "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s "
        "AND TABLE_NAME = 'users' AND COLUMN_NAME = 'username'",
        (schema,),
    )[0]
    assert collation in ("utf8mb4_nopad_bin", "utf8mb4_0900_bin"), collation


def test_resource_names_with_trailing_spaces_resolve_alike_in_both_stores(
    make_server: h.ServerFactory, moto: h.Moto
) -> None:
    """Experiment and registered-model names stay PAD SPACE (utf8mb4_bin) in the tracking
    store, and so do the auth store's grants on them: `rm-x ` is the model `rm-x` for both, so
    a grant on one name is the grant on the other. Checked where a mismatch would open
    something: default permission READ, an explicit DENY on the resource, the name
    requested with a trailing space."""
    bucket = f"it-{uuid.uuid4().hex[:10]}"
    moto.create_bucket(bucket)
    server = make_server(
        db_name=unique("pad"),
        auth_db_name=unique("padauth"),
        bucket=bucket,
        MLFLOW_AUTH_DEFAULT_PERMISSION="READ",
    )
    server.wait_healthy(180)
    bob = ("bob", "bob-Pa55word-%:#")
    h.create_user(server, *bob)
    h.ok(h.call(server, "POST", "/api/2.0/mlflow/registered-models/create", json={"name": "rm-x"}))
    experiment = h.create_experiment(server, "exp-x")

    def deny(resource_type: str, resource_id: str) -> None:
        h.ok(
            h.call(
                server,
                "POST",
                "/api/3.0/mlflow/users/permissions/grant",
                json={
                    "username": bob[0],
                    "resource_type": resource_type,
                    "resource_id": resource_id,
                    "permission": "DENY",
                },
            )
        )

    deny("registered_model", "rm-x")
    deny("experiment", experiment)
    for name in ("rm-x", "rm-x ", "rm-x   "):
        response = h.call(
            server, "GET", "/api/2.0/mlflow/registered-models/get", auth=bob, params={"name": name}
        )
        assert response.status_code == 403, (name, response.status_code, response.text[:200])
    for name in ("exp-x", "exp-x "):
        response = h.call(
            server,
            "GET",
            "/api/2.0/mlflow/experiments/get-by-name",
            auth=bob,
            params={"experiment_name": name},
        )
        assert response.status_code == 403, (name, response.status_code, response.text[:200])
    # The tracking store treats them as one name: creating the padded one is refused.
    again = h.call(
        server, "POST", "/api/2.0/mlflow/registered-models/create", json={"name": "rm-x "}
    )
    assert again.status_code == 400 and "RESOURCE_ALREADY_EXISTS" in again.text
    # And the admin reads the padded name as the model itself.
    got = h.ok(
        h.call(server, "GET", "/api/2.0/mlflow/registered-models/get", params={"name": "rm-x "})
    )
    assert got["registered_model"]["name"] == "rm-x"


def test_no_secret_in_any_server_process_environment(server: h.ServerProcess) -> None:
    """/proc/PID/environ shows the environment a process was exec'd with, whatever it later
    does to os.environ; the gunicorn master and every worker must show no secret there. (The
    admin password is needed only by the entrypoint's bootstrap, the database credentials and
    the Flask key only inside the workers' memory.)"""
    assert server.process is not None
    pids = h.process_group(server.process.pid)
    assert len(pids) == 1 + int(server.env["MLFLOW_WORKERS"]), pids
    secrets = {
        "MLFLOW_DB_USERNAME": h.DB_USERNAME,
        "MLFLOW_DB_PASSWORD": h.DB_PASSWORD,
        "MLFLOW_AUTH_ADMIN_PASSWORD": h.ADMIN_PASSWORD,
        "MLFLOW_FLASK_SERVER_SECRET_KEY": h.SECRET_KEY,
    }
    found = {}
    for pid in pids:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        names = {item.split(b"=", 1)[0].decode() for item in environ.split(b"\0") if item}
        leaked = sorted(set(secrets) & names) + sorted(
            name for name, value in secrets.items() if value.encode() in environ
        )
        if leaked:
            found[pid] = leaked
    assert not found, found
    # The workers still work: they authenticate users (Flask key, DB credentials in memory).
    assert h.call(server, "GET", SEARCH).status_code == 200


# --- the failed-login throttle -------------------------------------------------------------

WINDOW_S = 8
PER_USER, PER_ADDRESS = 3, 5


@pytest.fixture(scope="module")
def throttled(mariadb: h.MariaDB, moto: h.Moto, workdir: Path) -> Iterator[h.ServerProcess]:
    """Small budgets and a short window, so that the tests can exhaust and outwait them."""
    bucket = f"it-{uuid.uuid4().hex[:10]}"
    moto.create_bucket(bucket)
    env = h.server_env(
        mariadb,
        moto,
        port=h.free_port(),
        bucket=bucket,
        db_name=unique("thr"),
        auth_db_name=unique("thrauth"),
        MLFLOW_AUTH_LOGIN_WINDOW_SECONDS=str(WINDOW_S),
        MLFLOW_AUTH_MAX_FAILURES_PER_USER=str(PER_USER),
        MLFLOW_AUTH_MAX_FAILURES_PER_ADDRESS=str(PER_ADDRESS),
    )
    with h.serving(env, workdir / "logs" / f"{unique('throttled')}.log") as process:
        yield process


def _address() -> str:
    """A fresh client address, as the load balancer would append it to X-Forwarded-For."""
    return f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def _login(
    server: h.ServerProcess, user: str, password: str, address: str, session: Any = None
) -> Any:
    headers = {"Host": h.ALB_HOST, "X-Forwarded-For": f"10.9.9.9, {address}"}
    sender = session or requests
    return sender.get(server.url + SEARCH, auth=(user, password), headers=headers, timeout=60)


def _fresh_user(server: h.ServerProcess) -> tuple[str, str]:
    user = (f"u-{uuid.uuid4().hex[:8]}", f"pw-{uuid.uuid4().hex}")
    h.create_user(server, *user)
    return user


def test_user_name_over_budget_gets_429_without_hashing(throttled: h.ServerProcess) -> None:
    """PER_USER failed logins for one name (each from another address), then every attempt
    for that name gets 429 with Retry-After, even with the right password and from a new
    address, and is answered without hashing (much faster than a failed login)."""
    user = _fresh_user(throttled)
    failed = []
    for _ in range(PER_USER):
        started = time.perf_counter()
        assert _login(throttled, user[0], "wrong-password-123", _address()).status_code == 401
        failed.append(time.perf_counter() - started)
    refused = []
    for password in ("wrong-password-123", user[1]):
        started = time.perf_counter()
        response = _login(throttled, user[0], password, _address())
        refused.append(time.perf_counter() - started)
        assert response.status_code == 429, response.text[:200]
        retry_after = int(response.headers["Retry-After"])
        assert 1 <= retry_after <= WINDOW_S
    print(
        f"failed login {statistics.median(failed) * 1000:.1f} ms (median), "
        f"429 answers {', '.join(f'{t * 1000:.1f}' for t in refused)} ms"
    )
    assert max(refused) < 0.5 * statistics.median(failed), (refused, failed)
    # Other users are not affected, from any address.
    other = _fresh_user(throttled)
    assert _login(throttled, *other, _address()).status_code == 200


def test_client_address_over_budget_gets_429(throttled: h.ServerProcess) -> None:
    """PER_ADDRESS failed logins from one address (each for another name), then that address
    gets 429 for any name, while the same user from another address logs in."""
    address = _address()
    for _ in range(PER_ADDRESS):
        name = f"nobody-{uuid.uuid4().hex[:8]}"
        assert _login(throttled, name, "wrong-password-123", address).status_code == 401
    user = _fresh_user(throttled)
    response = _login(throttled, *user, address)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert _login(throttled, *user, _address()).status_code == 200
    # Only the ALB's entry counts: an address the client puts before it changes nothing.
    # (A wrong password: the right one now bypasses the throttle on the worker that saw it.)
    spoofed = requests.get(
        throttled.url + SEARCH,
        auth=(user[0], "wrong-password-123"),
        headers={"Host": h.ALB_HOST, "X-Forwarded-For": f"{_address()}, {address}"},
        timeout=60,
    )
    assert spoofed.status_code == 429


def test_budget_refills_and_the_window_expires(throttled: h.ServerProcess) -> None:
    user = _fresh_user(throttled)
    for _ in range(PER_USER):
        assert _login(throttled, user[0], "wrong-password-123", _address()).status_code == 401
    response = _login(throttled, *user, _address())
    assert response.status_code == 429
    # After Retry-After seconds one more attempt is allowed (the budget refills evenly).
    time.sleep(int(response.headers["Retry-After"]) + 0.2)
    assert _login(throttled, *user, _address()).status_code == 200
    # A whole window without failures restores the whole budget. (The last attempt is a
    # wrong password: the right one now bypasses the throttle on the worker that saw it
    # succeed, test_a_flood_on_a_name_spares_that_users_running_session.)
    time.sleep(WINDOW_S + 0.5)
    for _ in range(PER_USER):
        assert _login(throttled, user[0], "wrong-password-123", _address()).status_code == 401
    assert _login(throttled, user[0], "wrong-password-123", _address()).status_code == 429


def test_a_flood_on_a_name_spares_that_users_running_session(throttled: h.ServerProcess) -> None:
    """Credentials that succeeded on a connection keep working while their user name is
    throttled by someone else's failures (no hash needed: MLflow's credential cache)."""
    user = _fresh_user(throttled)
    with requests.Session() as session:
        assert _login(throttled, *user, _address(), session=session).status_code == 200
        for _ in range(PER_USER + 2):
            _login(throttled, user[0], f"wrong-{uuid.uuid4().hex}", _address())
        assert _login(throttled, user[0], "wrong-password-123", _address()).status_code == 429
        assert _login(throttled, *user, _address(), session=session).status_code == 200


def test_concurrent_password_checks_are_bounded(make_server: h.ServerFactory, moto: h.Moto) -> None:
    """One hash at a time in the task and no waiting for a slot: of concurrent failing logins
    (within budget) some are told to retry (429, Retry-After: 1), none fails otherwise."""
    bucket = f"it-{uuid.uuid4().hex[:10]}"
    moto.create_bucket(bucket)
    server = make_server(
        db_name=unique("slots"),
        auth_db_name=unique("slotsauth"),
        bucket=bucket,
        MLFLOW_AUTH_MAX_CONCURRENT_HASHES="1",
        MLFLOW_AUTH_HASH_WAIT_MS="0",
    )
    server.wait_healthy(180)
    statuses: list[tuple[int, str | None]] = []

    def client() -> None:
        with requests.Session() as session:
            for _ in range(3):
                response = _login(
                    server, f"n-{uuid.uuid4().hex[:8]}", "wrong-password-123", _address(), session
                )
                statuses.append((response.status_code, response.headers.get("Retry-After")))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(statuses) == 24
    assert {status for status, _ in statuses} <= {401, 429}, statuses
    assert (429, "1") in statuses, statuses
    assert (401, None) in statuses, statuses
