from django.contrib import admin

from companies.models import Company, Domain, Plan, Signup


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["slug", "name"]
    readonly_fields = ["schema_name", "created_at"]
    exclude = ["wechat_secret"]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Plans and their limits; `stripe_price_id` is the Stripe Price a company subscribes to (a plan
    without one cannot be bought online). Subscriptions and MRR: subscriptions.admin."""

    list_display = [
        "code",
        "name",
        "monthly_price",
        "max_houses",
        "max_staff",
        "trial_days",
        "is_trial",
        "stripe_price_id",
    ]


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    list_display = ["slug", "company_name", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    exclude = ["password_hash", "admin_phone"]
    readonly_fields = ["company", "status", "error", "started_at", "finished_at"]
