"""REST API controllers, one module per aggregate."""
