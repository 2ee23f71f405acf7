"""The API's routers, one module per family of services (each exposes ``router``)."""
