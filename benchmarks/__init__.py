"""Overhead benchmarks: instrumented vs uninstrumented, interleaved in one process. See __main__.py."""
