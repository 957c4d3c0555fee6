"""S3 buckets: storage per class as the lifecycle rules dictate, monitoring, requests; S3 Express
One Zone directory buckets (storage, requests and transfer from usage).

Model (documented in the README): data is written evenly over `data_age_days` (capped by
an expiration rule), so the share of data older than N days is 1 - N/age. Lifecycle
transitions move data to a class at an age; inside Intelligent-Tiering, data that is not read
again moves to Infrequent Access after 30 days and Archive Instant Access after 90 days, and,
when an archive configuration is present, to Archive Access / Deep Archive Access.

Objects are of two sizes: up to 128 KiB ("small": S3 does not tier them inside
Intelligent-Tiering and charges them no monitoring fee) and larger; the usage keys
`small_object_share` / `small_object_bytes_share` say how many objects and how much of the data
are small. A rule's size filter (`ObjectSizeGreaterThan` / `ObjectSizeLessThan`) decides which
of the two it moves; a tag filter's share is unknown at synth, so such a rule moves neither
(said as an assumption); a prefix filter is assumed to cover all data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable
from cost.pricing.registry import UsageKey, priced

S3 = "AmazonS3"

STORAGE_USAGETYPES = {
    "STANDARD": ("Standard", "TimedStorage-ByteHrs"),
    "STANDARD_IA": ("Standard-IA", "TimedStorage-SIA-ByteHrs"),
    "GLACIER_IR": ("Glacier Instant Retrieval", "TimedStorage-GIR-ByteHrs"),
    "GLACIER": ("Glacier Flexible Retrieval", "TimedStorage-GlacierByteHrs"),
    "DEEP_ARCHIVE": ("Glacier Deep Archive", "TimedStorage-GDA-ByteHrs"),
    "INT_FA": ("Intelligent-Tiering Frequent Access", "TimedStorage-INT-FA-ByteHrs"),
    "INT_IA": ("Intelligent-Tiering Infrequent Access", "TimedStorage-INT-IA-ByteHrs"),
    "INT_AIA": ("Intelligent-Tiering Archive Instant Access", "TimedStorage-INT-AIA-ByteHrs"),
    "INT_AA": ("Intelligent-Tiering Archive Access", "TimedStorage-INT-AA-ByteHrs"),
    "INT_DAA": ("Intelligent-Tiering Deep Archive Access", "TimedStorage-INT-DAA-ByteHrs"),
}
_TB = 1024  # the pages' storage tiers are stated in TB, priced per GB


def _tiers(prefix: str) -> Page:
    return Page(
        "s3",
        unit="GB-Mo",
        tiers=(
            (0, f"{prefix} First 50 TB per GB Mo"),
            (50 * _TB, f"{prefix} Next 450 TB per GB Mo"),
            (500 * _TB, f"{prefix} Over 500 TB per GB Mo"),
        ),
    )


#: Where AWS's S3 pricing-page data publishes each storage class's price.
STORAGE_PAGES = {
    "STANDARD": _tiers("Standard Storage"),
    "STANDARD_IA": Page("s3", "Standard Infrequent Access Storage per GB-Mo", "GB-Mo"),
    "GLACIER_IR": Page("s3", "Glacier Instant Retrieval Storage", "GB-Mo"),
    "GLACIER": Page("s3", "Glacier Storage per GB Mo", "GB-Mo"),
    "DEEP_ARCHIVE": Page("s3glacierdeeparchive", "Glacier Deep Archive GB Mo", "GB-Mo"),
    "INT_FA": _tiers("Intelligent Tiering Frequent Access"),
    "INT_IA": Page("s3", "Intelligent Tiering Infrequent Access per GB Mo", "GB-Mo"),
    "INT_AIA": Page("s3", "Intelligent Tiering Archive Instant Access", "GB-Mo"),
    "INT_AA": Page("s3", "IntelligentTieringArchiveAccess", "GB-Mo"),
    "INT_DAA": Page("s3", "IntelligentTieringDeepArchiveAccess", "GB-Mo"),
}
TIERING_IA_DAYS = 30
TIERING_AIA_DAYS = 90
MIN_MONITORED_OBJECT_KB = 128
#: Objects of at most this many bytes are "small" in the estimate (128 KiB): a lifecycle rule
#: with ObjectSizeGreaterThan = SMALL_OBJECT_BYTES moves exactly the others (S3 moves objects
#: *larger* than the filter's value).
SMALL_OBJECT_BYTES = MIN_MONITORED_OBJECT_KB * 1024
#: Measured defaults of the small-object usage keys: four models logged with MLflow 3.17.2
#: (scikit-learn logistic regression, gradient boosting and random forest, and a pyfunc model,
#: each with an input example) are 28 objects of 6,548,605 bytes; 26 objects (92.9%) of
#: 35,834 bytes (0.55%) are at most 128 KiB (MLmodel, conda.yaml, python_env.yaml,
#: requirements.txt, the input examples, small model files).
DEFAULT_SMALL_OBJECT_SHARE = 0.93
DEFAULT_SMALL_OBJECT_BYTES_SHARE = 0.0055


def _segment_shares(
    transitions: list[tuple[float, str]], age: float
) -> list[tuple[str, float, float]]:
    """(class, start age, end age) segments over [0, age) given (day, class) transitions."""
    points = sorted((d, c) for d, c in transitions if d < age)
    segments: list[tuple[str, float, float]] = []
    current, start = "STANDARD", 0.0
    for day, cls in points:
        if day > start:
            segments.append((current, start, day))
        current, start = cls, max(start, day)
    segments.append((current, start, age))
    return [s for s in segments if s[2] > s[1]]


def _intelligent_tiering_split(
    start: float, end: float, archive_days: float | None, deep_days: float | None
) -> list[tuple[str, float]]:
    """Length of [start, end) spent in each Intelligent-Tiering access tier (age since entry)."""
    bounds: list[tuple[str, float]] = [("INT_FA", 0.0), ("INT_IA", TIERING_IA_DAYS)]
    bounds.append(("INT_AIA", TIERING_AIA_DAYS))
    if archive_days is not None:
        bounds.append(("INT_AA", archive_days))
    if deep_days is not None:
        bounds.append(("INT_DAA", deep_days))
    bounds.sort(key=lambda b: b[1])
    length = end - start
    split: list[tuple[str, float]] = []
    for i, (tier, lo) in enumerate(bounds):
        hi = bounds[i + 1][1] if i + 1 < len(bounds) else float("inf")
        part = max(0.0, min(hi, length) - lo)
        if part > 0:
            split.append((tier, part))
    return split


class RuleReader(Protocol):
    """How bucket properties are read: leniently at synth (`PricingContext`: unresolved values
    become assumptions) or strictly for the run pricer (bad values raise ValueError)."""

    def number(self, value: Any, default: float, what: str) -> float: ...

    def text(self, value: Any, default: str, what: str) -> str: ...

    def assume(self, text: str) -> None: ...


@dataclass(frozen=True)
class Transition:
    """A lifecycle transition: objects matching the rule's filter move at `day` of age."""

    day: float
    storage_class: str
    rule_id: str = ""
    prefix: str = ""
    size_greater_than: float | None = None
    size_less_than: float | None = None
    #: The rule's tag filter, (key, value) pairs an object must all carry.
    tags: tuple[tuple[str, str], ...] = ()

    def covers(self, key: str | None, size: float, tags: Mapping[str, str] | None = None) -> bool:
        """Whether the rule's filter takes this object (a key not known: the prefix is
        assumed to match; tags not known: a tag filter does not match)."""
        if key is not None and not key.startswith(self.prefix):
            return False
        if self.tags and (tags is None or any(tags.get(k) != v for k, v in self.tags)):
            return False
        if self.size_greater_than is not None and not size > self.size_greater_than:
            return False
        return self.size_less_than is None or size < self.size_less_than

    def size_coverage(self, small: bool) -> str:
        """Whether the size filter takes `all`, `none` or `part` of the small objects (at most
        SMALL_OBJECT_BYTES) or of the larger ones, for the estimate's two object sizes."""
        greater, less = self.size_greater_than, self.size_less_than
        low, high = (
            (0.0, float(SMALL_OBJECT_BYTES)) if small else (SMALL_OBJECT_BYTES + 1.0, math.inf)
        )
        # The filter takes sizes s with s > greater and s < less.
        if (greater is not None and greater >= high) or (less is not None and less <= low):
            return "none"
        if (greater is None or greater < low) and (less is None or less > high):
            return "all"
        return "part"


