"""Reading and writing data files in object storage."""
