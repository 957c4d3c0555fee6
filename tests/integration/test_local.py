"""`make local` end to end: started as a user starts it (`make local` in a subprocess), driven
through its state file with the real MLflow client and a real browser (headless Chromium from
Debian's packages, driven by Playwright), then stopped by `make local-stop`, by Ctrl-C and after
its runner was killed; each time nothing of it may be left (no process, port or directory).

The browser test saves a screenshot; with LOCAL_UI_SCREENSHOT=PATH (`make local-screenshot`)
it also writes it to PATH, stamped with the MLflow version the page showed (tests/test_readme.py
checks the committed one against the pinned version).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import stat
import struct
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import harness as h
import local
import pytest

CHROMIUM = Path("/usr/bin/chromium")
# What the machines here need (docs of this workplace): without the background-networking
# flags Chromium keeps trying hosts this closed network refuses.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_SECONDS = 300
STOP_SECONDS = 120
PNG_KEYWORD = "mlflow-on-aws"


@dataclass
class LocalRun:
    """One `make local` subprocess and what it wrote."""

    directory: Path
    process: subprocess.Popen[bytes]
    output_path: Path
    state: dict[str, Any]

    def output(self) -> str:
        return self.output_path.read_text(errors="replace")

    @property
    def port(self) -> int:
        return int(self.state["url"].rsplit(":", 1)[1])

    @property
    def s3_port(self) -> int:
        return int(self.state["s3_endpoint_url"].rsplit(":", 1)[1])

    def password(self) -> str:
        return Path(self.state["admin_password_file"]).read_text().strip()


def _make_env() -> dict[str, str]:
    # The outer `make test`'s variables must not leak into the inner make (a PORT in the
    # environment would fix the port).
    drop = {"PORT", "DB_PORT", "S3_PORT", "LOCAL_DIR", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def start_local(directory: Path, log: Path, *make_vars: str, until: str = "running") -> LocalRun:
    """`make local LOCAL_DIR=directory ...` in its own process group (as a shell runs a
    foreground job); returns once state.json says it is running (or, with until="server", once
    the server process has started: mid start-up)."""
    out = open(log, "wb")  # noqa: SIM115 - owned by the process
    process = subprocess.Popen(
        ["make", "--no-print-directory", "local", f"LOCAL_DIR={directory}", *make_vars],
        cwd=h.ROOT,
        env=_make_env(),
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    out.close()
    state_file = directory / local.STATE_FILE

    def running() -> bool:
        if process.poll() is not None:
            raise h.StandInError(f"make local exited with {process.returncode}")
        state = json.loads(state_file.read_text())
        if until == "server":
            return "server" in state["pids"] and state["status"] == "starting"
        return bool(state["status"] == "running")

    try:
        h.wait_until(running, START_SECONDS, "make local", lambda: h.tail(log))
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(STOP_SECONDS)
        raise
    return LocalRun(directory, process, log, json.loads(state_file.read_text()))


def make_local_stop(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "local-stop", f"LOCAL_DIR={directory}"],
        cwd=h.ROOT,
        env=_make_env(),
        capture_output=True,
        text=True,
        timeout=STOP_SECONDS + 30,
    )


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that contain `text`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline and local.alive(int(entry), local.start_ticks(int(entry))):
            found.append(f"{entry}: {cmdline[:200]}")
    return found


def leftovers(run: LocalRun) -> list[str]:
    """Everything of the run that is still there: processes (by recorded PID and start time,
    by the run's environment marker, by command line), open ports, directories and files."""
    state = run.state
    left: list[str] = []
    for name, pid in state["pids"].items():
        if local.alive(pid, state["pid_start_ticks"].get(name)):
            left.append(f"{name} (pid {pid}) is still running")
    left += [f"pid {p} carries the run's marker" for p in local.marked_processes(state["run_id"])]
    needles = [state["runtime_dir"]]
    if state["status"] == "running":  # the ports are in the state from then on
        needles.append(f"moto_server -H 127.0.0.1 -p {run.s3_port}")
        for what, port in (
            ("server", run.port),
            ("MariaDB", state["database"]["port"]),
            ("moto", run.s3_port),
        ):
            if port_open(port):
                left.append(f"the {what}'s port {port} still accepts connections")
        # The entrypoint writes its auth INI into a mkdtemp directory and execs gunicorn, so
        # nothing removes it: it must have gone to the run's TMPDIR, not the system's.
        db_uri = f"127.0.0.1:{state['database']['port']}/{local.AUTH_DB_NAME}"
        for ini in Path(tempfile.gettempdir()).glob("mlflow-auth-*/basic_auth.ini"):
            with contextlib.suppress(OSError):
                if db_uri in ini.read_text():
                    left.append(f"{ini} (this run's auth config) is left in the system temp dir")
    for needle in needles:
        left += [f"process mentions {needle}: {p}" for p in processes_mentioning(needle)]
    for path in (
        Path(state["runtime_dir"]),
        run.directory / local.STATE_FILE,
        run.directory / local.PASSWORD_FILE,
    ):
        if path.exists():
            left.append(f"{path} still exists")
    return left


def wait_exit(process: subprocess.Popen[bytes], timeout: float = STOP_SECONDS) -> int:
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        raise AssertionError(f"make local did not exit within {timeout} s") from None


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRun]:
    base = tmp_path_factory.mktemp("local")
    run = start_local(base / "state", base / "make-local.log")
    try:
        yield run
    finally:
        if run.process.poll() is None:
            make_local_stop(run.directory)
            with contextlib.suppress(AssertionError):
                wait_exit(run.process)