@dataclass(frozen=True)
class BucketRules:
    """The storage-class model of a bucket: its enabled lifecycle transitions and expiration,
    and the Intelligent-Tiering archive tiers (days without access)."""

    transitions: tuple[Transition, ...] = ()
    expiration_days: float | None = None
    archive_days: float | None = None
    deep_archive_days: float | None = None

    def storage_class(self, age_days: float, key: str | None = None, size: float = 0.0) -> str:
        """The class an object of this key and size is in at this age (days since written):
        the latest transition it has reached, STANDARD before any."""
        reached = [t for t in self.transitions if t.day <= age_days and t.covers(key, size)]
        if not reached:
            return "STANDARD"
        return max(reached, key=lambda t: t.day).storage_class

    def tiering_entry_day(
        self, age_days: float, key: str | None = None, size: float = 0.0
    ) -> float:
        """The age at which the object entered INTELLIGENT_TIERING (0 if written there)."""
        entries = [
            t.day
            for t in self.transitions
            if t.storage_class == "INTELLIGENT_TIERING"
            and t.day <= age_days
            and t.covers(key, size)
        ]
        return min(entries) if entries else 0.0

    def tier(self, age_days: float, key: str | None = None, size: float = 0.0) -> str:
        """The priced class (`STORAGE_USAGETYPES` key) of an object not read since it was
        written: inside Intelligent-Tiering, its access tier; objects under 128 KB stay in
        Frequent Access (S3 does not tier them)."""
        cls = self.storage_class(age_days, key, size)
        if cls != "INTELLIGENT_TIERING":
            return cls
        if size < MIN_MONITORED_OBJECT_KB * 1024:
            return "INT_FA"
        idle = age_days - self.tiering_entry_day(age_days, key, size)
        split = _intelligent_tiering_split(0.0, idle, self.archive_days, self.deep_archive_days)
        return split[-1][0] if split else "INT_FA"


