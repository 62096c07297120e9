"""Fees and billing (收费管理): fee items and prices, meters and readings, the charge ledger, bill runs,
payments recorded at the cash desk and their allocation, prepaid balances, deposits, refunds and
waivers, receipts. Tables live in each company's schema."""

from django.apps import AppConfig

from core.schemas import Schema


class BillingConfig(AppConfig):
    name = "billing"
    schema = Schema.COMPANY
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from billing.services import fee_setup_import, history_import, meter_import, meter_setup_import
        from tenants.imports import kinds

        kinds.register(meter_import.SPEC)  # readings from Excel, through the import framework
        kinds.register(history_import.HISTORY_SPEC)  # HC's 缴费历史: paid charges with their periods
        kinds.register(history_import.ARREARS_SPEC)  # opening arrears: due charges
        kinds.register(meter_setup_import.SPEC)  # HC's 水电表: meters with their last reading
        kinds.register(fee_setup_import.SPEC)  # HC's 费用设置: fee items from formula codes

        from billing.payments_bridge import BillsPayable, refund_book, refund_settled
        from payments import bridge

        # Online payments of bills end in record_payment; refunds to the channel report back.
        bridge.register("bills", BillsPayable(), refund_settled=refund_settled, refund_book=refund_book)
