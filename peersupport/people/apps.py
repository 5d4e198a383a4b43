from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_migrate


def site_follows_site_url(*, using="default", apps=None, **kwargs):
    """Keep the Site row (allauth's links outside a request use its domain) equal to SITE_URL,
    after every migrate, so a changed SITE_URL never leaves emails pointing elsewhere."""
    # Imported here: an AppConfig module loads before the models are ready.
    from django.contrib.sites.models import Site

    if apps is not None:
        try:
            apps.get_model("sites", "Site")
        except LookupError:  # the sites tables are not there (yet) in this plan
            return
    domain = urlsplit(settings.SITE_URL).netloc
    site, created = Site.objects.using(using).get_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )
    if not created and (site.domain, site.name) != (domain, settings.SITE_NAME):
        site.domain, site.name = domain, settings.SITE_NAME
        site.save(using=using, update_fields=["domain", "name"])
    Site.objects.clear_cache()


class PeopleConfig(AppConfig):
    name = "peersupport.people"
    label = "peersupport"  # kept: the tables, migrations and AUTH_USER_MODEL use it
    verbose_name = "People"

    def ready(self):
        post_migrate.connect(
            site_follows_site_url, sender=self, dispatch_uid="peersupport.site_follows_site_url"
        )
        # Imported here: the audit module needs the models, which load after the AppConfig.
        from .audit import forget_deleted_user

        post_delete.connect(
            forget_deleted_user,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="peersupport.audit_forget_deleted_user",
        )
