import pytest
from django.core import mail

from jurisdictions.models import User


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def accounts(db):
    """Two accounts with no role (the inbox asks for none): one with an address, one without."""
    return (User.objects.create_user("inbox-with-mail", email="anquan@example.com", password=None),
            User.objects.create_user("inbox-without-mail", password=None))
