"""Synth-time cost estimation for CDK apps and CloudFormation templates.

- In a CDK app: `CostEstimate.attach(app)` then `estimate.finish(app.synth())`
  (see `cost.cdk`; imported lazily so the template tools need no CDK install).
- For any template or cdk.out directory: `python -m cost estimate PATH`.
"""

from cost.catalog import PriceCatalog, default_catalog
from cost.estimate import Estimator, estimate_path
from cost.model import CostComponent, CostReport, ResourceCost, StackCost
from cost.pricing.usage import Usage, UsageError

__all__ = [
    "CostComponent",
    "CostReport",
    "Estimator",
    "PriceCatalog",
    "ResourceCost",
    "StackCost",
    "Usage",
    "UsageError",
    "default_catalog",
    "estimate_path",
]
