"""Put the desired environment (pools, connections, variables) into Airflow."""