@dataclass(frozen=True)
class Logged:
    experiment_name: str
    experiment_id: str
    run_name: str
    run_id: str


@pytest.fixture(scope="module")
def logged(first: LocalRun) -> Iterator[Logged]:
    """An experiment and a run made with the real MLflow client, credentials from the state."""
    from mlflow.tracking import MlflowClient

    env = {
        "MLFLOW_TRACKING_USERNAME": first.state["admin_username"],
        "MLFLOW_TRACKING_PASSWORD": first.password(),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client = MlflowClient(tracking_uri=first.state["url"])
        name = "try-mlflow-locally"  # every run of make local starts empty
        experiment_id = client.create_experiment(name)
        run = client.create_run(experiment_id, run_name="first-run")
        client.log_param(run.info.run_id, "learning_rate", "0.01")
        for step, value in enumerate((0.9, 0.6, 0.42)):
            client.log_metric(run.info.run_id, "rmse", value, step=step)
        client.log_text(run.info.run_id, "hello from make local\n", "notes/hello.txt")
        client.set_terminated(run.info.run_id)
        yield Logged(name, experiment_id, "first-run", run.info.run_id)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_state_file_and_what_make_local_prints(first: LocalRun) -> None:
    state = first.state
    for key in (
        "url",
        "admin_username",
        "admin_password_file",
        "allowed_hosts",
        "bucket",
        "s3_endpoint_url",
        "pids",
    ):
        assert state.get(key), key
    assert set(state["pids"]) == {"runner", "mariadbd", "moto_server", "server"}
    assert re.fullmatch(r"http://localhost:\d+", state["url"])
    assert state["allowed_hosts"] == [f"localhost:{first.port}", f"127.0.0.1:{first.port}"]
    output = first.output()
    assert f"URL        {state['url']}/" in output
    assert f"user       {state['admin_username']}" in output
    assert f"password   in {state['admin_password_file']} (mode 0600)" in output

    password_file = Path(state["admin_password_file"])
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = first.password()
    assert len(password) >= 24
    # Never printed, never in the state, never in a log of the run.
    assert password not in output
    assert password not in json.dumps(state)
    for log in state["logs"].values():
        assert password not in Path(log).read_text(errors="replace"), log


def test_it_is_the_production_configuration(first: LocalRun) -> None:
    state = first.state
    server_log = Path(state["logs"]["server"]).read_text()
    # TLS to MariaDB, verified against the local CA (MLFLOW_DB_CA_BUNDLE), and negotiated.
    assert "TLS verified" in server_log
    assert re.search(r"database 127\.0\.0\.1:\d+ is up \(.*TLS_AES", server_log)
    root = h.MariaDB(Path(state["runtime_dir"]) / "db")  # to read only: root over the socket
    assert root.sql("SELECT @@require_secure_transport")[0][0] == 1
    assert root.sql("SELECT ssl_type FROM mysql.user WHERE user = %s", (h.DB_USERNAME,)) == [
        ("ANY",)
    ]
    # Basic auth, the Host check with exactly the printed name (and 127.0.0.1) at this port.
    server = h.ServerProcess({"MLFLOW_PORT": str(first.port)}, Path(state["logs"]["server"]))
    path = "/api/2.0/mlflow/experiments/search?max_results=1"
    admin = (state["admin_username"], first.password())
    for host in state["allowed_hosts"]:
        assert h.call(server, "GET", path, auth=admin, host=host).status_code == 200, host
        assert h.call(server, "GET", path, auth=None, host=host).status_code == 401, host
        assert h.call(server, "GET", path, auth=(admin[0], "wrong"), host=host).status_code == 401
    for host in ("evil.example.com", f"localhost:{first.port + 1}", "localhost.evil.example.com"):
        assert h.call(server, "GET", path, auth=admin, host=host).status_code == 403, host
    # Listening on loopback only (the one deliberate difference from the task: GUNICORN_CMD_ARGS).
    listening = {
        line.split()[1]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[3] == "0A"  # TCP_LISTEN
    }
    assert f"0100007F:{first.port:04X}" in listening
    assert f"00000000:{first.port:04X}" not in listening


def test_mlflow_client_round_trip_with_proxied_artifacts(
    first: LocalRun, logged: Logged, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", first.state["admin_username"])
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", first.password())
    client = MlflowClient(tracking_uri=first.state["url"])
    run = client.get_run(logged.run_id)
    assert run.info.experiment_id == logged.experiment_id
    assert run.info.run_name == logged.run_name and run.info.status == "FINISHED"
    assert run.data.params == {"learning_rate": "0.01"}
    history = client.get_metric_history(logged.run_id, "rmse")
    assert [m.value for m in history] == [0.9, 0.6, 0.42]
    assert run.info.artifact_uri.startswith("mlflow-artifacts:/"), run.info.artifact_uri
    assert [a.path for a in client.list_artifacts(logged.run_id, "notes")] == ["notes/hello.txt"]
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "not-the-password")
    with pytest.raises(Exception, match="401"):
        client.get_run(logged.run_id)
    # The artifact went through the server into the bucket the state names.
    s3 = boto3.client(
        "s3",
        endpoint_url=first.state["s3_endpoint_url"],
        region_name=h.REGION,
        **{k.lower(): v for k, v in h.FAKE_AWS.items()},
    )
    keys = [
        o["Key"]
        for o in s3.list_objects_v2(Bucket=first.state["bucket"]).get("Contents", [])
        if o["Key"].endswith("/notes/hello.txt")
    ]
    assert len(keys) == 1 and logged.run_id in keys[0], keys
    body = s3.get_object(Bucket=first.state["bucket"], Key=keys[0])["Body"].read()
    assert body == b"hello from make local\n"


def _png_with_text(png: bytes, keyword: str, text: str) -> bytes:
    """The PNG with a tEXt chunk (keyword, text) after IHDR (PNG spec, section 11.3.4.3)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    ihdr_end = 8 + 4 + 4 + struct.unpack(">I", png[8:12])[0] + 4
    data = keyword.encode("latin-1") + b"\0" + text.encode("latin-1")
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    return png[:ihdr_end] + chunk + png[ihdr_end:]


def browser(pw: Any, profile: Path, *flags: str, **options: Any) -> Any:
    """Headless Chromium from Debian's packages with a fresh --user-data-dir (`profile`)."""
    options.setdefault("viewport", {"width": 1280, "height": 640})
    return pw.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        chromium_sandbox=False,
        args=[*CHROMIUM_FLAGS, *flags],
        **options,
    )


