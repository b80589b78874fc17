"""Analytics for supervisors: the figures (SQL on SQLite and PostgreSQL), the API, the CSV export
and the ``/console/analytics`` page."""