def _filter(rule: dict[str, Any], reader: RuleReader) -> tuple[str, float | None, float | None]:
    """(prefix, size greater than, size less than) of a rule, CloudFormation's shapes."""
    prefix = reader.text(rule.get("Prefix"), "", "lifecycle rule prefix")
    greater = rule.get("ObjectSizeGreaterThan")
    less = rule.get("ObjectSizeLessThan")
    return (
        prefix,
        None if greater is None else reader.number(greater, 0, "ObjectSizeGreaterThan"),
        None if less is None else reader.number(less, 0, "ObjectSizeLessThan"),
    )


def _tag_filter(rule: dict[str, Any], reader: RuleReader) -> tuple[tuple[str, str], ...]:
    """The (key, value) pairs of a rule's TagFilters."""
    listed = rule.get("TagFilters") or []
    if not isinstance(listed, list):
        reader.assume("a lifecycle rule's tag filter is not known at synth time")
        return (("?", "?"),)
    pairs = []
    for item in listed:
        if not isinstance(item, dict):
            reader.assume("a lifecycle rule's tag filter is not known at synth time")
            item = {}
        pairs.append(
            (
                reader.text(item.get("Key"), "?", "lifecycle rule tag key"),
                reader.text(item.get("Value"), "?", "lifecycle rule tag value"),
            )
        )
    return tuple(pairs)


