"""Can an API Gateway HTTP API carry MLflow's traffic? The production server (entrypoint.py,
MariaDB, moto) behind entry_proxy.EntryProxy with API Gateway's real limits (10 MiB request
and response payloads, 30 s integration timeout), driven by the real MLflow client and by the
UI's own requests. Each test asserts what the proxy passed and what it refused, so a change in
MLflow's paths (or in the limits) fails here; docs/entry-point.md explains the figures.

The client runs in this process (mlflow-skinny from .venv, the same release as the server),
with the tracking URI pointing at the proxy and nothing else: no AWS credentials, so artifacts
either go through the entry point or through URLs the server presigns.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import entry_proxy as ep
import harness as h
import pytest
import requests
from harness import unique

MIB = 1024 * 1024
BIG_BYTES = 100 * MIB
#: Runs in the experiment the search test reads, each with PARAMS params, METRICS metrics
#: and TAGS tags (a training run's usual shape; MLflow's own system tags come on top).
RUNS, PARAMS, METRICS, TAGS = 3000, 20, 8, 5
#: The MLflow client's page sizes: MlflowClient.search_runs' default (SEARCH_MAX_RESULTS_DEFAULT)
#: and the page mlflow.search_runs asks for (NUM_RUNS_PER_PAGE_PANDAS).
CLIENT_PAGE, PANDAS_PAGE = 1000, 10000
ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/"


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    return {
        "db_name": unique("entry"),
        "auth_db_name": unique("entryauth"),
        "bucket": f"it-{uuid.uuid4().hex[:10]}",
    }


@pytest.fixture(scope="module")
def server(
    mariadb: h.MariaDB, moto: h.Moto, workdir: Path, names: dict[str, str]
) -> Iterator[h.ServerProcess]:
    moto.create_bucket(names["bucket"])
    env = h.server_env(
        mariadb,
        moto,
        bucket=names["bucket"],
        db_name=names["db_name"],
        auth_db_name=names["auth_db_name"],
        port=h.free_port(),
    )
    with h.serving(env, workdir / "logs" / f"{unique('entry')}.log") as process:
        yield process


@pytest.fixture(scope="module")
def proxy(server: h.ServerProcess) -> Iterator[ep.EntryProxy]:
    """API Gateway HTTP API's real limits."""
    with ep.EntryProxy(server.port, ep.Limits(), keep_body_bytes=1 * MIB) as gateway:
        assert gateway.limits == ep.Limits(10 * MIB, 10 * MIB, 30.0)
        yield gateway


@contextlib.contextmanager
def client(server: h.ServerProcess, gateway: ep.EntryProxy, **settings: str) -> Iterator[Any]:
    """A fresh MLflow client as admin, with the proxy as its tracking URI and the given MLflow
    settings. MLflow's process-wide caches (artifact repositories by run, /server-info answers
    for 60 s) are emptied on the way in and out, so each use behaves like a new process."""
    from mlflow.tracking import MlflowClient
    from mlflow.tracking._tracking_service import utils
    from mlflow.utils import server_info

    def forget() -> None:
        utils._artifact_repos_cache.clear()
        with server_info._SERVER_INFO_CACHE_LOCK:
            server_info._SERVER_INFO_CACHE.clear()

    saved = dict(os.environ)
    os.environ.update(h.client_env(server))
    os.environ.update(
        MLFLOW_TRACKING_URI=gateway.url,
        MLFLOW_DISABLE_TELEMETRY="true",
        MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR="false",
        **settings,
    )
    forget()
    try:
        yield MlflowClient(gateway.url)
    finally:
        forget()
        os.environ.clear()
        os.environ.update(saved)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MIB), b""):
            digest.update(chunk)
    return digest.hexdigest()


def headers_fit(exchanges: list[ep.Exchange]) -> None:
    """API Gateway's other request quota: request line and header values <= 10240 bytes."""
    assert exchanges, "nothing went through the proxy"
    assert max(e.header_bytes for e in exchanges) < 10240


