"""CSV ingestion: dataset definitions and the streaming CSV → Parquet conversion."""