def stamped(png: bytes, target: str, shows: str, test: str) -> None:
    """Write the screenshot to `target`, stamped with the MLflow version the page showed."""
    stamp = json.dumps(
        {"mlflow": pinned_mlflow_version(), "shows": shows, "test": test}, sort_keys=True
    )
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_bytes(_png_with_text(png, PNG_KEYWORD, stamp))


def test_browser_logs_in_and_sees_the_experiment_and_run(
    first: LocalRun, logged: Logged, tmp_path: Path
) -> None:
    """MLflow 3.17's basic-auth app has no login page: every path but /health answers an HTTP
    Basic challenge (401, `WWW-Authenticate: Basic realm="mlflow"`), and a user logs in through
    the browser's own credentials dialog. Headless Chromium has no dialog; Playwright's
    http_credentials answers the same challenge through the DevTools protocol (Fetch.authRequired
    -> continueWithAuth), only after the server asked, and Chromium then keeps the credentials
    for the origin as it does after the dialog."""
    from playwright.sync_api import Response, expect, sync_playwright

    assert CHROMIUM.exists(), "chromium missing: run `make integration-deps`"
    url = first.state["url"]
    expected_mlflow = pinned_mlflow_version()
    with sync_playwright() as pw:

        def launch(profile: str, **options: Any) -> Any:
            return browser(
                pw, tmp_path / profile, "--host-resolver-rules=MAP evil.test 127.0.0.1", **options
            )

        # No credentials: challenged, and the browser cannot get in.
        anonymous = launch("anonymous")
        seen: list[Response] = []
        page = anonymous.new_page()
        page.on("response", lambda r: seen.append(r))
        with pytest.raises(Exception, match="ERR_INVALID_AUTH_CREDENTIALS"):
            page.goto(url + "/")
        assert [(r.status, r.headers.get("www-authenticate")) for r in seen] == [
            (401, 'Basic realm="mlflow"')
        ]
        # A Host the server does not know (a name that resolves to it): refused before auth.
        page = anonymous.new_page()
        response = page.goto(f"http://evil.test:{first.port}/")
        assert response is not None and response.status == 403
        expect(page.locator("body")).to_contain_text("Invalid Host header")
        anonymous.close()

        # A wrong password: challenged again, MLflow's 401 page.
        wrong = launch("wrong", http_credentials={"username": "admin", "password": "not-it-123"})
        page = wrong.new_page()
        response = page.goto(url + "/")
        assert response is not None and response.status == 401
        expect(page.locator("body")).to_contain_text("You are not authenticated")
        wrong.close()

        # The admin from the state file, as a user would: open the URL, switch the sidebar to
        # "Model training", open the experiment, see the run, open it.
        user = launch(
            "user",
            http_credentials={
                "username": first.state["admin_username"],
                "password": first.password(),
            },
        )
        page = user.new_page()
        page.set_default_timeout(60_000)  # 2 shared cores: the first page load can be slow
        failures: list[str] = []
        foreign: list[str] = []
        page.on(
            "request",
            lambda r: (
                None if r.url.startswith((url + "/", "data:", "blob:")) else foreign.append(r.url)
            ),
        )
        page.on(
            "response",
            lambda r: (
                failures.append(f"{r.status} {r.request.method} {r.url}")
                if r.status == 401 or r.status == 403 or r.status >= 500
                else None
            ),
        )
        response = page.goto(url + "/")
        assert response is not None and response.status == 200
        version = page.get_by_text(re.compile(r"^\d+\.\d+\.\d+$")).first
        expect(version).to_have_text(expected_mlflow)
        page.get_by_text("Model training", exact=True).click()
        page.get_by_text(logged.experiment_name, exact=True).first.click()
        page.wait_for_url(re.compile(rf"#/experiments/{logged.experiment_id}/runs"))
        expect(page.get_by_role("link", name=logged.run_name)).to_be_visible(timeout=30_000)
        expect(page.get_by_text(re.compile(r"^1 matching runs?$"))).to_be_visible()
        with contextlib.suppress(Exception):
            # MLflow opens its assistant panel on a first visit: close it, as a user would.
            page.get_by_role("button", name="Close", exact=True).click(timeout=3000)
        expect(page.get_by_text(logged.experiment_name).first).to_be_visible()
        screenshot = tmp_path / "local-ui.png"
        page.screenshot(path=str(screenshot))

        page.get_by_role("link", name=logged.run_name).click()
        page.wait_for_url(re.compile(rf"/runs/{logged.run_id}"))
        body = page.locator("body")
        expect(body).to_contain_text(logged.run_id, timeout=30_000)
        expect(body).to_contain_text("rmse")
        expect(body).to_contain_text("0.42")
        expect(body).to_contain_text("learning_rate")
        expect(body).to_contain_text("Finished")
        user.close()
    # The UI's own API calls (GETs and the POSTs with the browser's Origin) were all allowed,
    # and it needed nothing from anywhere but this server.
    assert not failures, failures
    assert not foreign, foreign

    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    target = os.environ.get("LOCAL_UI_SCREENSHOT")
    if target:
        stamped(
            png,
            target,
            "the runs page of the experiment the test created",
            "tests/integration/test_local.py::test_browser_logs_in_and_sees_the_experiment_and_run",
        )


