#!/usr/bin/env python3
"""Coverage of the cost estimator on public CloudFormation templates.

Runs `python -m cost estimate T --format json` (sequentially, one process at a
time) for every template in templates/ and each region, then reports:
  total / free / notDeployed / priced / unsupported resources,
  share priced = priced / (priced + unsupported),
  per unsupported type: count and grouped reasons, split into
    "no pricing function for this type" vs "priced type that could not price
    this resource".
Parameters without a Default get plausible generated values (params/<region>/
<template>.json, recorded in results/params_used.json). A nested stack whose literal
TemplateURL ends with the manifest path of a template of the same repository that is in
templates/ gets that file with `--nested-template URL=FILE` (ecs-refarch's master.yaml); one
whose TemplateURL is built from parameters gets `--nested-templates` with the fetched files of
the parent's repository directory, found by file name.
Exit 2 with the engine's one-line "error: ..." (input it refuses, naming the fault) is
listed as REFUSED and left out of the counts; other exit codes than 0/1, and any traceback on
stderr, are reported as crashes.

The templates are not in this repository: benchmarks/public_templates/manifest.csv names each
one (repository, commit, path, sha256); `benchmarks/fetch_public_templates.py` puts them, under
the manifest's `name`, in the work directory's templates/ (default
.bench/public-templates/templates/) before running.

Usage: .venv/bin/python benchmarks/template_share.py [--workdir DIR] [--regions us-east-1,...]
       [--engine CHECKOUT]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cost.pricing.retired import RETIRED_BY_AWS  # noqa: E402

HERE = ROOT / ".bench" / "public-templates"
NO_FUNCTION = "no pricing function for this type"


class _Loader(yaml.SafeLoader):
    pass


def _any_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return {"Fn::" + suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {"Fn::" + suffix: loader.construct_sequence(node, deep=True)}
    return {"Fn::" + suffix: loader.construct_mapping(node, deep=True)}


_Loader.add_multi_constructor("!", _any_tag)


def load(path: Path) -> dict:
    text = path.read_text()
    try:
        return json.loads(text)
    except ValueError:
        return yaml.load(text, Loader=_Loader) or {}  # noqa: S506 (_Loader is a SafeLoader)


def azs(region: str, n: int = 3) -> list[str]:
    return [f"{region}{c}" for c in "abc"[:n]]


def plausible(name: str, spec: dict, region: str) -> str:
    """A plausible value for a parameter without Default."""
    t = str(spec.get("Type", "String"))
    allowed = spec.get("AllowedValues")
    if allowed:
        return str(allowed[0])
    lname = name.lower()
    ids = {
        "AWS::EC2::VPC::Id": "vpc-0123456789abcdef0",
        "AWS::EC2::Subnet::Id": "subnet-0123456789abcdef0",
        "AWS::EC2::SecurityGroup::Id": "sg-0123456789abcdef0",
        "AWS::EC2::KeyPair::KeyName": "example-key",
        "AWS::EC2::AvailabilityZone::Name": azs(region, 1)[0],
        "AWS::Route53::HostedZone::Id": "Z0123456789ABCDEFGHIJ",
        "AWS::EC2::Image::Id": "ami-0123456789abcdef0",
    }
    if t in ids:
        return ids[t]
    m = re.match(r"List<(.+)>", t)
    if m:
        inner = m.group(1)
        if inner == "AWS::EC2::AvailabilityZone::Name":
            return ",".join(azs(region, 2))
        if inner in ids:
            base = ids[inner]
            return ",".join([base, base[:-1] + "1"])
        return "a,b"
    if t == "CommaDelimitedList":
        if "zone" in lname or lname in ("azs",):
            return ",".join(azs(region, 2))
        if "subnet" in lname:
            return "subnet-0123456789abcdef0,subnet-0123456789abcdef1"
        if "securitygroup" in lname:
            return "sg-0123456789abcdef0"
        if "application" in lname:
            return "Spark"
        return "a,b"
    if t == "Number":
        lo = spec.get("MinValue", 1)
        return str(max(int(float(lo)), 1))
    # String-ish
    if "password" in lname:
        return "Examp1ePassw0rd"
    if "email" in lname:
        return "ops@example.com"
    if "version" in lname and "eks" in lname:
        return "1.31"
    if "arn" in lname or "kms" in lname or "cmk" in lname or "cert" in lname:
        if "cert" in lname:
            return (
                f"arn:aws:acm:{region}:123456789012:certificate/"
                "00000000-0000-0000-0000-000000000000"
            )
        if "topic" in lname:
            return f"arn:aws:sns:{region}:123456789012:example"
        if "kms" in lname or "cmk" in lname:
            return f"arn:aws:kms:{region}:123456789012:key/00000000-0000-0000-0000-000000000000"
        return "arn:aws:iam::123456789012:user/example"
    if "vpc" in lname and "cidr" not in lname:
        return "vpc-0123456789abcdef0"
    if "cidr" in lname:
        return "10.0.0.0/16"
    if "subnet" in lname:
        return "subnet-0123456789abcdef0"
    if "securitygroup" in lname:
        return "sg-0123456789abcdef0"
    if "zone" in lname:
        return azs(region, 1)[0]
    if "domain" in lname or "hostname" in lname or "dns" in lname:
        return "example.com"
    if lname == "ip" or lname.endswith("ip"):
        return "10.0.0.10"
    if "image" in lname:
        return "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"
    if "user" in lname:
        return "admin"
    pattern = spec.get("AllowedPattern")
    if pattern and not re.fullmatch(pattern, "example"):
        return "example1"
    return "example"


# Hand-picked values where the heuristic cannot satisfy an AllowedPattern.
OVERRIDES = {
    "ElasticFileSystem": "fs-0123456789abcdef0",
    "CloudFrontAcmCertificate": "",
    "PublicAlbTargetGroupArn": (
        "arn:aws:elasticloadbalancing:{r}:123456789012:targetgroup/wp/0123456789abcdef"
    ),
}


def fit(value: str, spec: dict) -> str:
    lo, hi = spec.get("MinLength"), spec.get("MaxLength")
    if lo is not None and len(value) < int(lo):
        value = value + "x" * (int(lo) - len(value))
    if hi is not None and len(value) > int(hi):
        value = value[: int(hi)]
    return value


#: Values tried, in order, for a parameter whose generated value does not match its
#: AllowedPattern (the template's own pattern decides; Python's regex dialect).
PATTERN_SAMPLES = (
    "10.0.0.10",
    "10.0.0.10,10.0.0.11",
    "10.0.0.0/16",
    "123456789012",
    "123456789012,210987654321",
    "d-0123456789",
    "pcx-0123456789abcdef0",
    "rtb-0123456789abcdef0",
    "rtb-0123456789abcdef0,rtb-0123456789abcdef1",
    "vpc-0123456789abcdef0",
    "subnet-0123456789abcdef0",
    "sg-0123456789abcdef0",
    "example.com",
    "corp.example.com",
    "admin@example.com",
    "arn:aws:iam::123456789012:role/example",
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    "Example1",
    "example",
    "1",
)


def fit_pattern(value: str, spec: dict) -> str:
    pattern = spec.get("AllowedPattern")
    if not isinstance(pattern, str):
        return value
    try:
        compiled = re.compile(pattern)
    except re.error:
        return value
    if compiled.fullmatch(value):
        return value
    return next((v for v in PATTERN_SAMPLES if compiled.fullmatch(v)), value)


def params_for(tpl: dict, region: str) -> dict[str, str]:
    out = {}
    for name, spec in (tpl.get("Parameters") or {}).items():
        if isinstance(spec, dict) and "Default" not in spec:
            v = OVERRIDES.get(name)
            v = v.format(r=region) if v is not None else plausible(name, spec, region)
            out[name] = (
                fit_pattern(fit(v, spec), spec) if spec.get("Type", "String") == "String" else v
            )
    return out


MANIFEST = ROOT / "benchmarks" / "public_templates" / "manifest.csv"


def manifest_rows() -> list[dict[str, str]]:
    import csv

    with MANIFEST.open(newline="") as handle:
        return list(csv.DictReader(handle))


def nested_children(tpl: dict, name: str, rows: list[dict[str, str]], tdir: Path) -> list[str]:
    """`--nested-template URL=FILE` for every nested stack whose literal TemplateURL names a
    file of the same repository that is in the templates dir (matched by its manifest path)."""
    repo = next((r["repository"] for r in rows if r["name"] == name), None)
    siblings = [r for r in rows if r["repository"] == repo and (tdir / r["name"]).is_file()]
    out = []
    for body in (tpl.get("Resources") or {}).values():
        if not isinstance(body, dict) or body.get("Type") != "AWS::CloudFormation::Stack":
            continue
        url = (body.get("Properties") or {}).get("TemplateURL")
        if not isinstance(url, str):
            continue
        for r in siblings:
            if url.endswith("/" + r["path"]):
                out.append(f"{url}={tdir / r['name']}")
    if any(
        isinstance(b, dict)
        and b.get("Type") == "AWS::CloudFormation::Stack"
        and not isinstance((b.get("Properties") or {}).get("TemplateURL"), str)
        for b in (tpl.get("Resources") or {}).values()
    ):
        # A TemplateURL built from parameters: the engine finds a local copy by the URL's last
        # path component, among the files of the parent's own repository directory.
        out.append("dir:" + str(sibling_dir(name, rows, tdir)))
    return out


def sibling_dir(name: str, rows: list[dict[str, str]], tdir: Path) -> Path:
    """A directory of links, named as in the repository, to the fetched files that sit in the
    same repository directory as template `name`."""
    row = next(r for r in rows if r["name"] == name)
    folder = row["path"].rsplit("/", 1)[0] if "/" in row["path"] else ""
    out = HERE / "siblings" / re.sub(r"[^A-Za-z0-9_.-]", "_", f"{row['repository']}/{folder}")
    out.mkdir(parents=True, exist_ok=True)
    for r in rows:
        if r["repository"] != row["repository"] or not (tdir / r["name"]).is_file():
            continue
        if (r["path"].rsplit("/", 1)[0] if "/" in r["path"] else "") != folder:
            continue
        link = out / r["path"].rsplit("/", 1)[-1]
        if not link.exists():
            link.symlink_to(tdir / r["name"])
    return out


def run(
    engine: Path, template: Path, region: str, pfile: Path | None, nested: list[str] | None = None
):
    venv_python = engine / ".venv/bin/python"
    cmd = [
        str(venv_python) if venv_python.exists() else sys.executable,
        "-m",
        "cost",
        "estimate",
        str(template),
        "--region",
        region,
        "--format",
        "json",
    ]
    if pfile:
        cmd += ["--parameters", str(pfile)]
    for mapping in nested or []:
        if mapping.startswith("dir:"):
            cmd += ["--nested-templates", mapping[4:]]
        else:
            cmd += ["--nested-template", mapping]
    env = dict(os.environ, PYTHONPATH=str(engine), PYTHONDONTWRITEBYTECODE="1")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE, timeout=300)
    return p.returncode, p.stdout, p.stderr


def group_reason(reason: str) -> str:
    r = re.sub(r"https?://\S+", "<url>", reason)
    r = re.sub(r"\b\d+(\.\d+)?\b", "N", r)
    return r[:160]


def measure(engine: Path, region: str, templates: list[Path]):
    outdir = HERE / "results" / region
    pdir = HERE / "params" / region
    outdir.mkdir(parents=True, exist_ok=True)
    pdir.mkdir(parents=True, exist_ok=True)
    tot = collections.Counter()
    unsup = collections.defaultdict(
        lambda: {"count": 0, "templates": set(), "reasons": collections.Counter(), "kind": set()}
    )
    free_types = collections.Counter()
    # A price AWS publishes for other regions but not this one: the engine's reasons say
    # "no published <service> '<row>' price ... in <region>" or "AWS publishes no <service>
    # prices for <region>".
    regional = re.compile(
        rf"no published .* in {re.escape(region)}\b|AWS publishes no .* for {re.escape(region)}\b"
    )
    per_template, crashes, refused, params_used = {}, [], [], {}
    rows = manifest_rows()
    for t in templates:
        try:
            tpl = load(t)
        except Exception:  # our loader only; the engine judges validity
            tpl = {}
        params = params_for(tpl if isinstance(tpl, dict) else {}, region)
        pfile = None
        if params:
            pfile = pdir / (t.name + ".json")
            pfile.write_text(json.dumps(params, indent=1))
            params_used[t.name] = params
        nested = nested_children(tpl if isinstance(tpl, dict) else {}, t.name, rows, t.parent)
        rc, out, err = run(engine, t, region, pfile, nested)
        (outdir / (t.name + ".stderr")).write_text(err)
        if rc == 2 and "Traceback" not in err and err.lstrip().startswith("error:"):
            # The engine refused the input with a clear error (the template itself is wrong,
            # e.g. a parent passing a parameter its nested template does not declare).
            refused.append({"template": t.name, "stderr": err.strip()[-600:]})
            per_template[t.name] = {"rc": rc}
            continue
        if rc not in (0, 1) or "Traceback" in err:
            crashes.append({"template": t.name, "rc": rc, "stderr": err.strip()[-600:]})
            per_template[t.name] = {"rc": rc}
            continue
        (outdir / (t.name + ".json")).write_text(out)
        d = json.loads(out)
        c = collections.Counter()
        for s in d.get("stacks", []):
            c["priced"] += len(s.get("resources", []))
            c["free"] += len(s.get("free", []))
            c["notDeployed"] += len(s.get("notDeployed", []))
            c["unsupported"] += len(s.get("unsupported", []))
            for f in s.get("free", []):
                free_types[f["type"]] += 1
            for u in s.get("unsupported", []):
                e = unsup[u["type"]]
                e["count"] += 1
                e["templates"].add(t.name)
                reason = u.get("reason", "")
                e["reasons"][group_reason(reason)] += 1
                e["kind"].add("no-function" if reason.strip() == NO_FUNCTION else "could-not-price")
                c["notInRegion"] += bool(regional.search(reason))
                c["retired"] += reason.startswith(RETIRED_BY_AWS)
        c["total"] = c["priced"] + c["free"] + c["notDeployed"] + c["unsupported"]
        c["notInRegion"] += 0  # present in every template's counts
        c["retired"] += 0
        per_template[t.name] = dict(c, rc=rc, monthly=d.get("totalMonthlyCost"))
        tot += c
    denom = tot["priced"] + tot["unsupported"]
    nofn = sum(e["reasons"][NO_FUNCTION] for e in unsup.values())
    summary = {
        "region": region,
        "templates": len(templates),
        "crashed": len(crashes),
        "refused": refused,
        **{k: tot[k] for k in ("total", "free", "notDeployed", "priced", "unsupported")},
        "unsupported_no_function": nofn,
        "unsupported_could_not_price": tot["unsupported"] - nofn,
        "unsupported_not_published_in_region": tot["notInRegion"],
        "unsupported_retired": tot["retired"],
        "share_priced": round(tot["priced"] / denom, 4) if denom else None,
        "unsupported_types": {
            k: {
                "count": v["count"],
                "templates": len(v["templates"]),
                "kind": sorted(v["kind"]),
                "reasons": dict(v["reasons"].most_common()),
            }
            for k, v in sorted(unsup.items(), key=lambda kv: -kv[1]["count"])
        },
        "free_types": dict(free_types.most_common()),
        "per_template": per_template,
        "crashes": crashes,
    }
    (HERE / "results" / f"summary-{region}.json").write_text(json.dumps(summary, indent=1))
    (HERE / "results" / f"params_used-{region}.json").write_text(json.dumps(params_used, indent=1))
    return summary


# Types reported unsupported that (in this reviewer's judgement) bill nothing of
# their own: candidates for the engine's free list. Used only for the
# "adjusted share" line.
FREE_CANDIDATES = {
    "AWS::IAM::RolePolicy",
    "AWS::EC2::EIPAssociation",
    "AWS::EC2::NetworkInterface",
    "AWS::IoT::Policy",
    "AWS::IoT::PolicyPrincipalAttachment",
    "AWS::IoT::Thing",
    "AWS::IoT::ThingPrincipalAttachment",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::UserPoolResourceServer",
    "AWS::Cognito::UserPoolUser",
    "AWS::OpenSearchServerless::SecurityPolicy",
    "AWS::OpenSearchServerless::AccessPolicy",
    "AWS::Neptune::DBClusterParameterGroup",
    "AWS::Neptune::DBParameterGroup",
    "AWS::Neptune::DBSubnetGroup",
    "AWS::DMS::ReplicationSubnetGroup",
    "AWS::DMS::Endpoint",
    "AWS::DMS::ReplicationTask",
    "AWS::MemoryDB::SubnetGroup",
    "AWS::DocDB::DBSubnetGroup",
    "AWS::AppSync::Resolver",
    "AWS::AppSync::GraphQLSchema",
    "AWS::AppSync::DataSource",
    "AWS::AppSync::ApiKey",
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Logs::LogStream",
    "AWS::ApiGatewayV2::VpcLink",
}


def adjusted(s):
    moved = sum(v["count"] for k, v in s["unsupported_types"].items() if k in FREE_CANDIDATES)
    nested = s["unsupported_types"].get("AWS::CloudFormation::Stack", {}).get("count", 0)
    u = s["unsupported"] - moved
    return moved, u, s["priced"] / (s["priced"] + u), s["priced"] / (s["priced"] + u - nested)


def main():
    global HERE, MANIFEST
    ap = argparse.ArgumentParser()
    ap.add_argument("--regions", default="us-east-1,ap-southeast-2,sa-east-1")
    ap.add_argument("--engine", default=str(ROOT), help="checkout whose cost engine to run")
    ap.add_argument("--workdir", default=str(HERE), help="holds templates/; results go here")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--manifest", default=str(MANIFEST), help="names the templates' sources")
    a = ap.parse_args()

    MANIFEST = Path(a.manifest)
    HERE = Path(a.workdir).resolve()
    if not (HERE / "templates").is_dir():
        print(
            f"error: --workdir {HERE}: no templates/ directory (see the module docstring)",
            file=sys.stderr,
        )
        return 2
    (HERE / "results").mkdir(exist_ok=True)
    templates = sorted(p for p in (HERE / "templates").iterdir() if p.is_file())
    sums = [measure(Path(a.engine), r, templates) for r in a.regions.split(",")]
    print(
        f"{'region':16}{'tmpl':>5}{'total':>7}{'free':>6}{'notDep':>7}{'priced':>7}"
        f"{'unsup':>6}{'noFn':>5}{'cnp':>5}{'share':>8}{'crash':>6}"
    )
    for s in sums:
        print(
            f"{s['region']:16}{s['templates']:>5}{s['total']:>7}{s['free']:>6}{s['notDeployed']:>7}"
            f"{s['priced']:>7}{s['unsupported']:>6}{s['unsupported_no_function']:>5}"
            f"{s['unsupported_could_not_price']:>5}{s['share_priced'] or 0:>8.1%}{s['crashed']:>6}"
        )
    for s in sums:
        moved, u, a1, a2 = adjusted(s)
        print(
            f"{s['region']}: if the {moved} free-candidate resources were free: share {a1:.1%}"
            f" (priced {s['priced']} / unsupported {u}); also excluding nested stacks: {a2:.1%}"
        )
    for s in sums:
        n = s["unsupported_not_published_in_region"]
        rest = s["priced"] + s["unsupported"] - n
        print(
            f"{s['region']}: {n} unsupported because AWS's price file has no price for them in "
            f"this region (priced elsewhere); share of the rest "
            f"{s['priced'] / rest if rest else 0:.1%}"
        )
    for s in sums:
        retired = s["unsupported_retired"]
        gaps = s["unsupported_not_published_in_region"]
        rest = s["priced"] + s["unsupported"] - gaps - retired
        print(
            f"{s['region']}: {retired} unsupported are types AWS has retired (no longer "
            f"deployable); share without them and the region gaps "
            f"{s['priced'] / rest if rest else 0:.1%}"
        )
    s = sums[0]
    print(f"\nTop unsupported types ({s['region']}): count [templates] kind :: top reason")
    for k, v in list(s["unsupported_types"].items())[: a.top]:
        top = next(iter(v["reasons"]))
        print(f"{v['count']:4} [{v['templates']:2}] {k:45} {'/'.join(v['kind']):16} :: {top[:90]}")
    for s in sums:
        for r in s["refused"]:
            print(f"REFUSED (exit 2) {s['region']} {r['template']}: {r['stderr'][-300:]}")
    for s in sums:
        for c in s["crashes"]:
            print(f"CRASH {s['region']} {c['template']} rc={c['rc']}: {c['stderr'][-300:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
