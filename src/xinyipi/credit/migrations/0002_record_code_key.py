from django.db import migrations, models


def fill_code_key(apps, schema_editor):
    CreditRecord = apps.get_model("credit", "CreditRecord")
    for pk, code_hash in CreditRecord.objects.values_list("pk", "code_hash").iterator():
        CreditRecord.objects.filter(pk=pk).update(code_key=int(code_hash[:15], 16))


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="creditrecord",
            name="code_key",
            field=models.BigIntegerField(null=True, verbose_name="主体代码检索键"),
        ),
        migrations.RunPython(fill_code_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="creditrecord",
            name="code_key",
            field=models.BigIntegerField(db_index=True, verbose_name="主体代码检索键"),
        ),
        migrations.AlterField(
            model_name="creditrecord",
            name="code_hash",
            field=models.CharField(max_length=64, verbose_name="主体代码索引"),
        ),
    ]
