"""Which run params and tags say what the run used: the naming convention and its mapping file.

A run states its compute with these keys, as params or tags (a tag wins over a param of the
same name: params cannot be changed after the run, tags can be corrected):

- `instance_type`: an EC2 type (`g5.xlarge`) or a SageMaker type (`ml.g5.xlarge`); none:
  the run's compute is unpriced (said so, never zero)
- `sagemaker_component`: with an `ml.*` type, what ran it: `studio-notebook` (a SageMaker
  Studio notebook, priced at AWS's Studio notebook rates), or `training`, `processing`,
  `hosting`, `batch-transform`, `notebook-instance` (named, but not in the catalog: unpriced)
- `instance_count`: instances used for the whole run (aliases `num_workers`, `num_nodes`);
  default 1
- `region`: the region the instances ran in; default the command's `--region`
- `purchase_option`: `on-demand` (default) or `spot`
- `spot_discount`: spot's discount off on-demand, `0.7` or `70%` (spot prices move: you
  state the discount you got); required with `spot`
- `billable_seconds`: billed seconds (e.g. SageMaker's BillableTimeInSeconds); default the
  run's end time minus its start time

A mapping file adds a team's own names, tried before the convention's:

    names:
      instance_type: [node_type, machine]
      instance_count: [nodes]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cost.pricing.sagemaker import STUDIO_NOTEBOOK_COMPONENT

#: The convention's keys and the names each is read from, in order.
CONVENTION: dict[str, tuple[str, ...]] = {
    "instance_type": ("instance_type",),
    "sagemaker_component": ("sagemaker_component",),
    "instance_count": ("instance_count", "num_workers", "num_nodes"),
    "region": ("region",),
    "purchase_option": ("purchase_option",),
    "spot_discount": ("spot_discount",),
    "billable_seconds": ("billable_seconds",),
}
PURCHASE_OPTIONS = ("on-demand", "spot")
#: What can run an `ml.*` instance; only a Studio notebook is priced, under the component
#: name AWS's Studio notebook file gives its rows (lower case: `studio-notebook`).
PRICED_SAGEMAKER_COMPONENT = STUDIO_NOTEBOOK_COMPONENT.lower()
SAGEMAKER_COMPONENTS = (
    PRICED_SAGEMAKER_COMPONENT,
    "training",
    "processing",
    "hosting",
    "batch-transform",
    "notebook-instance",
)


class MappingError(ValueError):
    """The mapping file is malformed; the message names the field and what is allowed."""


@dataclass(frozen=True)
class Convention:
    """The names each key is read from (a mapping file's first, then the convention's)."""

    names: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(CONVENTION))

    @classmethod
    def from_file(cls, path: str | Path) -> Convention:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            raise MappingError(f"{path}: not valid YAML ({err})") from None
        return cls.from_data(data, str(path))

    @classmethod
    def from_data(cls, data: Any, where: str = "mapping") -> Convention:
        if not isinstance(data, dict) or set(data) - {"names"}:
            extra = sorted(set(data) - {"names"}) if isinstance(data, dict) else None
            what = f"unknown key(s) {', '.join(map(str, extra))}" if extra else "not a mapping"
            raise MappingError(f"{where}: {what}; allowed: a mapping with the key 'names'")
        names = data.get("names") or {}
        if not isinstance(names, dict):
            raise MappingError(f"{where}: names must map convention keys to lists of names")
        merged = dict(CONVENTION)
        for key, value in names.items():
            if key not in CONVENTION:
                raise MappingError(
                    f"{where}: names.{key}: unknown key; allowed: {', '.join(CONVENTION)}"
                )
            listed = [value] if isinstance(value, str) else value
            if (
                not isinstance(listed, list)
                or not listed
                or not all(isinstance(n, str) and n.strip() for n in listed)
            ):
                raise MappingError(
                    f"{where}: names.{key}: {value!r} is not a name or a list of names "
                    "(non-empty strings)"
                )
            own = tuple(n.strip() for n in listed)
            merged[key] = own + tuple(n for n in CONVENTION[key] if n not in own)
        return cls(merged)

    def read(self, params: Mapping[str, str], tags: Mapping[str, str]) -> dict[str, Stated]:
        """Each key the run states, with where it was found (tag first, then param)."""
        found: dict[str, Stated] = {}
        for key, names in self.names.items():
            for name in names:
                if name in tags and tags[name].strip():
                    found[key] = Stated(tags[name].strip(), f"tag {name}")
                    break
                if name in params and params[name].strip():
                    found[key] = Stated(params[name].strip(), f"param {name}")
                    break
        return found


@dataclass(frozen=True)
class Stated:
    """A value a run states, and where (`param num_workers`, `tag instance_type`)."""

    value: str
    where: str

    def __str__(self) -> str:
        return f"{self.value!r} ({self.where})"
