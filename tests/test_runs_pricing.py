"""The run pricer on fixtures: compute, storage per object, tags, convention, budgets, roll-ups.

Prices are the catalog's, written out by hand: us-east-1 g5.xlarge Linux on-demand 1.006 USD/h,
m5.large 0.096, eu-west-1 g5.xlarge 1.123; SageMaker Studio notebook ml.g5.xlarge us-east-1
1.41 USD/h, eu-west-1 1.57 (AWS's sagemaker-instances-studionotebook file); S3 us-east-1 per GB-month: Standard and
Intelligent-Tiering Frequent Access 0.023 (first 50 TB), Infrequent Access 0.0125, Archive
Instant Access 0.004, Standard-IA 0.0125, Glacier Flexible Retrieval 0.0036; Intelligent-
Tiering monitoring 0.0000025 USD per object-month.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from cost.catalog import default_catalog
from cost.pricing.storage import BucketRules, Transition
from cost.runs import tags
from cost.runs.bucket import BucketError, rules_from_properties, rules_from_template
from cost.runs.budgets import BudgetError, parse_budgets
from cost.runs.command import InputError, parse_time
from cost.runs.convention import Convention, MappingError
from cost.runs.metrics import metric_data
from cost.runs.pricing import Artifact, RunPricer, RunRecord
from cost.runs.rollup import RunsReport, to_csv, to_markdown

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
GB = 1024**3
MB = 1024**2
#: The project's artifact bucket: everything to Intelligent-Tiering on day 0.
TIERING = BucketRules((Transition(0, "INTELLIGENT_TIERING"),))


def run(
    params: dict[str, str] | None = None,
    tags_: dict[str, str] | None = None,
    *,
    hours: float = 1.5,
    ended_days_ago: float = 0,
    status: str = "FINISHED",
    experiment: str = "vision",
    run_id: str = "r1",
    user: str = "alice",
    artifact_uri: str = "",
) -> RunRecord:
    end = NOW_MS - int(ended_days_ago * DAY_MS)
    start = end - int(hours * HOUR_MS)
    return RunRecord(
        run_id=run_id,
        experiment_id="1",
        experiment_name=experiment,
        user=user,
        status=status,
        start_ms=start,
        end_ms=None if status == "RUNNING" else end,
        params=params or {},
        tags=tags_ or {},
        artifact_uri=artifact_uri,
    )


@pytest.fixture(scope="module")
def pricer() -> RunPricer:
    return RunPricer(default_catalog(), TIERING, default_region="us-east-1", now=NOW)


# -- compute ---------------------------------------------------------------------------------


def test_on_demand_instances_times_count_times_hours(pricer: RunPricer) -> None:
    cost = pricer.price(run({"instance_type": "g5.xlarge", "num_workers": "2"}), [])
    assert cost.compute_usd == pytest.approx(2 * 1.006 * 1.5)
    assert cost.instance_hours == pytest.approx(3.0)
    assert "2 x g5.xlarge" in cost.compute_basis and "1.006 USD/h" in cost.compute_basis


def test_the_runs_own_region_and_a_tag_over_a_param(pricer: RunPricer) -> None:
    cost = pricer.price(
        run({"instance_type": "m5.large", "region": "us-east-1"}, {"region": "eu-west-1"}), []
    )
    # eu-west-1 m5.large: 0.107 USD/h
    assert cost.region == "eu-west-1"
    assert cost.compute_usd == pytest.approx(0.107 * 1.5)


def test_spot_needs_a_stated_discount(pricer: RunPricer) -> None:
    spot = pricer.price(
        run({"instance_type": "g5.xlarge", "purchase_option": "spot", "spot_discount": "70%"}), []
    )
    assert spot.compute_usd == pytest.approx(1.006 * 0.3 * 1.5)
    missing = pricer.price(run({"instance_type": "g5.xlarge", "purchase_option": "spot"}), [])
    assert missing.compute_usd is None
    assert "spot_discount" in (missing.unpriced_reason or "")


def test_billable_seconds_win_over_the_runs_duration(pricer: RunPricer) -> None:
    cost = pricer.price(
        run({"instance_type": "m5.large"}, {"billable_seconds": "900"}, hours=5), []
    )
    assert cost.compute_usd == pytest.approx(0.096 * 0.25)


def test_a_running_run_is_priced_up_to_now_and_marked(pricer: RunPricer) -> None:
    cost = pricer.price(run({"instance_type": "m5.large"}, status="RUNNING", hours=2), [])
    assert cost.running
    assert cost.compute_usd == pytest.approx(0.096 * 2)
    assert "running" in cost.compute_basis


def test_a_studio_notebook_run_is_priced_at_the_studio_notebook_rate(pricer: RunPricer) -> None:
    cost = pricer.price(
        run({"instance_type": "ml.g5.xlarge"}, {"sagemaker_component": "Studio-Notebook"}), []
    )
    # 1.5 h at 1.41 USD/h (AWS's own component name, in any case, is accepted)
    assert cost.compute_usd == pytest.approx(1.5 * 1.41)
    assert "ml.g5.xlarge SageMaker Studio notebook us-east-1 @ 1.41 USD/h" in cost.compute_basis
    ireland = pricer.price(
        run({"instance_type": "ml.g5.xlarge", "region": "eu-west-1", "instance_count": "2"},
            {"sagemaker_component": "studio-notebook", "billable_seconds": "1800"}),
        [],
    )  # fmt: skip
    assert ireland.compute_usd == pytest.approx(2 * 0.5 * 1.57)


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({}, "no instance type"),
        ({"instance_type": "g5.huge"}, "no Linux on-demand price in us-east-1"),
        ({"instance_type": "ml.g5.xlarge"}, "state sagemaker_component 'studio-notebook'"),
        (
            {"instance_type": "ml.g5.xlarge", "sagemaker_component": "training"},
            "SageMaker's training prices are not in the catalog",
        ),
        (
            {"instance_type": "ml.g5.xlarge", "sagemaker_component": "lab"},
            "'lab' (param sagemaker_component) is not one of studio-notebook, training",
        ),
        (
            {"instance_type": "g5.xlarge", "sagemaker_component": "studio-notebook"},
            "which is not a SageMaker (ml.*) type",
        ),
        (
            {"instance_type": "ml.g9.huge", "sagemaker_component": "studio-notebook"},
            "no SageMaker Studio notebook price in us-east-1",
        ),
        ({"instance_type": "m5.large", "region": "mars-1"}, "not an AWS commercial region"),
        ({"instance_type": "m5.large", "instance_count": "1.5"}, "not a whole number"),
        ({"instance_type": "m5.large", "num_nodes": "0"}, "must be a number >= 1"),
        ({"instance_type": "m5.large", "purchase_option": "reserved"}, "is not one of"),
    ],
)
def test_unpriceable_runs_say_why_and_are_never_zero(
    pricer: RunPricer, params: dict[str, str], reason: str
) -> None:
    cost = pricer.price(run(params), [])
    assert cost.compute_usd is None
    assert reason in (cost.unpriced_reason or "")
    assert tags.COMPUTE not in tags.wanted(cost)
    assert tags.wanted(cost)[tags.UNPRICED] == cost.unpriced_reason


def test_a_mapping_file_adds_a_teams_own_names() -> None:
    convention = Convention.from_data({"names": {"instance_type": ["node_type"]}})
    pricer = RunPricer(
        default_catalog(), TIERING, default_region="us-east-1", now=NOW, convention=convention
    )
    cost = pricer.price(run({"node_type": "m5.large"}), [])
    assert cost.compute_usd == pytest.approx(0.096 * 1.5)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"names": {"instance_typ": ["x"]}}, "names.instance_typ"),
        ({"names": {"instance_type": []}}, "names.instance_type"),
        ({"names": {"instance_type": [""]}}, "names.instance_type"),
        ({"alias": {}}, "alias"),
        (["names"], "not a mapping"),
    ],
)
def test_bad_mapping_files_name_the_field(data: object, field: str) -> None:
    with pytest.raises(MappingError, match=field):
        Convention.from_data(data)


# -- storage ---------------------------------------------------------------------------------


def test_storage_follows_intelligent_tiering_tiers_by_age(pricer: RunPricer) -> None:
    files = [Artifact("model/model.pkl", 2 * GB), Artifact("model/MLmodel", 1000)]
    fresh = pricer.price(run(ended_days_ago=1), files)
    # 2 GB + 1000 B in Frequent Access, one object monitored (the small one is not tiered).
    assert fresh.storage_usd_month == pytest.approx((2 * GB + 1000) / GB * 0.023 + 0.0000025)
    month_old = pricer.price(run(ended_days_ago=45), files)
    assert month_old.storage_usd_month == pytest.approx(2 * 0.0125 + 1000 / GB * 0.023 + 0.0000025)
    old = pricer.price(run(ended_days_ago=120), files)
    assert old.storage_usd_month == pytest.approx(2 * 0.004 + 1000 / GB * 0.023 + 0.0000025)
    assert old.artifact_bytes == 2 * GB + 1000 and old.artifact_objects == 2


def test_without_rules_everything_is_standard() -> None:
    pricer = RunPricer(default_catalog(), BucketRules(), default_region="us-east-1", now=NOW)
    cost = pricer.price(run(ended_days_ago=400), [Artifact("a", 3 * GB)])
    assert cost.storage_usd_month == pytest.approx(3 * 0.023)


def test_small_objects_bill_their_minimum_in_standard_ia_and_glacier_overhead() -> None:
    rules = BucketRules((Transition(30, "STANDARD_IA"), Transition(90, "GLACIER")))
    pricer = RunPricer(default_catalog(), rules, default_region="us-east-1", now=NOW)
    small = [Artifact("a", 1024)]
    ia = pricer.price(run(ended_days_ago=40), small)
    assert ia.storage_usd_month == pytest.approx(128 * 1024 / GB * 0.0125)
    glacier = pricer.price(run(ended_days_ago=100), small)
    assert glacier.storage_usd_month == pytest.approx(
        (1024 + 32 * 1024) / GB * 0.0036 + 8 * 1024 / GB * 0.023
    )


def test_size_and_prefix_filters_apply_object_by_object() -> None:
    rules = BucketRules(
        (Transition(0, "INTELLIGENT_TIERING", prefix="artifacts/", size_greater_than=128 * 1024),)
    )
    pricer = RunPricer(
        default_catalog(),
        rules,
        default_region="us-east-1",
        now=NOW,
        artifact_root="s3://bucket/artifacts",
    )
    files = [Artifact("big", 10 * MB), Artifact("small", 100)]
    proxied = run(ended_days_ago=45, artifact_uri="mlflow-artifacts:/1/r1/artifacts")
    cost = pricer.price(proxied, files)
    # big: Intelligent-Tiering IA after 30 days + monitoring; small: Standard (filtered out).
    assert cost.storage_usd_month == pytest.approx(
        10 * MB / GB * 0.0125 + 0.0000025 + 100 / GB * 0.023
    )
    elsewhere = run(ended_days_ago=45, artifact_uri="s3://bucket/other/1/r1/artifacts")
    assert pricer.price(elsewhere, files).storage_usd_month == pytest.approx(
        (10 * MB + 100) / GB * 0.023
    )


def test_under_the_artifact_buckets_size_filter_a_small_object_stays_standard() -> None:
    # The stack's rule (ObjectSizeGreaterThan 131072, read from CloudFormation's string): a
    # 2 KB MLmodel stays in S3 Standard at 0.023 whatever its age, no monitoring fee; the
    # 10 MB model file is tiered (Archive Instant Access at 0.004 after 90 days) and monitored.
    rules = rules_from_properties(
        json.dumps(
            {
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "Id": "intelligent-tiering",
                            "Status": "Enabled",
                            "ObjectSizeGreaterThan": "131072",
                            "Transitions": [
                                {"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 0}
                            ],
                        },
                        {
                            "Id": "retention-archive",
                            "Status": "Enabled",
                            "TagFilters": [{"Key": "mlflow-retention", "Value": "archive"}],
                            "Transitions": [{"StorageClass": "GLACIER_IR", "TransitionInDays": 0}],
                        },
                    ]
                }
            }
        )
    )
    assert rules.tier(200, None, 2048) == "STANDARD"
    assert rules.tier(200, None, 128 * 1024) == "STANDARD"  # not larger than the filter
    assert rules.tier(200, None, 128 * 1024 + 1) == "INT_AIA"
    # Listings carry no tags: the archive rule is not applied to any object.
    assert rules.tier(0, None, 10 * MB) == "INT_FA"
    pricer = RunPricer(default_catalog(), rules, default_region="us-east-1", now=NOW)
    small = pricer.price(run(ended_days_ago=200), [Artifact("model/MLmodel", 2048)])
    assert small.storage_usd_month == pytest.approx(2048 / GB * 0.023)
    both = pricer.price(
        run(ended_days_ago=200), [Artifact("model/MLmodel", 2048), Artifact("m.pkl", 10 * MB)]
    )
    assert both.storage_usd_month == pytest.approx(
        2048 / GB * 0.023 + 10 * MB / GB * 0.004 + 0.0000025
    )


def test_bucket_rules_from_the_apps_own_template(tmp_path: pytest.TempPathFactory) -> None:
    template = {
        "Resources": {
            "Logs": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "Artifacts": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "LifecycleConfiguration": {
                        "Rules": [
                            {
                                "Id": "it",
                                "Status": "Enabled",
                                "Transitions": [
                                    {"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 0}
                                ],
                            }
                        ]
                    }
                },
            },
        }
    }
    path = tmp_path / "App.template.json"  # type: ignore[operator]
    path.write_text(json.dumps(template))
    rules, chosen = rules_from_template(str(path))
    assert chosen == "Artifacts"
    assert rules.tier(45, None, 10 * MB) == "INT_IA"
    with pytest.raises(BucketError, match="no bucket 'Nope'"):
        rules_from_template(f"{path}#Nope")
    props = json.dumps(
        {
            "LifecycleConfiguration": template["Resources"]["Artifacts"]["Properties"][
                "LifecycleConfiguration"
            ]
        }
    )  # type: ignore[index]
    assert rules_from_properties(props) == rules
    with pytest.raises(BucketError, match="TransitionInDays"):
        rules_from_properties(
            '{"LifecycleConfiguration": {"Rules": [{"Status": "Enabled", "Transitions": '
            '[{"StorageClass": "GLACIER", "TransitionInDays": "soon"}]}]}}'
        )


# -- tags ------------------------------------------------------------------------------------


def test_tags_are_written_once_and_then_left_alone(pricer: RunPricer) -> None:
    first = pricer.price(run({"instance_type": "m5.large"}), [Artifact("a", MB)])
    change = tags.change({}, first, "2026-12-02T12:00:00+00:00")
    assert change.set[tags.COMPUTE] == f"{0.096 * 1.5:.6f}"
    assert change.set[tags.PRICED_AT] == "2026-12-02T12:00:00+00:00"
    existing = dict(change.set)
    again = tags.change(existing, first, "2026-12-03T12:00:00+00:00")
    assert again.empty
    # The run loses its instance type: the compute tag goes, the reason comes.
    now_unpriced = pricer.price(run({}), [Artifact("a", MB)])
    third = tags.change(existing, now_unpriced, "2026-12-04T00:00:00+00:00")
    assert third.delete == (tags.COMPUTE,) and tags.UNPRICED in third.set


# -- budgets and roll-ups --------------------------------------------------------------------


def test_bad_budgets_name_the_field() -> None:
    good = {"name": "v", "team": "vision", "monthly_usd": 500, "warn_at": 0.8}
    for bad, field in [
        ({**good, "monthly_usd": -1}, r"budgets\[0\]\.monthly_usd"),
        ({**good, "warn_at": 1.5}, r"budgets\[0\]\.warn_at"),
        ({**good, "project": "x"}, "exactly one of"),
        ({**good, "teem": "x"}, "unknown field"),
        ({**good, "name": ""}, r"budgets\[0\]\.name"),
    ]:
        with pytest.raises(BudgetError, match=field):
            parse_budgets({"budgets": [bad]}, "b.yml")
    with pytest.raises(BudgetError, match="used twice"):
        parse_budgets({"budgets": [good, good]}, "b.yml")


def test_rollups_and_budgets_month_by_month(pricer: RunPricer) -> None:
    budgets = parse_budgets(
        {
            "budgets": [
                {"name": "vision", "team": "vision", "monthly_usd": 5, "warn_at": 0.5},
                {"name": "nlp", "team": "nlp", "monthly_usd": 1},
                {"name": "nobody", "project": "ghost", "monthly_usd": 1},
            ]
        },
        "b.yml",
    )
    report = RunsReport(now=NOW, budgets=tuple(budgets))
    # December: 2 x g5.xlarge x 1.5 h = 3.018 USD for vision; a 2 GB model in Frequent Access.
    dec = pricer.price(
        run({"instance_type": "g5.xlarge", "num_workers": "2"}), [Artifact("m", 2 * GB)]
    )
    report.add(dec, {"team": "vision"})
    # October (ended 35 days ago, on 28 October): m5.large x 1.5 h for vision, 1 GB at Infrequent Access now.
    nov = pricer.price(
        run({"instance_type": "m5.large"}, ended_days_ago=35, run_id="r2"), [Artifact("n", GB)]
    )
    report.add(nov, {"team": "vision"})
    unpriced = pricer.price(run({}, run_id="r3", experiment="text"), [])
    report.add(unpriced, {"team": "nlp"})
    vision = report.by["team"]["vision"]
    assert vision.compute_usd == pytest.approx(3.018 + 0.144)
    assert vision.storage_usd_month == pytest.approx(2 * 0.023 + 0.0000025 + 0.0125 + 0.0000025)
    assert report.by["month"]["2026-10"].runs == 1 and report.by["month"]["2026-12"].runs == 2
    results = {(r.budget.name, r.month): r for r in report.budget_results()}
    assert results[("vision", "2026-10")].status == "ok"  # started 28 Oct (35 days + 1.5 h ago)
    dec_result = results[("vision", "2026-12")]
    assert dec_result.spend_usd == pytest.approx(3.018 + vision.storage_usd_month)
    assert dec_result.status == "warn" and dec_result.month_to_date
    assert results[("nlp", "2026-12")].status == "unpriced"
    assert results[("nobody", "2026-12")].status == "empty"
    text = to_markdown(report, list(results.values()))
    assert "| vision |" in text and "no instance type" in text
    # The unpriced run is listed by id with its reason, not only counted.
    assert "| r3 | text | no instance type: the run has no param or tag instance_type |" in text
    lines = to_csv(report).splitlines()
    assert lines[0].startswith("dimension,key,runs")
    assert any(line.startswith("team,vision,2,2,0,0,3.162") for line in lines)
    data = {
        d["MetricName"] + str(d.get("Dimensions", "")): d["Value"]
        for d in metric_data(report, list(results.values()))
    }
    assert data["RunsUnpriced"] == 1 and data["RunsPriced"] == 2
    assert data["BudgetSpendUSD[{'Name': 'Budget', 'Value': 'vision'}]"] == pytest.approx(
        dec_result.spend_usd, abs=1e-6
    )


def test_budget_months_current_checks_this_month_only(pricer: RunPricer) -> None:
    budgets = parse_budgets({"budgets": [{"name": "v", "team": "vision", "monthly_usd": 1}]}, "b")
    report = RunsReport(now=NOW, budgets=tuple(budgets), budget_months="current")
    # 35 days ago (October): m5.large x 1.5 h = 0.144; today: g5.xlarge x 1.5 h = 1.509.
    report.add(
        pricer.price(run({"instance_type": "m5.large"}, ended_days_ago=35), []), {"team": "vision"}
    )
    report.add(
        pricer.price(run({"instance_type": "g5.xlarge"}, run_id="r2"), []), {"team": "vision"}
    )
    (result,) = report.budget_results()
    assert (result.month, result.status) == ("2026-12", "over")
    assert result.spend_usd == pytest.approx(1.509)
    everything = RunsReport(now=NOW, budgets=tuple(budgets))
    for cost in (
        pricer.price(run({"instance_type": "m5.large"}, ended_days_ago=35), []),
        pricer.price(run({"instance_type": "g5.xlarge"}, run_id="r2"), []),
    ):
        everything.add(cost, {"team": "vision"})
    assert [r.month for r in everything.budget_results()] == ["2026-10", "2026-12"]


def test_months_the_window_covers_in_part_are_not_checked() -> None:
    report = RunsReport(now=NOW, since=datetime(2026, 12, 1, 12, tzinfo=UTC))
    checked, partial = report.checked_months()
    assert checked == [] and partial == ["2026-12"]
    full = RunsReport(now=NOW, since=datetime(2026, 12, 1, tzinfo=UTC))
    assert full.checked_months() == (["2026-12"], [])


def test_times_are_dates_iso_times_or_durations() -> None:
    assert parse_time("30d", "--since", NOW) == NOW - timedelta(days=30)
    assert parse_time("2026-11-01", "--since", NOW) == datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(InputError, match="--until 'yesterday'"):
        parse_time("yesterday", "--until", NOW)


def test_markdown_shows_small_storage_rates_and_lists_at_most_20_unpriced_runs(
    pricer: RunPricer,
) -> None:
    report = RunsReport(now=NOW)
    # 1 MB in Frequent Access: 1/1024 x 0.023 = 0.0000225 USD/month, plus monitoring 0.0000025.
    small = pricer.price(run({"instance_type": "m5.large"}), [Artifact("m", MB)])
    report.add(small, {"team": "vision"})
    for i in range(25):
        report.add(pricer.price(run({}, run_id=f"u{i}"), []), {"team": "vision"})
    text = to_markdown(report, [])
    assert "artifact storage **0.000025 USD/month**" in text and "25 unpriced" in text
    assert "| u19 |" in text and "| u20 |" not in text
    assert "| ... 5 more (all reasons above) | | |" in text
