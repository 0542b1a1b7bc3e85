"""REST API of this feature (to be written)."""


def register(router) -> None:
    pass