def show(title: str, exchanges: list[ep.Exchange]) -> None:
    print(f"\n{title}:")
    for e in exchanges:
        print(
            f"  {e.method} {e.path[:90]} -> {e.status} req {e.request_bytes:,} B "
            f"resp {e.response_bytes:,} B {e.upstream_s:.2f} s"
            + (f" REFUSED {e.refused}" if e.refused else "")
        )


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("entry") / "weights.bin"
    with open(path, "wb") as f:
        for _ in range(BIG_BYTES // MIB):
            f.write(os.urandom(MIB))
    return path, sha256(path)


@pytest.fixture(scope="module")
def stored_run(
    server: h.ServerProcess,
    proxy: ep.EntryProxy,
    moto: h.Moto,
    names: dict[str, str],
    big_file: tuple[Path, str],
) -> dict[str, str]:
    """A run (created through the proxy) whose 100 MiB artifact was put into the bucket
    directly, so the download tests do not depend on an upload path."""
    with client(server, proxy) as c:
        experiment = c.create_experiment(unique("downloads"))
        run = c.create_run(experiment)
    key = f"mlflow-artifacts/{experiment}/{run.info.run_id}/artifacts/model/weights.bin"
    moto.s3().upload_file(str(big_file[0]), names["bucket"], key)
    return {"run_id": run.info.run_id, "experiment": experiment, "key": key}


# --- the proxy itself, against a stub upstream (small limits keep it quick) -------------------


class _Stub(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # http.server's names
        kind, value = self.path.strip("/").split("/")
        if kind == "sleep":
            time.sleep(float(value))
            body = b"late"
        else:
            body = b"x" * int(value)
        self.send_response(200)
        if kind == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 300):
                part = body[start : start + 300]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def do_PUT(self) -> None:
        got = self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"received": len(got)}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _StubServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the proxy hangs up on refused responses: expected here


