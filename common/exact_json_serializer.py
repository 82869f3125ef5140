"""Django's JSON serializer, keeping datetimes to the microsecond.

``DjangoJSONEncoder`` cuts datetimes and times to milliseconds, so a
``dumpdata``/``loaddata`` round trip would not give back the same record (the
history's timestamps would all move). Registered as the "json" format in
settings.SERIALIZATION_MODULES; reading uses Django's own deserializer, which
already parses microseconds.
"""

import datetime as dt
from typing import Any

from django.core.serializers import json as django_json
from django.core.serializers.json import DjangoJSONEncoder


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o: object) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    def start_serialization(self) -> None:
        self.options.setdefault("cls", ExactJSONEncoder)  # read by the JSON options set up next
        super().start_serialization()


Deserializer = django_json.Deserializer
