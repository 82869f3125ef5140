from tests.test_fuzz import *  # noqa
from tests.test_fuzz import world, editor_client  # noqa
import pytest
@pytest.mark.parametrize("name", list(VALID))
def test_dbg(editor_client, world, name):
    url = reverse(name)
    fields, options = form_of(editor_client, url)
    print(name, {k: v[:5] for k, v in options.items()})
    try:
        p = valid_payload(name, fields, options, 1)
    except StopIteration:
        return
    r = editor_client.post(url, p)
    print(r.status_code, r.context and {k: v for k, v in (r.context.get("form").errors.items() if r.context.get("form") else [])})
    for key in ("formsets", "participants", "engagements", "signatories", "documents"):
        if r.context and key in r.context: print(key, getattr(r.context[key], "errors", None))