def test_proxy_enforces_each_limit_at_its_boundary() -> None:
    stub = _StubServer(("127.0.0.1", 0), _Stub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    limits = ep.Limits(
        request_payload_bytes=1000, response_payload_bytes=1000, integration_timeout_s=0.5
    )
    try:
        with ep.EntryProxy(int(stub.server_address[1]), limits) as gateway, requests.Session() as s:
            url = gateway.url
            assert s.get(f"{url}/size/1000").content == b"x" * 1000
            assert s.get(f"{url}/chunked/1000").content == b"x" * 1000
            big = s.get(f"{url}/size/1001")
            assert (big.status_code, big.json()) == (500, {"message": "Internal Server Error"})
            assert s.get(f"{url}/chunked/1001").status_code == 500
            assert s.put(f"{url}/up", data=b"y" * 1000).json() == {"received": 1000}
            refused = s.put(f"{url}/up", data=b"y" * 1001)
            assert (refused.status_code, refused.json()) == (
                413,
                {"message": "Request Entity Too Large"},
            )
            # A chunked upload is counted as it arrives.
            assert s.put(f"{url}/up", data=iter([b"y" * 600, b"y" * 600])).status_code == 413
            assert s.put(f"{url}/up", data=iter([b"y" * 600, b"y" * 400])).json() == {
                "received": 1000
            }
            assert s.get(f"{url}/sleep/0.1").content == b"late"
            slow = s.get(f"{url}/sleep/1.5")
            assert (slow.status_code, slow.json()) == (504, {"message": "Gateway Timeout"})
            # The same keep-alive session still works after every refusal.
            assert s.get(f"{url}/size/3").content == b"xxx"
            assert gateway.refused() == {
                ep.RESPONSE_TOO_LARGE: 2,
                ep.REQUEST_TOO_LARGE: 2,
                ep.TIMEOUT: 1,
            }
            timed_out = next(e for e in gateway.snapshot() if e.refused == ep.TIMEOUT)
            assert 0.5 <= timed_out.upstream_s < 1.0
    finally:
        stub.shutdown()
        stub.server_close()


# --- MLflow through API Gateway's real limits -------------------------------------------------


def test_ui_index_page_and_every_static_asset_fit(
    server: h.ServerProcess, proxy: ep.EntryProxy
) -> None:
    built = "lib/python*/site-packages/mlflow/server/js/build/asset-manifest.json"
    manifest = json.loads(next(h.SERVER_VENV.glob(built)).read_text())
    assets = sorted(set(manifest["files"].values()))
    with proxy.window() as seen, requests.Session() as browser:
        browser.auth = ("admin", h.ADMIN_PASSWORD)
        index = browser.get(proxy.url + "/")
        assert index.status_code == 200 and '<div id="root"' in index.text
        linked = re.findall(r'(?:src|href)="\.?/?(static-files/[^"]+)"', index.text)
        assert linked, index.text[:500]
        for path in [f"/{p}" for p in linked] + assets:
            response = browser.get(proxy.url + path)
            assert response.status_code == 200, (path, response.status_code)
        # The UI's first API call, the experiments list.
        listed = browser.post(
            proxy.url + "/ajax-api/2.0/mlflow/experiments/search", json={"max_results": 25}
        )
        assert listed.status_code == 200
    assert not [e for e in seen if e.refused]
    largest = max(seen, key=lambda e: e.response_bytes)
    total = sum(e.response_bytes for e in seen)
    print(
        f"\nUI: {len(seen)} requests, {total / MIB:.1f} MiB in all, largest "
        f"{largest.path} {largest.response_bytes / MIB:.2f} MiB, slowest "
        f"{max(e.upstream_s for e in seen):.2f} s"
    )
    # Every asset is below the payload limit, with room to spare.
    assert largest.response_bytes < proxy.limits.response_payload_bytes / 2
    assert len(seen) >= len(assets) + 2
    headers_fit(seen)


def seed_runs(db: h.MariaDB, schema: str, experiment: str, count: int) -> None:
    """`count` finished runs in the tracking schema, written with INSERTs (creating thousands
    through the API would take minutes): params, tags, metrics and latest metrics."""
    conn = db.root(schema)
    now = int(time.time() * 1000)
    with conn.cursor() as cur:
        for start in range(0, count, 1000):
            runs, params, tags, metrics, latest = [], [], [], [], []
            for i in range(start, min(count, start + 1000)):
                run_id = uuid.uuid4().hex
                begin = now - i * 60_000
                runs.append(
                    (
                        run_id,
                        f"sweep-{i:05d}",
                        "LOCAL",
                        "train.py",
                        "",
                        "alice",
                        "FINISHED",
                        begin,
                        begin + 3_600_000,
                        "",
                        "active",
                        f"mlflow-artifacts:/{experiment}/{run_id}/artifacts",
                        experiment,
                    )
                )
                params += [
                    (run_id, f"hyper_param_{k:02d}", f"{(i * 7 + k) % 997 / 1000:.6f}")
                    for k in range(PARAMS)
                ]
                tags += [(run_id, f"team.label_{k}", f"value-{i % 13}-{k}") for k in range(TAGS)]
                for k in range(METRICS):
                    value = ((i * 31 + k) % 1000) / 1000
                    metrics.append((f"validation_metric_{k}", value, begin + 60_000, run_id, 99, 0))
                    latest.append((f"validation_metric_{k}", value, begin + 60_000, 99, 0, run_id))
            cur.executemany(
                "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, "
                "user_id, status, start_time, end_time, source_version, lifecycle_stage, "
                "artifact_uri, experiment_id) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                runs,
            )
            cur.executemany(
                "INSERT INTO params (run_uuid, `key`, value) VALUES (%s, %s, %s)", params
            )
            cur.executemany("INSERT INTO tags (run_uuid, `key`, value) VALUES (%s, %s, %s)", tags)
            cur.executemany(
                "INSERT INTO metrics (`key`, value, timestamp, run_uuid, step, is_nan) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                metrics,
            )
            cur.executemany(
                "INSERT INTO latest_metrics (`key`, value, timestamp, step, is_nan, run_uuid) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                latest,
            )
            conn.commit()
    conn.close()


def test_search_runs_over_thousands_of_runs(
    server: h.ServerProcess, proxy: ep.EntryProxy, mariadb: h.MariaDB, names: dict[str, str]
) -> None:
    import mlflow

    with client(server, proxy) as c:
        experiment = c.create_experiment(unique("sweep"))
    seed_runs(mariadb, names["db_name"], experiment, RUNS)
    ordered = {
        "filter_string": "metrics.validation_metric_3 > 0.5 and params.hyper_param_07 != '0.5'",
        "order_by": ["metrics.validation_metric_1 DESC"],
    }
    calls: dict[str, Any] = {
        # MlflowClient.search_runs: one page of SEARCH_MAX_RESULTS_DEFAULT runs.
        "MlflowClient.search_runs": lambda c: c.search_runs([experiment]),
        "MlflowClient.search_runs, filtered and ordered": lambda c: c.search_runs(
            [experiment], **ordered
        ),
        # The UI's request (no max_results: the server's default page).
        "UI runs/search": lambda c: ui_search(proxy, experiment),
        # mlflow.search_runs: pages of NUM_RUNS_PER_PAGE_PANDAS runs.
        "mlflow.search_runs": lambda c: mlflow.search_runs(
            experiment_ids=[experiment], output_format="list"
        ),
    }
    figures: dict[str, tuple[int, ep.Exchange]] = {}
    for label, call in calls.items():
        with client(server, proxy) as c, proxy.window() as seen:
            try:
                found = len(call(c))
            except Exception:  # a refusal is the measured fact
                found = -1
        searches = [e for e in seen if e.path.endswith("/mlflow/runs/search")]
        assert len(searches) == 1, [e.path for e in seen]
        headers_fit(seen)
        figures[label] = found, searches[0]
        e = searches[0]
        size = e.response_bytes if e.refused is None else e.declared_bytes or 0
        print(
            f"\n{label} over {RUNS} runs: {found} runs, response {size / MIB:.2f} MiB, "
            f"{e.upstream_s:.2f} s at the proxy, status {e.status}"
        )
    for label in ("MlflowClient.search_runs", "UI runs/search"):
        found, exchange = figures[label]
        assert found == CLIENT_PAGE and exchange.refused is None, label
        assert exchange.response_bytes > 2 * MIB  # a 1000-run page is megabytes
    found, exchange = figures["MlflowClient.search_runs, filtered and ordered"]
    assert found > 0 and exchange.refused is None
    # mlflow.search_runs asks for up to 10000 runs per page: all 3000 in one, refused by size.
    found, exchange = figures["mlflow.search_runs"]
    assert (found, exchange.status, exchange.refused) == (-1, 500, ep.RESPONSE_TOO_LARGE)
    assert (exchange.declared_bytes or 0) > proxy.limits.response_payload_bytes
    # Every call, the refused one included, was well inside the 30 s timeout on this machine.
    slowest = max(e.upstream_s for _, e in figures.values())
    assert slowest < proxy.limits.integration_timeout_s / 2


def ui_search(gateway: ep.EntryProxy, experiment: str) -> list[Any]:
    response = requests.post(
        gateway.url + "/ajax-api/2.0/mlflow/runs/search",
        json={"experiment_ids": [experiment]},
        auth=("admin", h.ADMIN_PASSWORD),
        timeout=60,
    )
    response.raise_for_status()
    return list(response.json()["runs"])


def bucket_objects(
    moto: h.Moto, names: dict[str, str], experiment: str, run_id: str
) -> dict[str, int]:
    prefix = f"mlflow-artifacts/{experiment}/{run_id}/artifacts/"
    return {k[len(prefix) :]: v for k, v in moto.objects(names["bucket"], prefix).items()}


def test_proxied_upload_of_100mb_is_refused_with_413(
    server: h.ServerProcess,
    proxy: ep.EntryProxy,
    moto: h.Moto,
    names: dict[str, str],
    big_file: tuple[Path, str],
) -> None:
    # MLflow's defaults: a file under MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE (500 MiB)
    # is PUT to the server in one request.
    with client(server, proxy) as c:
        experiment = c.create_experiment(unique("upload"))
        run_id = c.create_run(experiment).info.run_id
        with proxy.window() as seen, pytest.raises(Exception, match="413"):
            c.log_artifact(run_id, str(big_file[0]), "model")
    show("default upload", seen)
    puts = [e for e in seen if e.method == "PUT"]
    assert [(e.path, e.status, e.refused) for e in puts] == [
        (f"{ARTIFACTS}{experiment}/{run_id}/artifacts/model/weights.bin", 413, ep.REQUEST_TOO_LARGE)
    ]
    assert bucket_objects(moto, names, experiment, run_id) == {}


#: MLflow 3.x's proxied multipart upload for every file of 10 MiB and more: the server creates
#: the upload and presigns one URL per part, the client PUTs the parts to S3 itself.
MULTIPART = {
    # Switched on explicitly, with the part size spelled out (10 MiB is MLflow's default).
    "explicit": {
        "MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD": "true",
        "MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE": str(10 * MIB),
        "MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE": str(10 * MIB),
    },
    # Only the threshold: the client learns from /server-info that the server can do it.
    "threshold-only": {"MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE": str(10 * MIB)},
}


@pytest.mark.parametrize("settings", list(MULTIPART))
def test_multipart_upload_goes_around_the_entry_point_to_s3(
    server: h.ServerProcess,
    proxy: ep.EntryProxy,
    moto: h.Moto,
    names: dict[str, str],
    big_file: tuple[Path, str],
    settings: str,
) -> None:
    with client(server, proxy, **MULTIPART[settings]) as c:
        experiment = c.create_experiment(unique("multipart"))
        run_id = c.create_run(experiment).info.run_id
        with proxy.window() as seen:
            began = time.monotonic()
            c.log_artifact(run_id, str(big_file[0]), "model")
            took = time.monotonic() - began
    show(f"multipart upload, {settings} ({took:.1f} s)", seen)
    assert not [e for e in seen if e.refused]
    base = f"/api/2.0/mlflow-artifacts/mpu/%s/{experiment}/{run_id}/artifacts/model"
    # Besides the client's run lookup (the artifact location) and, without the switch, its
    # capability probe: only the two MPU calls.
    expected = [("POST", base % "create", 200), ("POST", base % "complete", 200)]
    if settings == "threshold-only":
        expected.insert(0, ("GET", "/api/3.0/mlflow/server-info", 200))
    lookups = [e for e in seen if e.path.startswith("/api/2.0/mlflow/runs/get?")]
    assert [(e.method, e.path, e.status) for e in seen if e not in lookups] == expected
    # The 100 MiB went around the proxy: through it, only the two small JSON calls.
    assert sum(e.request_bytes + e.response_bytes for e in seen) < 64 * 1024
    create = next(e for e in seen if e.path == base % "create")
    created = json.loads(create.body or b"{}")
    s3 = urlparse(moto.endpoint)
    urls = [urlparse(part["url"]) for part in created["credentials"]]
    assert len(urls) == BIG_BYTES // (10 * MIB)
    assert {u.netloc for u in urls} == {s3.netloc}, "presigned for the S3 endpoint"
    assert all("X-Amz-Signature=" in u.query and "uploadId=" in u.query for u in urls)
    assert bucket_objects(moto, names, experiment, run_id) == {"model/weights.bin": BIG_BYTES}
    body = moto.s3().get_object(
        Bucket=names["bucket"],
        Key=f"mlflow-artifacts/{experiment}/{run_id}/artifacts/model/weights.bin",
    )["Body"]
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(MIB), b""):
        digest.update(chunk)
    assert digest.hexdigest() == big_file[1]
    print(f"multipart upload of 100 MiB ({settings}): {took:.1f} s, {len(urls)} parts to S3")