TIERING = h.TIERING
#: (run name, instance_type, num_workers, hours, ended days ago, with a model) and its
#: compute cost by hand from the catalog's us-east-1 EC2 Linux on-demand figures
#: (g5.xlarge 1.006 USD/h, g5.12xlarge 5.672 USD/h, m5.large 0.096 USD/h).
COST_RUNS = [
    ("unet-baseline", "g5.xlarge", None, 3.0, 20, True, "3.018000"),  # 1.006 x 3
    ("unet-4gpu", "g5.12xlarge", None, 5.5, 12, True, "31.196000"),  # 5.672 x 5.5
    ("unet-ddp", "g5.xlarge", "4", 2.0, 6, True, "8.048000"),  # 4 x 1.006 x 2
    ("eval-cpu", "m5.large", None, 0.5, 2, False, "0.048000"),  # 0.096 x 0.5
    ("notes-only", None, None, 0.2, 1, False, None),  # no instance: unpriced, says why
]
WEIGHTS = 400_000
#: Columns toggled in the runs table: three default attributes off (room), the rest on.
COST_COLUMNS = (
    "Dataset",
    "Source",
    "Models",
    "instance_type",
    "num_workers",
    "cost.compute_usd",
    "cost.storage_usd_month",
    "cost.unpriced",
)


