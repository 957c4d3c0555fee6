"""Retention and clean-up of MLflow runs (issue 14): a policy file says which runs to delete
and which artifacts to archive; `plan` prices the monthly storage saving before anything is
touched, `apply` soft-deletes through the MLflow API, tags artifacts for archiving and runs
MLflow's garbage collection for runs deleted longer ago than the grace period."""