def test_default_download_goes_around_the_entry_point_with_presigned_urls(
    server: h.ServerProcess,
    proxy: ep.EntryProxy,
    moto: h.Moto,
    stored_run: dict[str, str],
    big_file: tuple[Path, str],
    tmp_path: Path,
) -> None:
    # No setting at all: the client asks /server-info, the server says it can presign (its
    # artifact store is S3), and the client downloads from the presigned URL in ranges.
    with client(server, proxy) as c, proxy.window() as seen:
        began = time.monotonic()
        got = Path(c.download_artifacts(stored_run["run_id"], "model/weights.bin", str(tmp_path)))
        took = time.monotonic() - began
    show(f"default download ({took:.1f} s)", seen)
    assert sha256(got) == big_file[1]
    assert not [e for e in seen if e.refused]
    paths = [e.path for e in seen]
    assert "/api/3.0/mlflow/server-info" in paths
    presigned = [e for e in seen if e.path.startswith("/api/2.0/mlflow-artifacts/presigned/")]
    assert len(presigned) == 1 and presigned[0].path.endswith("/artifacts/model/weights.bin")
    assert not [p for p in paths if p.startswith(ARTIFACTS) and p.endswith("weights.bin")]
    assert sum(e.response_bytes for e in seen) < 64 * 1024
    url = urlparse(json.loads(presigned[0].body or b"{}")["url"])
    assert url.netloc == urlparse(moto.endpoint).netloc and "X-Amz-Signature=" in url.query
    print(f"default download of 100 MiB: {took:.1f} s, from the presigned URL")

    # The UI's download button does the same: it asks the server for a presigned URL and sends
    # the browser there (window.location), when /server-info says the server can presign.
    artifact = f"{stored_run['experiment']}/{stored_run['run_id']}/artifacts/model/weights.bin"
    with proxy.window() as ui, requests.Session() as browser:
        browser.auth = ("admin", h.ADMIN_PASSWORD)
        info = browser.get(proxy.url + "/ajax-api/3.0/mlflow/server-info").json()
        assert info["multipart_downloads_enabled"] is True
        answer = browser.get(proxy.url + f"/ajax-api/2.0/mlflow-artifacts/presigned/{artifact}")
        assert answer.status_code == 200, answer.text[:300]
    assert not [e for e in ui if e.refused] and sum(e.response_bytes for e in ui) < 4096
    direct = requests.get(answer.json()["url"], timeout=60)  # the browser, not the proxy
    assert direct.status_code == 200
    assert hashlib.sha256(direct.content).hexdigest() == big_file[1]
    assert "attachment" in direct.headers.get("Content-Disposition", "")


