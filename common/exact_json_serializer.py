"""Django's JSON serializer, keeping datetimes to the microsecond.

``DjangoJSONEncoder`` cuts datetimes and times to milliseconds, so a
``dumpdata``/``loaddata`` round trip would not give back the same record (the
history's timestamps would all move). Registered as the "json" format in
settings.SERIALIZATION_MODULES; reading uses Django's own deserializer, which
already parses microseconds.
"""

import datetime as dt

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()


Deserializer = django_json.Deserializer