def read_bucket_rules(props: dict[str, Any], reader: RuleReader) -> BucketRules:
    """The storage-class model of an AWS::S3::Bucket's properties (the enabled lifecycle rules
    and Intelligent-Tiering configurations). The estimate and the run pricer both use it."""
    transitions: list[Transition] = []
    expiration: float | None = None
    lifecycle = props.get("LifecycleConfiguration") or {}
    rules = lifecycle.get("Rules") if isinstance(lifecycle, dict) else None
    if lifecycle and not isinstance(rules, list):
        reader.assume("lifecycle rules are not known at synth time; priced without them")
        rules = []
    for rule in rules or []:
        if not isinstance(rule, dict) or rule.get("Status") != "Enabled":
            continue
        rule_id = str(rule.get("Id", ""))
        prefix, greater, less = _filter(rule, reader)
        tags = _tag_filter(rule, reader)
        if rule.get("Prefix"):
            # The estimate prices aggregate data (no keys); the run pricer applies the prefix
            # object by object.
            reader.assume(
                f"lifecycle rule {rule_id} is scoped to a prefix; assumed to cover all data"
            )
        if tags:
            # Neither the estimate nor the run pricer (S3 listings carry no tags) knows which
            # objects are tagged: the rule is priced as moving none of them.
            shown = ", ".join(f"{k}={v}" for k, v in tags)
            reader.assume(
                f"lifecycle rule {rule_id} moves only objects tagged {shown}: the tagged share "
                "is not known, so it is priced as covering no data"
            )
        if rule.get("ExpirationInDays") is not None:
            days = reader.number(rule["ExpirationInDays"], math.inf, "ExpirationInDays")
            expiration = days if expiration is None else min(expiration, days)
        listed = rule.get("Transitions") or []
        items = list(listed) if isinstance(listed, list) else []
        if rule.get("Transition"):
            items.append(rule["Transition"])
        if any(not isinstance(t, dict) for t in items) or not isinstance(listed, list):
            reader.assume("a lifecycle transition is not known at synth time; left out")
        for t in (t for t in items if isinstance(t, dict)):
            transitions.append(
                Transition(
                    day=reader.number(t.get("TransitionInDays", 0), 0, "TransitionInDays"),
                    storage_class=reader.text(
                        t.get("StorageClass"), "STANDARD", "transition storage class"
                    ),
                    rule_id=rule_id,
                    prefix=prefix,
                    size_greater_than=greater,
                    size_less_than=less,
                    tags=tags,
                )
            )
    archive_days: float | None = None
    deep_days: float | None = None
    configs = props.get("IntelligentTieringConfigurations") or []
    for config in configs if isinstance(configs, list) else []:
        if not isinstance(config, dict) or config.get("Status") != "Enabled":
            continue
        tierings = config.get("Tierings") or []
        for tiering in tierings if isinstance(tierings, list) else []:
            if not isinstance(tiering, dict):
                continue
            days = reader.number(tiering.get("Days"), 90, "archive tier days")
            if tiering.get("AccessTier") == "ARCHIVE_ACCESS":
                archive_days = days
            elif tiering.get("AccessTier") == "DEEP_ARCHIVE_ACCESS":
                deep_days = days
    return BucketRules(tuple(transitions), expiration, archive_days, deep_days)