def test_browser_shows_the_run_costs_in_the_runs_table(first: LocalRun, tmp_path: Path) -> None:
    """`python -m cost runs` against `make local`, then the experiment's runs table in the
    browser with the instance params and the cost.* tags added as columns, as a user adds
    them (Columns, search, tick). With RUN_COSTS_SCREENSHOT=PATH (`make local-screenshot`)
    the screenshot is written to PATH for the README."""
    from mlflow.tracking import MlflowClient
    from playwright.sync_api import expect, sync_playwright

    url = first.state["url"]
    admin = {
        "MLFLOW_TRACKING_USERNAME": first.state["admin_username"],
        "MLFLOW_TRACKING_PASSWORD": first.password(),
    }
    saved = dict(os.environ)
    os.environ.update(admin)
    weights = tmp_path / "weights.bin"
    weights.write_bytes(os.urandom(WEIGHTS))
    try:
        client = MlflowClient(tracking_uri=url)
        name = "vision-segmentation"
        experiment_id = client.create_experiment(
            name, tags={"team": "vision", "project": "segmentation"}
        )
        now = int(time.time() * 1000)
        for run_name, instance, workers, hours, days_ago, model, _ in COST_RUNS:
            end = now - days_ago * 86_400_000
            run = client.create_run(
                experiment_id, start_time=end - int(hours * 3_600_000), run_name=run_name
            )
            if instance:
                client.log_param(run.info.run_id, "instance_type", instance)
            if workers:
                client.log_param(run.info.run_id, "num_workers", workers)
            if model:
                client.log_artifact(run.info.run_id, str(weights), "model")
            client.set_terminated(run.info.run_id, end_time=end)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    priced = subprocess.run(
        [
            *(str(h.CLIENT_BIN / "python"), "-m", "cost", "runs", "--no-progress"),
            *("--tracking-uri", url, "--experiment", name, "--bucket-properties", TIERING),
        ],
        cwd=h.ROOT,
        env={**env, **admin},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert priced.returncode == 0, priced.stderr
    assert "priced 4 of 5 runs: compute 42.31 USD" in priced.stderr  # 3.018+31.196+8.048+0.048

    with sync_playwright() as pw:
        user = browser(
            pw,
            tmp_path / "profile",
            viewport={"width": 1600, "height": 620},
            http_credentials={
                "username": first.state["admin_username"],
                "password": first.password(),
            },
        )
        page = user.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}/#/experiments/{experiment_id}/runs")
        expect(page.get_by_role("link", name="unet-baseline")).to_be_visible(timeout=60_000)
        with contextlib.suppress(Exception):
            page.get_by_role("button", name="Close", exact=True).click(timeout=3000)
        page.get_by_role("button", name="Columns", exact=True).click()
        search = page.get_by_placeholder("Search columns")
        for column in COST_COLUMNS:
            search.fill(column)
            title = re.compile("^" + re.escape(column) + "$")
            page.locator(".du-bois-light-tree-title", has_text=title).last.click()
        page.keyboard.press("Escape")
        grid = page.locator(".ag-center-cols-container")
        for run_name, _, _, _, _, _, compute in COST_RUNS:
            row = page.locator(".ag-row", has_text=run_name).first
            expect(row).to_be_visible()
            if compute:
                expect(grid).to_contain_text(compute)
        # The model's weights (tiered: Frequent Access, monitored) in every GPU run's row.
        storage = f"{WEIGHTS / 1024**3 * 0.023 + 0.0000025:.6f}"
        expect(grid).to_contain_text(storage)
        expect(grid).to_contain_text("no instanc")
        page.mouse.move(5, 600)  # no hover highlight in the picture
        page.wait_for_timeout(500)
        screenshot = tmp_path / "run-costs.png"
        page.screenshot(path=str(screenshot))
        user.close()
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    target = os.environ.get("RUN_COSTS_SCREENSHOT")
    if target:
        stamped(
            png,
            target,
            "an experiment's runs table with the cost.* tags `python -m cost runs` wrote",
            "tests/integration/test_local.py::test_browser_shows_the_run_costs_in_the_runs_table",
        )


