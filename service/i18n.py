"""PLACEHOLDER (replaced by the validation branch)."""


def init_app(app) -> None:
    pass
