"""The equipment and muscle names the catalog and profiles may use."""
