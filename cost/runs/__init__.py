"""What the ML work costs: every MLflow run priced from its params, tags and artifacts.

`python -m cost runs` reads the runs of a tracking server with the MLflow client, prices each
run's compute (instance type x count x billable hours, at the catalog's Linux on-demand price
of the run's region, or a stated spot discount) and its artifacts' storage per month (the
artifact bucket's storage-class model, object by object), writes the figures back as run
tags, rolls them up by experiment, attribution tag, user and month, and checks budgets.

Modules: `convention` (which params and tags say what), `pricing` (one run's cost),
`budgets` (the budgets file and its check), `rollup` (aggregates and their renderings),
`source` (the MLflow side: runs, artifact sizes, tags), `chart` (the PNG), `command` (the
`runs` subcommand).
"""
