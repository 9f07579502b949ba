"""Helpers the test areas share (a devnet consortium, scratch PostgreSQL databases), imported by package name."""
