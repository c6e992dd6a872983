"""Settings of the regency's instance in the national-unreachable fault test: the project's
own, with the schema built from the models (`migrate --run-syncdb`) instead of replaying
every migration, which takes over a minute on SQLite. The migrations that differ from the
models are PostgreSQL's partitioning only; the regency runs on SQLite."""

from config.settings import *  # noqa: F403


class _NoMigrations(dict):
    def __contains__(self, app_label):
        return True

    def __getitem__(self, app_label):
        return None


MIGRATION_MODULES = _NoMigrations()
