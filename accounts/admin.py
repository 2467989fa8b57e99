from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Follow, User

admin.site.register(User, UserAdmin)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "followee", "created", "deleted")
    raw_id_fields = ("follower", "followee")
