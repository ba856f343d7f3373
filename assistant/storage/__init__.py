"""Storage adapter: SQLAlchemy 2 tables, Alembic migrations, and the repository the services use."""