@priced(
    "AWS::S3::Bucket",
    service="S3",
    summary="storage per class from the lifecycle rules and Intelligent-Tiering tiers, "
    "monitoring fee, requests",
    usage=(
        UsageKey("storage_gb", 50, "average stored data (current versions), GB"),
        UsageKey("noncurrent_storage_gb", 0, "average noncurrent-version data, GB"),
        UsageKey("monthly_tier1_requests", 100_000, "PUT, COPY, POST and LIST requests per month"),
        UsageKey("monthly_tier2_requests", 1_000_000, "GET and other requests per month"),
        UsageKey(
            "average_object_mb",
            4,
            "average object size, MB, of all objects (the Intelligent-Tiering object count)",
        ),
        UsageKey(
            "small_object_share",
            DEFAULT_SMALL_OBJECT_SHARE,
            "share of the objects that are at most 128 KB (not tiered, no monitoring fee); "
            "measured on four models logged with MLflow 3.17.2: 26 of 28 objects",
        ),
        UsageKey(
            "small_object_bytes_share",
            DEFAULT_SMALL_OBJECT_BYTES_SHARE,
            "share of the data in objects of at most 128 KB (a size-filtered Intelligent-"
            "Tiering rule leaves it in Standard); measured on the same models: 0.55%",
        ),
        UsageKey(
            "data_age_days",
            365,
            "data is written evenly over this many days; lifecycle transitions and "
            "Intelligent-Tiering tiers follow from object age",
        ),
    ),
    prices=[
        PriceSpec(S3, "Storage", usagetype, published=STORAGE_PAGES[cls])
        for cls, (_, usagetype) in STORAGE_USAGETYPES.items()
    ]
    + [
        PriceSpec(
            S3,
            "Fee",
            "Monitoring-Automation-INT",
            published=Page(
                "s3",
                "Per object per month monitoring and automation fee for objects in "
                "Intelligent Tiering",
                "Objects",
            ),
        ),
        PriceSpec(
            S3,
            "API Request",
            "Requests-Tier1",
            published=Page("s3", "PUT COPY/POST or LIST requests per Requests", "Requests"),
        ),
        PriceSpec(
            S3,
            "API Request",
            "Requests-Tier2",
            published=Page("s3", "GET and all other requests per Requests", "Requests"),
        ),
    ],
)
def price_bucket(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    storage_gb = ctx.usage.get("storage_gb") or 0.0
    rules = read_bucket_rules(resource.properties, ctx)
    age = ctx.usage.get("data_age_days") or 365.0
    if rules.expiration_days is not None:
        age = min(age, rules.expiration_days)
    small_objects = _share(ctx, "small_object_share")
    small_bytes = _share(ctx, "small_object_bytes_share")
    archive_days, deep_days = rules.archive_days, rules.deep_archive_days

    # The data in each class, for the small objects and for the larger ones apart: a size
    # filter may move one and not the other, and S3 does not tier small objects.
    shares: dict[str, float] = {}
    large_in_tiering = 0.0
    for small, weight in ((True, small_bytes), (False, 1.0 - small_bytes)):
        transitions = [(t.day, t.storage_class) for t in rules.transitions if _moves(t, small, ctx)]
        for cls, start, end in _segment_shares(transitions, age):
            share = weight * (end - start) / age
            if cls != "INTELLIGENT_TIERING":
                shares[cls] = shares.get(cls, 0.0) + share
            elif small:
                shares["INT_FA"] = shares.get("INT_FA", 0.0) + share
            else:
                large_in_tiering += (end - start) / age
                for tier, length in _intelligent_tiering_split(start, end, archive_days, deep_days):
                    shares[tier] = shares.get(tier, 0.0) + weight * length / age

    components: list[CostComponent] = []
    if rules.transitions:
        ctx.assume(
            f"data written evenly over {age:g} days; storage per class follows the lifecycle "
            "rules and, in Intelligent-Tiering, data not read again after 30/90 days"
        )
        ctx.assume(
            f"{small_objects:.0%} of the objects, {small_bytes:.2%} of the data, are at most "
            "128 KB (small_object_share, small_object_bytes_share): S3 does not tier them in "
            "Intelligent-Tiering and charges them no monitoring fee"
        )
    for cls, share in shares.items():
        if share <= 0:
            continue
        gb = storage_gb * share
        if cls not in STORAGE_USAGETYPES:
            raise Unpriceable(f"storage class {cls} is not in the price catalog")
        label, usagetype = STORAGE_USAGETYPES[cls]
        components.append(
            ctx.component(
                f"Storage, {label} ({_percent(share)} of {storage_gb:g} GB)",
                "GB-months",
                gb,
                ctx.price(S3, "Storage", usagetype),
                usage_based=True,
                tiered=cls in ("STANDARD", "INT_FA"),
            )
        )
    noncurrent_gb = ctx.usage.get("noncurrent_storage_gb") or 0.0
    if noncurrent_gb > 0:
        components.append(
            ctx.component(
                "Storage, noncurrent versions (Standard)",
                "GB-months",
                noncurrent_gb,
                ctx.price(S3, "Storage", "TimedStorage-ByteHrs"),
                usage_based=True,
                tiered=True,
            )
        )
    if large_in_tiering > 0:
        object_mb = ctx.usage.get("average_object_mb") or 1.0
        objects = storage_gb * 1024 / object_mb * (1.0 - small_objects) * large_in_tiering
        components.append(
            ctx.component(
                f"Intelligent-Tiering monitoring ({objects:,.0f} objects over 128 KB, "
                f"{1.0 - small_objects:.0%} of objects of {object_mb:g} MB on average)",
                "objects",
                objects,
                ctx.price(S3, "Fee", "Monitoring-Automation-INT"),
                usage_based=True,
            )
        )
    tier1 = ctx.usage.get("monthly_tier1_requests") or 0.0
    tier2 = ctx.usage.get("monthly_tier2_requests") or 0.0
    components.append(
        ctx.component(
            "PUT, COPY, POST, LIST requests",
            "requests",
            tier1,
            ctx.price(S3, "API Request", "Requests-Tier1"),
            usage_based=True,
        )
    )
    components.append(
        ctx.component(
            "GET and other requests",
            "requests",
            tier2,
            ctx.price(S3, "API Request", "Requests-Tier2"),
            usage_based=True,
        )
    )
    return components


#: S3 Express One Zone (directory buckets in an Availability Zone): (family, component, unit,
#: usage key, the S3 pricing-page file's dimension). The file's rows carry no usage type: the
#: family names the price.
EXPRESS_ONE_ZONE = (
    (
        "Express One Zone Storage",
        "Storage (Express One Zone)",
        "GB-months",
        "storage_gb",
        "Express One Zone Storage Inf per GB Mo",
    ),
    (
        "Express One Zone PUT Requests",
        "PUT, COPY, POST, LIST requests",
        "requests",
        "monthly_tier1_requests",
        "PUT COPY/POST or LIST requests to Express One Zone per Requests",
    ),
    (
        "Express One Zone GET Requests",
        "GET and other requests",
        "requests",
        "monthly_tier2_requests",
        "GET and all other requests to Express One Zone per Requests",
    ),
    (
        "Express One Zone Upload",
        "Data uploaded, the part of each request above 512 KB",
        "GB",
        "monthly_upload_gb",
        "Object Upload in Express One Zone per GB",
    ),
    (
        "Express One Zone Retrieval",
        "Data retrieved, the part of each request above 512 KB",
        "GB",
        "monthly_retrieval_gb",
        "Object Retrieval in Express One Zone per GB",
    ),
)


@priced(
    "AWS::S3Express::DirectoryBucket",
    service="S3",
    summary="S3 Express One Zone storage, requests, and GB uploaded and retrieved above 512 KB "
    "per request (all from usage)",
    usage=(
        UsageKey("storage_gb", 50, "average stored data, GB"),
        UsageKey("monthly_tier1_requests", 100_000, "PUT, COPY, POST and LIST requests per month"),
        UsageKey("monthly_tier2_requests", 1_000_000, "GET and other requests per month"),
        UsageKey(
            "monthly_upload_gb",
            0,
            "GB uploaded per month in the part of each request above 512 KB (S3 Express One "
            "Zone charges that part per GB)",
        ),
        UsageKey(
            "monthly_retrieval_gb",
            0,
            "GB retrieved per month in the part of each request above 512 KB",
        ),
    ),
    prices=tuple(
        PriceSpec(S3, family, None, published=Page("s3", dimension, unit))
        for family, _, unit, _, dimension in EXPRESS_ONE_ZONE
    ),
)
def price_directory_bucket(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    redundancy = ctx.text(
        resource.properties.get("DataRedundancy"), "SingleAvailabilityZone", "DataRedundancy"
    )
    if redundancy != "SingleAvailabilityZone":
        raise Unpriceable(
            f"DataRedundancy {redundancy} (a directory bucket in a Local Zone) is not in the "
            "price catalog; S3 Express One Zone (SingleAvailabilityZone) is"
        )
    ctx.assume(
        "S3 Express One Zone; per-GB upload and retrieval charges apply to the part of each "
        "request above 512 KB (usage monthly_upload_gb, monthly_retrieval_gb)"
    )
    return [
        ctx.component(
            name,
            unit,
            ctx.usage.get(key) or 0.0,
            ctx.price(S3, family, None),
            usage_based=True,
        )
        for family, name, unit, key, _ in EXPRESS_ONE_ZONE
    ]


def _share(ctx: PricingContext, key: str) -> float:
    value = ctx.usage.get(key)
    value = 0.0 if value is None else value
    if not 0.0 <= value <= 1.0:
        raise Unpriceable(f"usage {key}={value:g} is not a share between 0 and 1")
    return value


def _percent(share: float) -> str:
    """A share as the component names show it: whole percent, finer under 1%."""
    return f"{share:.0%}" if share >= 0.01 or share == 0 else f"{share:.2%}"


def _moves(transition: Transition, small: bool, ctx: PricingContext) -> bool:
    """Whether a transition moves the estimate's small (or larger) objects: tag-filtered
    rules move none (the tagged share is unknown); a size filter that splits one of the two
    sizes is assumed to move all of it (said as an assumption)."""
    if transition.tags:
        return False
    coverage = transition.size_coverage(small)
    if coverage == "part":
        which = "objects of at most 128 KB" if small else "objects over 128 KB"
        ctx.assume(
            f"lifecycle rule {transition.rule_id}'s size filter takes part of the {which}; "
            "assumed to take all of them"
        )
    return coverage != "none"
