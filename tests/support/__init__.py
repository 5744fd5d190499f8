"""Helpers shared by the browser tests and the app benchmarks: a real server and Debian's Chromium."""
