"""The display name, edited on the user's page in the admin."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["display_name"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class CredenceUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, ProfileInline]