def test_proxied_download_of_100mb_is_refused_by_the_response_limit(
    server: h.ServerProcess, proxy: ep.EntryProxy, stored_run: dict[str, str], tmp_path: Path
) -> None:
    # The proxied path: a client that does not presign (MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD
    # false, or a server that does not advertise it) streams the file through the server.
    settings = {"MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD": "false"}
    with (
        client(server, proxy, **settings) as c,
        proxy.window() as seen,
        pytest.raises(Exception, match="Failed to download"),
    ):
        c.download_artifacts(stored_run["run_id"], "model/weights.bin", str(tmp_path))
    # The UI's artifact preview fetches /get-artifact: the same stream (its download button
    # presigns instead, see the test above).
    with proxy.window() as ui, requests.Session() as browser:
        browser.auth = ("admin", h.ADMIN_PASSWORD)
        viewed = browser.get(
            proxy.url + "/get-artifact",
            params={"path": "model/weights.bin", "run_uuid": stored_run["run_id"]},
        )
    show("proxied download", seen + ui)
    assert viewed.status_code == 500
    gets = [e for e in seen + ui if e.path.startswith((ARTIFACTS, "/get-artifact"))]
    assert [(e.status, e.refused) for e in gets] == [(500, ep.RESPONSE_TOO_LARGE)] * 2
    # The server announces the whole file (Content-Length): refused before any of it crossed.
    assert [(e.declared_bytes, e.response_bytes) for e in gets] == [(BIG_BYTES, 0)] * 2


def test_artifacts_under_the_limit_pass_the_proxied_path(
    server: h.ServerProcess, proxy: ep.EntryProxy, tmp_path: Path
) -> None:
    small = tmp_path / "up" / "metrics.parquet"
    small.parent.mkdir()
    small.write_bytes(os.urandom(9 * MIB))
    settings = {"MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD": "false"}
    with client(server, proxy, **settings) as c, proxy.window() as seen:
        experiment = c.create_experiment(unique("small"))
        run_id = c.create_run(experiment).info.run_id
        c.log_artifact(run_id, str(small), "data")
        got = Path(c.download_artifacts(run_id, "data/metrics.parquet", str(tmp_path / "down")))
    assert got.read_bytes() == small.read_bytes()
    assert not [e for e in seen if e.refused]
    transfers = [e for e in seen if e.path.endswith("/artifacts/data/metrics.parquet")]
    assert [(e.method, e.request_bytes, e.response_bytes) for e in transfers] == [
        ("PUT", 9 * MIB, transfers[0].response_bytes),
        ("GET", 0, 9 * MIB),
    ]
    headers_fit(seen)
