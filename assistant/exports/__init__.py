"""Reading booking systems' spreadsheet exports (CSV, XLSX) into contract records: a file becomes
a `Sheet`, a `Mapping` (a TOML data file) turns each row into the records a JSON Lines line would
hold, or into a rejection naming the row and the column."""
