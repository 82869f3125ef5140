# The import log moved to the sheets app (issue 12); its table stays where it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0004_agreement_end_kind'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ImportLog')],
            database_operations=[],
        ),
    ]
