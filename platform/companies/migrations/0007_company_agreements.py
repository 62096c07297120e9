from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("companies", "0006_signup_admin_username")]

    operations = [
        migrations.AddField(
            model_name="company", name="user_agreement", field=models.TextField(blank=True, default="")
        ),
        migrations.AddField(
            model_name="company", name="privacy_policy", field=models.TextField(blank=True, default="")
        ),
    ]
