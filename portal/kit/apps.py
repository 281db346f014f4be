from django.apps import AppConfig


class KitConfig(AppConfig):
    name = "portal.kit"
    label = "kit"
    verbose_name = "通用组件"
