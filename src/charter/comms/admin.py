from django.contrib import admin

from charter.comms.models import CommunicationItem


@admin.register(CommunicationItem)
class CommunicationItemAdmin(admin.ModelAdmin):
    list_display = ["content", "project", "audience", "frequency", "channel", "owner"]
    list_filter = ["channel"]
    search_fields = ["content", "audience", "project__code", "project__name"]
    list_select_related = ["project", "owner"]
    raw_id_fields = ["project", "owner"]
