"""The service layer shared by the CLI (and later the API and UI): import, scan, record."""
