"""``common.account_names.AccountName``: an account's name as ``get_full_name() or
get_username()`` gives it, written by the database."""

import sys

import pytest
from django.contrib.auth import get_user_model

from common.account_names import WHITESPACE, AccountName
from tests.factories import UserFactory


def test_the_trimmed_characters_are_those_python_strips():
    every = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert every == WHITESPACE


@pytest.mark.django_db
def test_the_database_names_an_account_as_django_does():
    accounts = [
        UserFactory(first_name="Lan", last_name="Nguyễn"),
        UserFactory(first_name="", last_name="", username="only-username"),
        UserFactory(first_name="Minh", last_name=""),
        UserFactory(first_name="", last_name="Trần"),
        UserFactory(first_name="\u3000\tHoa\xa0", last_name="Lê\u2028"),
        UserFactory(first_name="\x85\x1c", last_name="\u205f\r\n", username="blank-names"),
        UserFactory(first_name="A\xa0B", last_name=" "),  # inner spaces kept
    ]
    named = dict(
        get_user_model()
        .objects.filter(pk__in=[a.pk for a in accounts])
        .annotate(name=AccountName())
        .values_list("pk", "name")
    )
    assert named == {a.pk: a.get_full_name() or a.get_username() for a in accounts}
    assert named[accounts[5].pk] == "blank-names"
    assert named[accounts[6].pk] == "A\xa0B"
