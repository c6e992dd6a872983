"""Helpers the citizens' tests share (not tests themselves): Siti's answers to the
application form, a submitted application, and edits that bypass the access-log model."""

from ..models import AccessRecord
from ..services import application_start, application_submit

SITI_ANSWERS = {
    "birth_place": "Jakarta",
    "religion": "islam",
    "marital_status": "kawin",
    "occupation": "Pedagang",
    "citizenship": "WNI",
    "address": "Jl. Kebon Sirih 1",
    "rt": "001",
    "rw": "002",
    "village_code": "31.71.01.1001",
    "family_card_number": "3171010101000001",
    "email": "siti@example.org",
}


def submitted(siti, service):
    draft = application_start(citizen=siti, service=service, by=siti.user)
    values = {k: SITI_ANSWERS[k] for k in draft.fields_asked}
    return application_submit(application=draft, values=values, by=siti.user)


def raw_update(record, **values):
    # What someone with database access could do, bypassing the model.
    from django.db.models.sql import UpdateQuery

    query = UpdateQuery(AccessRecord)
    query.add_update_values(values)
    query.add_filter("pk", record.pk)
    query.get_compiler("default").execute_sql(None)


def raw_delete(record):
    from django.db.models.sql import DeleteQuery

    DeleteQuery(AccessRecord).delete_batch([record.pk], "default")
