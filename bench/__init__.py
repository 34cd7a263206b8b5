"""Benchmarks of the project's parts; run each as ``python -m bench.<name>``."""
