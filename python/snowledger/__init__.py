"""Snowledger: an auditable Snowflake cost ledger built with dbt."""

__version__ = "0.1.0"