def pinned_mlflow_version() -> str:
    text = (h.CONTAINER / "requirements.txt").read_text()
    match = re.search(r"^mlflow(?:\[[^\]]*\])?==(\S+)", text, flags=re.MULTILINE)
    assert match, "no mlflow pin in container/requirements.txt"
    return match.group(1)


def test_a_second_make_local_is_refused_while_one_runs(first: LocalRun) -> None:
    result = subprocess.run(
        [str(h.CLIENT_BIN / "python"), str(Path(local.__file__)), "run", "--dir", first.directory],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == local.EXIT_ALREADY_RUNNING, result.stderr
    assert "already running" in result.stderr and first.state["url"] in result.stderr
    # It touched nothing: the same run, still serving.
    assert json.loads((first.directory / local.STATE_FILE).read_text()) == first.state
    assert port_open(first.port)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "abc"], "PORT='abc' is not a port number; allowed: 1-65535"),
        (["--db-port", "70000"], "DB_PORT='70000' is not a port number"),
        (["--s3-port", "-1"], "S3_PORT='-1' is not a port number"),
    ],
)
def test_bad_ports_are_refused_clearly(args: list[str], message: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(h.CLIENT_BIN / "python"), local.__file__, "run", "--dir", str(tmp_path / "s"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == local.EXIT_BAD_INPUT
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "s").exists()


def test_a_port_in_use_is_refused(first: LocalRun, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(h.CLIENT_BIN / "python"),
            local.__file__,
            "run",
            "--dir",
            str(tmp_path / "s"),
            "--port",
            str(first.port),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == local.EXIT_BAD_INPUT
    assert f"PORT={first.port}: port {first.port} on 127.0.0.1 is in use" in result.stderr


def test_make_local_stop_leaves_nothing_behind(first: LocalRun) -> None:
    assert first.process.poll() is None, "make local is still running before the stop"
    assert leftovers(first) != [], "the check must see the running stack"
    started = time.monotonic()
    result = make_local_stop(first.directory)
    assert result.returncode == 0, result.stdout + result.stderr
    assert wait_exit(first.process) == 0, first.output()[-3000:]
    took = time.monotonic() - started
    assert leftovers(first) == []
    assert not first.directory.exists()  # the state directory was created by make local
    assert "no process of this run is left" in result.stdout
    assert "make local: stopped: no process of this run is left" in first.output()
    print(f"make local-stop: everything gone in {took:.1f} s")


def test_ctrl_c_with_fixed_ports_a_second_run_starts_empty(first: LocalRun, tmp_path: Path) -> None:
    """Ctrl-C in the terminal: SIGINT to the foreground process group (make and the runner).
    In the directory the first run used: nothing of it was kept."""
    if first.process.poll() is None:  # run alone (-k): the first run is stopped here
        make_local_stop(first.directory)
        wait_exit(first.process)
    ports = [h.free_port() for _ in range(3)]
    run = start_local(
        first.directory,
        tmp_path / "make-local.log",
        f"PORT={ports[0]}",
        f"DB_PORT={ports[1]}",
        f"S3_PORT={ports[2]}",
    )
    try:
        assert run.state["url"] == f"http://localhost:{ports[0]}"
        assert run.state["database"]["port"] == ports[1]
        assert run.state["s3_endpoint_url"] == f"http://127.0.0.1:{ports[2]}"
        server = h.ServerProcess({"MLFLOW_PORT": str(run.port)}, tmp_path / "unused.log")
        admin = (run.state["admin_username"], run.password())
        experiments = h.ok(
            h.call(
                server,
                "GET",
                "/api/2.0/mlflow/experiments/search?max_results=100",
                auth=admin,
                host=f"localhost:{run.port}",
            )
        )["experiments"]
        assert [e["name"] for e in experiments] == ["Default"], experiments
    finally:
        os.killpg(run.process.pid, signal.SIGINT)
        wait_exit(run.process)
    assert leftovers(run) == []
    assert "make local: SIGINT, stopping" in run.output()
    assert "make local: stopped: no process of this run is left" in run.output()


def test_local_stop_cleans_up_after_a_killed_runner(tmp_path: Path) -> None:
    """The runner killed with SIGKILL mid start-up (nothing of it runs its clean-up): its parts
    live on in their own sessions, and `make local-stop` finds them by the run's marker."""
    run = start_local(tmp_path / "state", tmp_path / "make-local.log", until="server")
    os.kill(run.state["pids"]["runner"], signal.SIGKILL)
    wait_exit(run.process)
    orphans = [name for name in run.state["pids"] if name != "runner"]
    assert orphans == ["mariadbd", "moto_server", "server"]
    assert all(local.alive(run.state["pids"][n], run.state["pid_start_ticks"][n]) for n in orphans)
    result = make_local_stop(run.directory)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "killed leftover processes" in result.stdout
    assert leftovers(run) == []
    assert not run.directory.exists()


def test_ctrl_c_during_start_up_leaves_nothing_behind(tmp_path: Path) -> None:
    """Interrupted while the entrypoint migrates (or gunicorn boots): everything goes too."""
    run = start_local(tmp_path / "state", tmp_path / "make-local.log", until="server")
    assert leftovers(run) != [], "the check must see the starting stack"
    os.killpg(run.process.pid, signal.SIGINT)
    wait_exit(run.process)
    assert leftovers(run) == []
    assert "make local: stopped: no process of this run is left" in run.output()


def test_a_part_that_dies_stops_the_rest(tmp_path: Path) -> None:
    """The S3 stand-in killed under a running stack: the runner says which part died, shows its
    log, exits 3 (make then fails) and stops and removes everything else."""
    run = start_local(tmp_path / "state", tmp_path / "make-local.log")
    os.kill(run.state["pids"]["moto_server"], signal.SIGKILL)
    assert wait_exit(run.process) != 0
    assert leftovers(run) == []
    output = run.output()
    assert "make local: moto_server exited with -9" in output
    assert "make local: stopped: no process of this run is left" in output
