"""Rendering cost reports (JSON contract, Markdown for pull requests, terminal text) and the
cost difference between two reports."""
