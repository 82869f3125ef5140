# The import log, moved here from the agreements app with its table
# (agreements_importlog, created by agreements' migration 0002): state only.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('agreements', '0005_import_log_moves_to_sheets'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sheet', models.CharField(choices=[('agreements', 'agreements'), ('visits', 'visits'), ('action_items', 'action items')], max_length=20, verbose_name='sheet')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='when')),
                        ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('file_size', models.PositiveBigIntegerField(default=0, verbose_name='file size (bytes)')),
                        ('outcome', models.CharField(choices=[('imported', 'imported'), ('refused', 'refused')], max_length=10, verbose_name='outcome')),
                        ('rows_total', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('rows_new', models.PositiveIntegerField(default=0, verbose_name='new')),
                        ('rows_updated', models.PositiveIntegerField(default=0, verbose_name='updated')),
                        ('rows_unchanged', models.PositiveIntegerField(default=0, verbose_name='unchanged')),
                        ('rows_with_errors', models.PositiveIntegerField(default=0, verbose_name='rows with errors')),
                        ('message', models.TextField(blank=True, verbose_name='message')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='imports', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'import log entry',
                        'verbose_name_plural': 'import log',
                        'db_table': 'agreements_importlog',
                        'ordering': ['-created_at'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
